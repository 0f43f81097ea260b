using HandleEtw.Core.Stacks;

namespace HandleEtw.Symbols;

/// <summary>
/// Address → module lookup over a finished module list (a Parquet `modules` table, or <see cref="ModuleInventory"/>):
/// per process, sorted by base, with load/unload times so a reused base resolves by time. Kernel images (pid 0 or 4,
/// or kernel-range bases) are shared by every process. Times are in whatever unit the records use; null load means
/// "before the trace", null unload "still loaded".
/// </summary>
public sealed class ModuleTimeline
{
    private readonly Dictionary<int, RangeTimeline<ModuleIdentity>> _byProcess;
    private readonly RangeTimeline<ModuleIdentity> _kernel;

    public ModuleTimeline(IEnumerable<ModuleRecord> modules)
    {
        var all = modules.Where(m => m.Module.Size > 0).ToList();
        _kernel = Timeline(all.Where(IsKernel));
        _byProcess = all.Where(m => !IsKernel(m)).GroupBy(m => m.ProcessId).ToDictionary(g => g.Key, g => Timeline(g));
    }

    public ModuleLookup Lookup => Find;

    public ModuleIdentity? Find(int processId, ulong address, long time)
    {
        if (!IsKernelAddress(address) && _byProcess.TryGetValue(processId, out var own) && own.TryFind(address, time, out var m))
            return m.Value;
        return _kernel.TryFind(address, time, out var k) ? k.Value : null;
    }

    private static RangeTimeline<ModuleIdentity> Timeline(IEnumerable<ModuleRecord> modules) =>
        new(modules.Select(m => new TimedRange<ModuleIdentity>(m.Module.Base, m.Module.Size, m.LoadTime, m.UnloadTime, m.Module)));

    private static bool IsKernel(ModuleRecord m) => m.ProcessId is 0 or 4 || IsKernelAddress(m.Module.Base);

    private static bool IsKernelAddress(ulong address) => address >= 0xFFFF_0000_0000_0000UL;
}
