namespace HandleEtw.Symbols;

/// <summary>A symbolized frame: function, offset from its start (null when the start is unknown), source line when known.</summary>
public sealed record ResolvedFrame(string Function, ulong? Offset, string? File, int Line)
{
    /// <summary>`module!Function+0xOFFSET [file @ line]`, WinDbg style.</summary>
    public string Format(string module)
    {
        string text = HandleEtw.Core.Stacks.FrameText.Symbolic(module, Function, Offset);
        return File is null || Line <= 0 ? text : $"{text} [{File} @ {Line}]";
    }
}
