namespace HandleEtw.Core.Tracking;

/// <summary>
/// Current process incarnation by pid. Windows pids are multiples of 4 and mostly small: those live in a flat array
/// (no hashing on the hot path); others fall back to a dictionary.
/// </summary>
internal sealed class ProcessIndex
{
    private const int FlatLimit = 1 << 22;
    private ProcessState?[] _flat = new ProcessState?[1024];
    private readonly Dictionary<int, ProcessState> _other = new();
    private readonly Dictionary<int, ProcessState> _all = new();

    public IEnumerable<ProcessState> Values => _all.Values;

    private static bool IsFlat(int pid) => (pid & 3) == 0 && (uint)pid < FlatLimit;

    public bool TryGetValue(int pid, out ProcessState state)
    {
        ProcessState? found;
        if (IsFlat(pid))
        {
            int slot = pid >> 2;
            found = slot < _flat.Length ? _flat[slot] : null;
        }
        else found = _other.GetValueOrDefault(pid);
        state = found!;
        return found is not null;
    }

    public void Set(int pid, ProcessState state)
    {
        _all[pid] = state;
        if (!IsFlat(pid)) { _other[pid] = state; return; }
        int slot = pid >> 2;
        if (slot >= _flat.Length) Array.Resize(ref _flat, Math.Max(slot + 1, _flat.Length * 2));
        _flat[slot] = state;
    }

    public void Remove(int pid)
    {
        _all.Remove(pid);
        if (!IsFlat(pid)) { _other.Remove(pid); return; }
        int slot = pid >> 2;
        if (slot < _flat.Length) _flat[slot] = null;
    }
}
