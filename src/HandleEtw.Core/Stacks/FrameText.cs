namespace HandleEtw.Core.Stacks;

/// <summary>
/// Frames as WinDbg prints them (`!htrace`, `k`): the module name without its extension, `ntdll!NtClose+0x14` when a
/// symbol names the function, `ntdll+0x5202b` when none does, and the bare address when no module covers it. Every
/// output (text, JSON, report, Parquet symbols) gets its frame text from here.
/// </summary>
public static class FrameText
{
    /// <summary>`ntdll` for `\Windows\System32\ntdll.dll`; `System.Private.CoreLib` for `System.Private.CoreLib.dll`.</summary>
    public static string ModuleName(string pathOrFileName)
    {
        string file = ModuleIdentity.FileNameOf(pathOrFileName);
        int dot = file.LastIndexOf('.');
        return dot > 0 ? file[..dot] : file.Length == 0 ? "?" : file;
    }

    /// <summary>`module+0xOFFSET`.</summary>
    public static string Unsymbolized(string module, ulong offset) => $"{module}+0x{offset:x}";

    /// <summary>`module!Function+0xOFFSET`, or `module!Function` when the function's start is unknown.</summary>
    public static string Symbolic(string module, string function, ulong? offset) =>
        offset is { } o ? $"{module}!{function}+0x{o:x}" : $"{module}!{function}";

    /// <summary>An address no module covers.</summary>
    public static string Address(ulong address) => $"0x{address:x}";
}
