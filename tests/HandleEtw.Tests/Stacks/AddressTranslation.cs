using System.Globalization;
using System.Text.RegularExpressions;
using HandleEtw.Synthetic.Scenarios;

namespace HandleEtw.Tests.Stacks;

/// <summary>
/// Maps the addresses of one script's trace to another's written from the same scenario: an address inside a module
/// (by process and module name, the kernel too) to the same offset in the other's module, an object to the object of
/// the same handle. Applied to command output: every 8-digit hex number (with or without 0x) that it knows is
/// rewritten, so a 32-bit trace's answers read as the 64-bit trace's.
/// </summary>
internal sealed partial class AddressTranslation
{
    private readonly List<(ulong Start, ulong End, ulong To)> _ranges = [];
    private readonly Dictionary<ulong, ulong> _objects = [];

    public AddressTranslation(TraceScript from, TraceScript to)
    {
        AddModules(from.KernelModules, to.KernelModules);
        foreach (ScriptProcess p in from.Processes)
            if (to.Processes.FirstOrDefault(q => q.Pid == p.Pid) is { } q) AddModules(p.Modules, q.Modules);
        foreach (var (a, b) in from.Facts.Handles.Zip(to.Facts.Handles)) _objects.TryAdd(a.Object, b.Object);
    }

    private void AddModules(IEnumerable<ScriptModule> from, IEnumerable<ScriptModule> to)
    {
        foreach (ScriptModule m in from)
            if (to.FirstOrDefault(n => string.Equals(n.Name, m.Name, StringComparison.OrdinalIgnoreCase)) is { } n)
                _ranges.Add((m.Base, m.Base + m.Size, n.Base));
    }

    public string Apply(string text) => EightDigitHex().Replace(text, match =>
    {
        ulong value = ulong.Parse(match.Groups[2].Value, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        return Map(value) is ulong mapped ? match.Groups[1].Value + mapped.ToString("x", CultureInfo.InvariantCulture) : match.Value;
    });

    private ulong? Map(ulong value)
    {
        if (_objects.TryGetValue(value, out ulong obj)) return obj;
        foreach (var (start, end, to) in _ranges)
            if (value >= start && value < end) return to + (value - start);
        return null;
    }

    [GeneratedRegex("(?<![0-9a-fx])(0x)?([0-9a-f]{8})(?![0-9a-f])")]
    private static partial Regex EightDigitHex();
}
