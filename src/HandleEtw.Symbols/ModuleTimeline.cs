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
    private readonly Dictionary<int, ModuleList> _byProcess;
    private readonly ModuleList _kernel;

    /// <summary>Modules sorted by base, and the largest size: no module starting further below can cover an address.</summary>
    private sealed class ModuleList(IEnumerable<ModuleRecord> modules)
    {
        public ModuleRecord[] Sorted { get; } = modules.OrderBy(m => m.Module.Base).ToArray();
        public ulong MaxSize => _maxSize ??= Sorted.Length == 0 ? 0 : Sorted.Max(m => m.Module.Size);
        private ulong? _maxSize;
    }

    public ModuleTimeline(IEnumerable<ModuleRecord> modules)
    {
        var all = modules.Where(m => m.Module.Size > 0).ToList();
        _kernel = new ModuleList(all.Where(IsKernel));
        _byProcess = all.Where(m => !IsKernel(m)).GroupBy(m => m.ProcessId).ToDictionary(g => g.Key, g => new ModuleList(g));
    }

    public ModuleLookup Lookup => Find;

    public ModuleIdentity? Find(int processId, ulong address, long time)
    {
        if (!IsKernelAddress(address) && _byProcess.TryGetValue(processId, out var own) && Find(own, address, time) is { } m)
            return m;
        return Find(_kernel, address, time);
    }

    /// <summary>The latest-loaded module covering the address at the time.</summary>
    private static ModuleIdentity? Find(ModuleList list, ulong address, long time)
    {
        var sorted = list.Sorted;
        ModuleRecord? best = null;
        for (int i = UpperBound(sorted, address) - 1; i >= 0; i--)
        {
            var m = sorted[i];
            if (address - m.Module.Base >= list.MaxSize) break;
            if (address >= m.Module.Base + m.Module.Size) continue;
            if ((m.LoadTime ?? long.MinValue) > time || (m.UnloadTime ?? long.MaxValue) <= time) continue;
            if (best is null || (m.LoadTime ?? long.MinValue) >= (best.LoadTime ?? long.MinValue)) best = m;
        }
        return best?.Module;
    }

    /// <summary>Index of the first module whose base is above the address.</summary>
    private static int UpperBound(ModuleRecord[] sorted, ulong address)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) / 2;
            if (sorted[mid].Module.Base <= address) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    private static bool IsKernel(ModuleRecord m) => m.ProcessId is 0 or 4 || IsKernelAddress(m.Module.Base);

    private static bool IsKernelAddress(ulong address) => address >= 0xFFFF_0000_0000_0000UL;
}
