using System.Globalization;

namespace HandleEtw.Core.Analysis.Compare;

/// <summary>How a group of one trace was matched to a group of the other.</summary>
public enum StackMatch
{
    /// <summary>Symbolized frames as module!function, offsets dropped: survives a rebuild and ASLR.</summary>
    Symbols,

    /// <summary>Frames as module+offset: survives ASLR (offsets are module-relative), not a rebuild.</summary>
    ModuleOffset,

    /// <summary>The user-mode frames' modules (and functions when symbolized), repeats folded; used only when it is
    /// the one group with that signature in both traces.</summary>
    Signature,
}

/// <summary>
/// Keys of a create stack that mean the same code in two traces: frames are parsed from their text
/// (`module!Function+0xOFF [file @ line]`, `module+0xOFF`, a bare address), module names compared without case or
/// their .exe/.dll/.sys extension, so the same stack printed by two tool versions keys alike.
/// </summary>
public static class StackIdentity
{
    private readonly record struct Frame(string Module, string? Function, string Offset, bool Kernel);

    private static readonly string[] KernelModules = ["ntoskrnl", "ntkrnlmp", "ntkrnlpa", "ntkrpamp", "hal"];

    /// <summary>True when some user-mode frame carries a function name (the trace was symbolized).</summary>
    public static bool IsSymbolized(IReadOnlyList<string> frames) => frames.Select(Parse).Any(f => !f.Kernel && f.Function is not null);

    /// <summary>The key at <paramref name="match"/>: Symbols names symbolized frames module!function (others keep
    /// module+offset), ModuleOffset keeps every frame's module+offset, Signature keeps only user frames.</summary>
    public static string Key(IReadOnlyList<string> frames, StackMatch match) => match switch
    {
        StackMatch.Symbols => string.Join("|", frames.Select(Parse).Select(f => f.Function is null ? $"{f.Module}+{f.Offset}" : $"{f.Module}!{f.Function}")),
        StackMatch.ModuleOffset => string.Join("|", frames.Select(Parse).Select(f => $"{f.Module}+{f.Offset}")),
        _ => Signature(frames),
    };

    private static string Signature(IReadOnlyList<string> frames)
    {
        var parts = new List<string>();
        foreach (Frame f in frames.Select(Parse).Where(f => !f.Kernel))
        {
            string part = f.Function is null ? f.Module : $"{f.Module}!{f.Function}";
            if (parts.Count == 0 || parts[^1] != part) parts.Add(part);
        }
        return string.Join("|", parts);
    }

    private static Frame Parse(string text)
    {
        int source = text.IndexOf(" [", StringComparison.Ordinal);
        string frame = source >= 0 ? text[..source] : text;
        if (frame.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            bool kernel = ulong.TryParse(frame.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong a)
                          && a >= 0xFFFF_8000_0000_0000;
            return new Frame("?", null, frame.ToLowerInvariant(), kernel);
        }
        int plus = frame.LastIndexOf("+0x", StringComparison.OrdinalIgnoreCase);
        string offset = plus >= 0 ? frame[(plus + 1)..].ToLowerInvariant() : "";
        string head = plus >= 0 ? frame[..plus] : frame;
        int bang = head.IndexOf('!');
        string module = bang >= 0 ? head[..bang] : head;
        string? function = bang >= 0 && bang < head.Length - 1 ? head[(bang + 1)..] : null;
        return new Frame(ModuleName(module), function, offset, IsKernel(module));
    }

    /// <summary>An image or module name compared across traces: lower case, without .exe/.dll/.sys.</summary>
    public static string ModuleName(string module)
    {
        string name = module.ToLowerInvariant();
        foreach (string ext in new[] { ".exe", ".dll", ".sys" })
            if (name.EndsWith(ext, StringComparison.Ordinal)) return name[..^ext.Length];
        return name;
    }

    private static bool IsKernel(string module) =>
        module.EndsWith(".sys", StringComparison.OrdinalIgnoreCase) || KernelModules.Contains(ModuleName(module));
}
