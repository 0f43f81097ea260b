using HandleEtw.Core.Stacks;

namespace HandleEtw.Symbols;

/// <summary>Which module covered an address in a process at a time (the trace's module map).</summary>
public delegate ModuleIdentity? ModuleLookup(int processId, ulong address, long timestamp);

/// <summary>
/// Formats stack frames: `module!Function+0xOFFSET [file @ line]` when the symbolizer resolves the frame, else
/// exactly `module+0xOFFSET`, and `0x…` for addresses no module covers.
/// </summary>
public sealed class SymbolicFrameFormatter(ModuleLookup lookup, IFrameSymbolizer? symbolizer)
{
    public string Format(int processId, ulong address, long timestamp)
    {
        var module = lookup(processId, address, timestamp);
        if (module is null) return FrameText.Address(address);
        ulong offset = address - module.Base;
        return symbolizer?.Symbolize(module, offset) ?? FrameText.Unsymbolized(module.ModuleName, offset);
    }

    /// <summary>All frames, innermost first.</summary>
    public string[] Format(int processId, ReadOnlySpan<ulong> frames, long timestamp)
    {
        var result = new string[frames.Length];
        for (int i = 0; i < frames.Length; i++) result[i] = Format(processId, frames[i], timestamp);
        return result;
    }
}
