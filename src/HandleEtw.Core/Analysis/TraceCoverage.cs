using System.Globalization;
using HandleEtw.Core.Events;
using HandleEtw.Core.Records;

namespace HandleEtw.Core.Analysis;

/// <summary>
/// What a trace holds for handle analysis: Object handle events at all, and stacks on them. A trace recorded
/// without the kernel Handle keyword has none, and every empty answer from it would read as an all-clear; the
/// commands check this and say so instead. Also keeps which processes the trace named, so a --process or --pid that
/// matches none is reported as such and not as "nothing found".
/// </summary>
/// <param name="info">The trace's header and damage counters: a damaged trace that yields no handle events is told
/// apart from one recorded without them.</param>
public sealed class TraceCoverage(TraceInfo? info = null) : TraceConsumer
{
    public const string HowToRecord =
        "record with `handleetw record` or `wpr -start profiles/handleetw.wprp`, which enable the kernel Handle " +
        "keyword (Object handle create/close/duplicate) and stacks on those events";

    private readonly HashSet<(int Pid, string Process)> _processes = new();
    private readonly HashSet<int> _handlePids = new();

    /// <summary>Pids already in <see cref="_handlePids"/>, direct-mapped: skips the set for the pids seen over and over
    /// (a long, so the empty mark is no pid).</summary>
    private readonly long[] _seenPids = EmptyPidMarks();

    /// <summary>Every Object handle event, rundowns included.</summary>
    public long HandleEvents { get; private set; }

    /// <summary>Create, close and duplicate events (not rundowns), and how many of them carry a stack.</summary>
    public long HandleOperations { get; private set; }
    public long HandleOperationsWithStacks { get; private set; }

    public bool NoHandleEvents => HandleEvents == 0;

    /// <summary>A plain loop: Enumerable.Repeat and Array.Fill over longs are compiled at start, not precompiled.</summary>
    private static long[] EmptyPidMarks()
    {
        var marks = new long[256];
        for (int i = 0; i < marks.Length; i++) marks[i] = long.MinValue;
        return marks;
    }

    /// <summary>GDI and USER handle events (Win32k provider), and how many carry a stack.</summary>
    public long GdiEvents { get; private set; }
    public long UserEvents { get; private set; }
    public long GuiEventsWithStacks { get; private set; }

    public override void OnGuiHandle(in GuiHandleEvent e)
    {
        if (e.Kind == HandleKind.Gdi) GdiEvents++;
        else UserEvents++;
        if (e.StackId >= 0) GuiEventsWithStacks++;
        _handlePids.Add(e.OwnerProcessId);
        _handlePids.Add(e.ProcessId);
    }

    /// <summary>Events of the kinds asked for (null: every kind).</summary>
    public long EventsOf(HandleKind? kind) => kind switch
    {
        HandleKind.Kernel => HandleEvents,
        HandleKind.Gdi => GdiEvents,
        HandleKind.User => UserEvents,
        _ => HandleEvents + GdiEvents + UserEvents,
    };

    public const string HowToRecordGui =
        "record with `handleetw record --gdi --user` (Windows 10 1903 or later) or `wpr -start profiles/handleetw-gui.wprp`, " +
        "which enable Microsoft-Windows-Win32k's GdiHandleOperation/UserHandleOperation keywords with stacks";

    /// <summary>The message for a trace without events of the asked kind, or null.</summary>
    public string? MissingEventsMessage(HandleKind? kind)
    {
        if (kind == HandleKind.Kernel) return MissingEventsMessage();
        if (EventsOf(kind) > 0) return null;
        string what = kind switch { HandleKind.Gdi => "GDI", HandleKind.User => "USER", _ => "Object, GDI or USER" };
        return $"this trace has no {what} handle events, so no {what} leak can be seen in it; " +
               (kind is null ? HowToRecord + "; " + HowToRecordGui : HowToRecordGui);
    }

    /// <summary>GDI/USER events without any stack (the provider was enabled without the stack option), or null.</summary>
    public string? MissingGuiStacksMessage(HandleKind? kind)
    {
        long events = kind switch { HandleKind.Gdi => GdiEvents, HandleKind.User => UserEvents, _ => GdiEvents + UserEvents };
        if (events == 0 || GuiEventsWithStacks > 0) return kind is null ? MissingStacksMessage() : null;
        return $"none of the {events.ToString("N0", CultureInfo.InvariantCulture)} GDI/USER handle events has a stack: " +
               "groups cannot be told apart by code path; " + HowToRecordGui;
    }

    /// <summary>For the kernel view of a trace that also has GDI/USER events: the one line that says how to see them.</summary>
    public string? OtherKindsNote(HandleKind? kind)
    {
        if (kind != HandleKind.Kernel || GdiEvents + UserEvents == 0) return null;
        return $"note: the trace also has {GdiEvents.ToString("N0", CultureInfo.InvariantCulture)} GDI and " +
               $"{UserEvents.ToString("N0", CultureInfo.InvariantCulture)} USER handle events: --kind gdi, user or all shows them";
    }
    public bool NoHandleStacks => HandleOperations > 0 && HandleOperationsWithStacks == 0;

    public override void OnHandle(in HandleEvent e)
    {
        HandleEvents++;
        NoteHandlePid(e.ProcessId);
        if (e.Op is HandleOp.RundownStart or HandleOp.RundownEnd) return;
        HandleOperations++;
        if (e.StackId >= 0) HandleOperationsWithStacks++;
    }

    /// <summary>No hints: nothing here misses the cache.</summary>
    public override void OnHandles(ReadOnlySpan<HandleEvent> events)
    {
        foreach (ref readonly HandleEvent e in events) OnHandle(e);
    }

    private void NoteHandlePid(int pid)
    {
        ref long seen = ref _seenPids[(pid >> 2) & (_seenPids.Length - 1)];
        if (seen == pid) return;
        _handlePids.Add(pid);
        seen = pid;
    }

    public override void OnProcess(in ProcessEvent e)
    {
        if (!string.IsNullOrEmpty(e.ImageFileName)) _processes.Add((e.ProcessId, e.ImageFileName));
    }

    /// <summary>True when some process of the trace passes the filter (always for an empty filter).</summary>
    public bool AnyProcessMatches(ProcessFilter filter) =>
        filter is { Pid: null, Name: null } || _processes.Any(p => filter.Matches(p.Pid, p.Process))
        || (filter is { Pid: int pid, Name: null } && _handlePids.Contains(pid));

    /// <summary>"no process matched --process nosuch", naming a few processes that are in the trace.</summary>
    public string NoProcessMessage(ProcessFilter filter)
    {
        string asked = filter.Name is null ? $"--pid {filter.Pid}" : filter.Pid is null ? $"--process {filter.Name}" : $"--process {filter.Name} --pid {filter.Pid}";
        var names = _processes.Select(p => p.Process).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.OrdinalIgnoreCase).ToList();
        string some = names.Count == 0 ? "the trace names no processes" :
            $"the trace has {names.Count} process names, e.g. {string.Join(", ", names.Take(5))}";
        return $"no process in the trace matched {asked} ({some})";
    }

    /// <summary>The loud message for a trace without handle events, or null when it has some.</summary>
    public string? MissingEventsMessage() => NoHandleEvents ? NoHandleEventsText(_lossy || info?.Lossy == true) : null;

    private bool _lossy;

    public override void OnLoss(in LossEvent e) => _lossy = true;

    /// <summary>
    /// The message for a trace without handle events. A lossy trace may have lost them to damage, so it is not
    /// blamed on the recording alone.
    /// </summary>
    public static string NoHandleEventsText(bool lossy) => lossy
        ? "no Object handle events could be read from this trace (it is damaged or lost events), so no leak or " +
          "misuse can be seen in it; if it was recorded without the kernel Handle keyword, " + HowToRecord
        : "this trace has no Object handle events (and so no handle stacks): it was recorded without the kernel " +
          "Handle keyword, and no leak or misuse can be seen in it; " + HowToRecord;

    /// <summary>The warning for handle events without any stack, or null.</summary>
    public string? MissingStacksMessage() => NoHandleStacks ? NoStacksMessage(HandleOperations) : null;

    public static string NoStacksMessage(long operations) =>
        $"none of the {operations.ToString("N0", CultureInfo.InvariantCulture)} handle create/close/duplicate events " +
        "has a stack: groups cannot be told apart by code path; " + HowToRecord;
}
