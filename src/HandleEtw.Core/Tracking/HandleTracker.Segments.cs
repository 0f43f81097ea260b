using HandleEtw.Core.Events;

namespace HandleEtw.Core.Tracking;

/// <summary>
/// Files of a sequence read as one timeline: the tables carry across files, and a later file's start rundown is
/// checked against them. A listed handle the table already holds (same object) keeps its create stack; one it lacks
/// was created where no file looked, and one it holds that its process's rundown no longer lists was closed there.
/// Either way events were missed, so the results are lossy.
/// </summary>
public sealed partial class HandleTracker
{
    /// <summary>Handle values each process's rundown listed since the current file began; null outside it.</summary>
    private Dictionary<ProcessState, HashSet<uint>>? _listedInRundown;

    public override void OnSegment(in TraceSegment segment)
    {
        LastTimestamp = Math.Max(LastTimestamp, segment.Timestamp);
        FinishReconciliation();
        Counters.Segments++;
        _listedInRundown = new Dictionary<ProcessState, HashSet<uint>>();
    }

    /// <summary>A rundown handle of a later file: noted for reconciliation; true when the table already has it.</summary>
    private bool ConfirmRundown(ProcessState process, in HandleEvent e)
    {
        if (_listedInRundown is not null)
        {
            if (!_listedInRundown.TryGetValue(process, out HashSet<uint>? listed))
                _listedInRundown[process] = listed = new HashSet<uint>();
            listed.Add(e.Handle);
        }
        int existing = process.Table.Find(e.Handle);
        if (existing >= 0 && _pool[existing].Object == e.Object)
        {
            Counters.RundownConfirmed++;
            return true;
        }
        if (_listedInRundown is not null) Counters.RundownMismatches++;
        return false;
    }

    /// <summary>The start rundown of a file is over (another kind of handle event, the next file or the end): handles
    /// still carried for a listed process but not listed were closed before this file began.</summary>
    private void FinishReconciliation()
    {
        if (_listedInRundown is null) return;
        foreach ((ProcessState process, HashSet<uint> listed) in _listedInRundown)
            foreach (int index in process.Table.Entries())
                if (!listed.Contains(_pool[index].Handle))
                {
                    Counters.RundownMismatches++;
                    Retire(process, index);
                }
        _listedInRundown = null;
    }
}
