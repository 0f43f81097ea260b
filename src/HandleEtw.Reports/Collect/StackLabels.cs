namespace HandleEtw.Reports.Collect;

/// <summary>Short names for create stacks: the first frame of the program itself, past the system DLLs and the kernel.</summary>
public static class StackLabels
{
    private static readonly HashSet<string> SystemModules = new(StringComparer.OrdinalIgnoreCase)
    {
        "ntoskrnl.exe", "ntkrnlmp.exe", "ntkrnlpa.exe", "hal.dll", "win32k.sys", "win32kbase.sys", "win32kfull.sys",
        "ntdll.dll", "kernelbase.dll", "kernel32.dll", "wow64.dll", "wow64win.dll", "wow64cpu.dll", "kernelbase", "kernel32",
        "ntdll", "fltmgr.sys", "ci.dll", "cng.sys", "ksecdd.sys", "ucrtbase.dll", "msvcrt.dll", "combase.dll", "rpcrt4.dll",
        "advapi32.dll", "sechost.dll", "user32.dll", "gdi32.dll", "gdi32full.dll",
    };

    public static string Caller(IReadOnlyList<string> frames)
    {
        if (frames.Count == 0) return "no stack";
        foreach (string frame in frames)
            if (!SystemModules.Contains(Module(frame)) && !frame.StartsWith("0x", StringComparison.Ordinal)) return frame;
        return frames[0];
    }

    private static string Module(string frame)
    {
        int end = frame.IndexOfAny(['+', '!']);
        return end < 0 ? frame : frame[..end];
    }
}
