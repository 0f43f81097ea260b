using HandleEtw.Core.Events;

namespace HandleEtw.Windows.Recording;

/// <summary>What the stop-time .NET rundown has delivered so far, read by the stop sequence on another thread.</summary>
/// <param name="Events">Every rundown event seen: it stops growing when the runtimes are done.</param>
public readonly record struct RundownSnapshot(int Begun, int Completed, long Methods, long Modules, long Events,
    IReadOnlyList<int> Unfinished);

/// <summary>
/// Watches the decoded stream for the rundown each .NET runtime logs for itself when the rundown provider is enabled:
/// DCEndInit (it began), module and method DCEnd events, DCEndComplete (it is done). A runtime that answers both
/// steps begins and completes twice; it counts as done when its completions catch up with its beginnings.
/// </summary>
public sealed class ClrRundownProgress : TraceConsumer
{
    private readonly object _gate = new();
    private readonly Dictionary<int, int> _open = new(); // pid → rundowns begun and not yet completed
    private readonly HashSet<int> _seen = new();
    private long _methods, _modules, _events;

    public override void OnClrNote(in ClrNoteEvent e)
    {
        lock (_gate)
        {
            switch (e.Kind)
            {
                case ClrNoteKind.EndInit:
                    _seen.Add(e.ProcessId);
                    _open[e.ProcessId] = _open.GetValueOrDefault(e.ProcessId) + 1;
                    break;
                case ClrNoteKind.EndComplete:
                    _seen.Add(e.ProcessId);
                    if (_open.TryGetValue(e.ProcessId, out int n)) _open[e.ProcessId] = Math.Max(0, n - 1);
                    break;
                default:
                    return; // IL maps also come from JIT while the rundown runs: they say nothing of its progress
            }
            _events++;
        }
    }

    public override void OnMethod(in MethodEvent e)
    {
        if (e.Op != MethodOp.DCEnd) return;
        lock (_gate)
        {
            _methods++;
            _events++;
        }
    }

    public override void OnClrModule(in ClrModuleEvent e)
    {
        if (e.Op != ClrModuleOp.DCEnd) return;
        lock (_gate)
        {
            _modules++;
            _events++;
        }
    }

    /// <summary>A runtime that exits mid-rundown never completes: it is no longer waited for.</summary>
    public override void OnProcess(in ProcessEvent e)
    {
        if (e.Op != ProcessOp.Stop) return;
        lock (_gate) _open.Remove(e.ProcessId);
    }

    public RundownSnapshot Snapshot()
    {
        lock (_gate)
        {
            int[] unfinished = _open.Where(p => p.Value > 0).Select(p => p.Key).Order().ToArray();
            return new RundownSnapshot(_seen.Count, _seen.Count - unfinished.Length, _methods, _modules, _events, unfinished);
        }
    }
}
