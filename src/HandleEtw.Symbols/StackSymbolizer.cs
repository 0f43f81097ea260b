using HandleEtw.Core.Stacks;

namespace HandleEtw.Symbols;

/// <summary>One row of the `symbols` table: a frame of an interned stack, resolved or not.</summary>
/// <param name="Offset">From the function start when resolved, else from the module base (the address outside modules).</param>
/// <param name="SourceLine">0 when unknown.</param>
public readonly record struct SymbolRow(int StackId, int FrameIndex, ulong Address, string? Module, string? Function,
    ulong Offset, string? SourceFile, int SourceLine);

/// <summary>A .NET method's native code that covered an address: its module's file name (`System.Data.dll`), its
/// `Namespace.Type.Method` and where its code starts.</summary>
public sealed record ManagedMethod(string? ModuleFile, string Function, ulong Start);

/// <summary>Which .NET method's code covered an address in a process at a time (the trace's `methods`).</summary>
public delegate ManagedMethod? MethodLookup(int processId, ulong address, long timestamp);

/// <summary>
/// Symbolizes whole stacks into `symbols` rows (stack_id, frame_index, module, function, offset, source line), the
/// table `handleetw symbolize` adds beside a Parquet directory's stacks.
/// Without a resolver (no symbol path) every frame in a module is module+offset. JIT-compiled frames (outside every
/// image, or in one the PDB does not name) are named from the method lookup when there is one.
/// </summary>
public sealed class StackSymbolizer(ModuleLookup lookup, SymbolResolver? resolver, MethodLookup? methods = null)
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
            var frame = module is null ? null : resolver?.Resolve(module, address - module.Base);
            if (frame is not null)
                yield return new SymbolRow(stackId, i, address, module!.FileName, frame.Function, frame.Offset ?? address - module.Base, frame.File, frame.Line);
            else if (methods?.Invoke(processId, address, timestamp) is { } method)
                yield return new SymbolRow(stackId, i, address, method.ModuleFile, method.Function, address - method.Start, null, 0);
            else if (module is not null)
                yield return new SymbolRow(stackId, i, address, module.FileName, null, address - module.Base, null, 0);
            else
                yield return new SymbolRow(stackId, i, address, null, null, address, null, 0);
        }
    }
}
