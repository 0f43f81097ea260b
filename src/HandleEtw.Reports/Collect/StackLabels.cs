namespace HandleEtw.Reports.Collect;

/// <summary>Short names for create stacks: the first frame of the program itself, past the system DLLs and the kernel.</summary>
public static class StackLabels
{
    /// <summary>Module names as frames print them (<see cref="HandleEtw.Core.Stacks.FrameText"/>: no extension).</summary>
    private static readonly HashSet<string> SystemModules = new(StringComparer.OrdinalIgnoreCase)
    {
        "ntoskrnl", "ntkrnlmp", "ntkrnlpa", "hal", "win32k", "win32kbase", "win32kfull", "ntdll", "kernelbase",
        "kernel32", "wow64", "wow64win", "wow64cpu", "fltmgr", "ci", "cng", "ksecdd", "ucrtbase", "msvcrt", "combase",
        "rpcrt4", "advapi32", "sechost", "user32", "gdi32", "gdi32full",
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
