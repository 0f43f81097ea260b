namespace HandleEtw.Core.Tracking;

/// <summary>The last close of one handle value (a one-deep history slot, direct-mapped per process).</summary>
internal struct RecentClose
{
    public bool Valid;
    public uint Handle;
    public int Closer;
    public int CloseStack;
    public long CloseTime;
    /// <summary>Thread that created the object this close closed (-1 unknown: rundown, inherited, unmatched).</summary>
    public int Creator;
    public ushort Type;
    /// <summary>After a stale close: the thread whose object was closed under it (-1 none), and its suspect.</summary>
    public int WatchThread;
    public int WatchSuspect;
    public bool WatchConfirmed;
}

/// <summary>
/// Double-close detection. X closes H, Y opens H, X closes H again: the second close hit Y's object (stale close).
/// When Y later closes H and H is then an object Y did not create, that is the crossed close. A thread that closes
/// objects another thread keeps creating (hand-over to a pool) is not a suspect: the earlier object had the same
/// creator as the one closed now. Suspects are grouped by process and stale-close stack.
/// </summary>
internal sealed class MisuseDetector
{
    private const int SlotsPerProcess = 256;
    private const int MaxSuspectGroups = 4096;
    private readonly List<SuspectGroup> _suspects = new();
    private readonly Dictionary<(int Process, int Stack), int> _byStack = new();

    public IReadOnlyList<SuspectGroup> Suspects => _suspects;

    /// <summary>Starts loading the slot a close of <paramref name="handle"/> reads.</summary>
    public static void Prefetch(ProcessState process, uint handle)
    {
        if (process.RecentCloses is { } slots) CacheHint.PrefetchWhole(ref slots[(int)(handle >> 2) & (SlotsPerProcess - 1)]);
    }

    private static ref RecentClose Slot(ProcessState process, uint handle)
    {
        process.RecentCloses ??= new RecentClose[SlotsPerProcess];
        return ref process.RecentCloses[(int)(handle >> 2) & (SlotsPerProcess - 1)];
    }

    /// <summary>A close of a live entry created by <paramref name="creator"/> (-1 unknown).</summary>
    public void OnClose(ProcessState process, uint handle, int closer, int closeStack, long time,
                        int creator, long createTime, int createStack, ushort type)
    {
        ref RecentClose last = ref Slot(process, handle);
        int watchThread = -1, watchSuspect = -1;
        bool watchConfirmed = false;
        if (last.Valid && last.Handle == handle)
        {
            if (last.WatchThread == closer && creator != closer)
                Crossed(last.WatchSuspect, last.WatchConfirmed, type != last.Type, closeStack, time);
            else if (last.Closer == closer && creator >= 0 && creator != closer && createTime >= last.CloseTime
                     && last.Creator != creator)
            {
                watchConfirmed = last.Creator == closer;
                watchSuspect = Stale(process, handle, last, createStack, closeStack, watchConfirmed, time, creator, createTime);
                watchThread = watchSuspect >= 0 ? creator : -1;
            }
        }
        last = new RecentClose
        {
            Valid = true, Handle = handle, Closer = closer, CloseStack = closeStack, CloseTime = time,
            Creator = creator, Type = type, WatchThread = watchThread, WatchSuspect = watchSuspect,
            WatchConfirmed = watchConfirmed,
        };
    }

    /// <summary>A close that matched nothing still becomes the value's last close.</summary>
    public void OnUnmatchedClose(ProcessState process, uint handle, int closer, int closeStack, long time, ushort type)
    {
        ref RecentClose last = ref Slot(process, handle);
        last = new RecentClose
        {
            Valid = true, Handle = handle, Closer = closer, CloseStack = closeStack, CloseTime = time,
            Creator = -1, Type = type, WatchThread = -1, WatchSuspect = -1,
        };
    }

    private int Stale(ProcessState process, uint handle, in RecentClose first, int createStack, int staleStack,
                      bool confirmed, long time, int creator, long createTime)
    {
        if (!_byStack.TryGetValue((process.Id, staleStack), out int index))
        {
            if (_suspects.Count >= MaxSuspectGroups) return -1;
            index = _suspects.Count;
            _suspects.Add(new SuspectGroup
            {
                Pid = process.Pid, ProcessName = process.DisplayName, Handle = handle,
                FirstCloseThread = first.Closer, FirstCloseStack = first.CloseStack, FirstCloseTime = first.CloseTime,
                CreateThread = creator, CreateStack = createStack, CreateTime = createTime, StaleCloseStack = staleStack, StaleCloseTime = time,
            });
            _byStack.Add((process.Id, staleStack), index);
        }
        SuspectGroup group = _suspects[index];
        if (confirmed)
        {
            group.Count++;
            group.Confidence = Math.Max(group.Confidence, 0.6);
        }
        else group.Tentative++;
        return index;
    }

    private void Crossed(int index, bool alreadyCounted, bool otherType, int stack, long time)
    {
        if (index < 0) return;
        SuspectGroup group = _suspects[index];
        if (!group.CrossedCloseSeen)
        {
            group.CrossedCloseStack = stack;
            group.CrossedCloseTime = time;
        }
        if (!alreadyCounted) group.Count++;
        group.Confidence = Math.Max(group.Confidence, otherType ? 0.95 : 0.9);
        group.CrossedCloseSeen = true;
    }
}

/// <summary>Stale closes with one stack in one process, with the first occurrence's four stacks.</summary>
public sealed class SuspectGroup
{
    public int Pid { get; init; }
    public string ProcessName { get; init; } = "";
    public uint Handle { get; init; }

    /// <summary>Occurrences reported: stale closes of the closer's own handle value, or followed by a crossed close.</summary>
    public int Count { get; internal set; }

    /// <summary>Occurrences that fit the pattern but were not confirmed.</summary>
    public int Tentative { get; internal set; }
    public double Confidence { get; internal set; }
    public int FirstCloseThread { get; init; }
    public int FirstCloseStack { get; init; }
    public long FirstCloseTime { get; init; }
    public int CreateThread { get; init; }
    public int CreateStack { get; init; }
    public long CreateTime { get; init; }
    public int StaleCloseStack { get; init; }
    public long StaleCloseTime { get; init; }
    public bool CrossedCloseSeen { get; internal set; }
    public int CrossedCloseStack { get; internal set; } = -1;
    public long CrossedCloseTime { get; internal set; }
}
