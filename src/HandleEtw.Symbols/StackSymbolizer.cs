using HandleEtw.Core.Stacks;

namespace HandleEtw.Symbols;

/// <summary>One row of the `symbols` table: a frame of an interned stack, resolved or not.</summary>
/// <param name="Offset">From the function start when resolved, else from the module base (the address outside modules).</param>
/// <param name="SourceLine">0 when unknown.</param>
public readonly record struct SymbolRow(int StackId, int FrameIndex, ulong Address, string? Module, string? Function,
    ulong Offset, string? SourceFile, int SourceLine);

/// <summary>
/// Symbolizes whole stacks into `symbols` rows (stack_id, frame_index, module, function, offset, source line), the
/// table `handleetw symbolize` adds beside a Parquet directory's stacks.
/// Without a resolver (no symbol path) every frame in a module is module+offset.
/// </summary>
public sealed class StackSymbolizer(ModuleLookup lookup, SymbolResolver? resolver)
{
    /// <summary>
    /// Rows for one stack, innermost frame first; frames outside every module keep their address as offset. The
    /// process id is passed to the lookup as is (a lookup may use its own process numbering).
    /// </summary>
    public IEnumerable<SymbolRow> Symbolize(int stackId, int processId, long timestamp, IReadOnlyList<ulong> frames)
    {
        for (int i = 0; i < frames.Count; i++)
        {
            ulong address = frames[i];
            var module = lookup(processId, address, timestamp);
            if (module is null)
            {
                yield return new SymbolRow(stackId, i, address, null, null, address, null, 0);
                continue;
            }
            ulong offset = address - module.Base;
            var frame = resolver?.Resolve(module, offset);
            yield return frame is null
                ? new SymbolRow(stackId, i, address, module.FileName, null, offset, null, 0)
                : new SymbolRow(stackId, i, address, module.FileName, frame.Function, frame.Offset ?? offset, frame.File, frame.Line);
        }
    }
}
