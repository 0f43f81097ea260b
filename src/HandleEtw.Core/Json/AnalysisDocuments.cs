using HandleEtw.Core.Analysis;
using HandleEtw.Core.Records;

namespace HandleEtw.Core.Json;

// The JSON documents of diff, leaks, history and misuse. Times are seconds from trace start; frames are strings as
// the text output prints them; pids, tids, handle values and counts are numbers; object addresses are Hex strings.

public sealed record DiffJson(bool Lossy, DamageJson Damage, double From, double To,
                              IReadOnlyList<DiffHandleJson> Handles, IReadOnlyList<DiffGroupJson> Groups)
    : TraceDocument(Lossy, Damage)
{
    public static DiffJson Of(DiffReport r, TraceInfo info) => new(r.Lossy, DamageJson.Of(info), r.From, r.To,
        r.Handles.Select(h => new DiffHandleJson(h.Pid, h.Process, h.Tid, h.Handle, new Hex(h.Object), h.Type, h.Name, h.Time,
            h.Origin, h.Stack) { HandleKind = h.HandleKind }).ToList(),
        r.Groups.Select(g => new DiffGroupJson(g.Pid, g.Process, g.Type, g.Count, g.Stack) { HandleKind = g.HandleKind }).ToList());
}

/// <param name="Origin">`created`, `duplicated` or `inherited` (opened at the parent's inheritance duplicate).</param>
/// <param name="Object">Kernel handles: the object's address; GDI/USER: the full handle value.</param>
public sealed record DiffHandleJson(int Pid, string Process, int Tid, uint Handle, Hex Object, string Type, string? Name, double Time,
                                    string Origin, IReadOnlyList<string> Stack)
{
    /// <summary>`kernel`, `gdi` or `user`.</summary>
    public string HandleKind { get; init; } = "kernel";
}

public sealed record DiffGroupJson(int Pid, string Process, string Type, int Count, IReadOnlyList<string> Stack)
{
    public string HandleKind { get; init; } = "kernel";
}

/// <summary>Leaks: the growing groups in rank order; Flat: groups that hold handles without growing (GrowthRule).</summary>
public sealed record LeaksJson(bool Lossy, DamageJson Damage, IReadOnlyList<LeakJson> Leaks, IReadOnlyList<LeakJson> Flat)
    : TraceDocument(Lossy, Damage)
{
    public static LeaksJson Of(LeakReport r, TraceInfo info) =>
        new(r.Lossy, DamageJson.Of(info), r.Leaks.Select(LeakJson.Of).ToList(), r.Flat.Select(LeakJson.Of).ToList());
}

/// <param name="Opened">Handles this group's stack opened in the trace; <paramref name="Outstanding"/> of them are still open.</param>
/// <param name="FirstOpen">Open time of the oldest handle still open (seconds); <paramref name="LastOpen"/> of the newest.</param>
/// <param name="Reason">Why the group is growing or flat, one of the GrowthRule sentences.</param>
/// <param name="Origin">The origin its open handles share (`created`, `duplicated`, `rundown`, `inherited`) or `mixed`.</param>
public sealed record LeakJson(int Pid, string Process, string Type, int Outstanding, int Opened, double PerMinute,
                              bool Growing, double FirstOpen, double LastOpen, string Reason, string Origin,
                              IReadOnlyList<string> Stack)
{
    /// <summary>`kernel`, `gdi` or `user`.</summary>
    public string HandleKind { get; init; } = "kernel";

    public static LeakJson Of(LeakEntry l) => new(l.Pid, l.Process, l.Type, l.Outstanding, l.Created, l.PerMinute, l.Growing,
        l.FirstOpen, l.LastOpen, l.Reason, l.Origin, l.Stack) { HandleKind = l.HandleKind };
}

public sealed record HistoryJson(bool Lossy, DamageJson Damage, int Pid, uint Handle, IReadOnlyList<HistoryEntryJson> Entries)
    : TraceDocument(Lossy, Damage)
{
    public static HistoryJson Of(HistoryReport r, TraceInfo info) => new(r.Lossy, DamageJson.Of(info), r.Pid, r.Handle,
        r.Entries.Select(e => new HistoryEntryJson(e.Kind, e.Role, e.Time, e.Tid, e.ActorPid, new Hex(e.Object), e.Type, e.Detail, e.Stack)
            { HandleKind = e.HandleKind }).ToList());
}

/// <param name="Role">How a DUPLICATE or CLOSE involves the value: `source`, `target`, `inherit` (the parent's
/// inheritance duplicate), `close_source` (closed by DUPLICATE_CLOSE_SOURCE); null for plain opens and closes.</param>
/// <param name="Pid">The process that logged the event (the owner, or the other side of a duplicate).</param>
public sealed record HistoryEntryJson(string Kind, string? Role, double Time, int Tid, int Pid, Hex Object, string Type, string? Detail,
                                      IReadOnlyList<string> Stack)
{
    public string HandleKind { get; init; } = "kernel";
}

public sealed record MisuseJson(bool Lossy, DamageJson Damage, IReadOnlyList<MisuseSuspectJson> Suspects)
    : TraceDocument(Lossy, Damage)
{
    public static MisuseJson Of(MisuseReport r, TraceInfo info) =>
        new(r.Lossy, DamageJson.Of(info), r.Suspects.Select(MisuseSuspectJson.Of).ToList());
}

/// <summary>One double-close story: the first close, the reopen by another thread, the stale close by the first thread,
/// and the other thread's crossed close of a handle it did not open (null when not seen).</summary>
public sealed record MisuseSuspectJson(int Pid, string Process, uint Handle, int Count, double Confidence,
                                       MisuseEventJson FirstClose, MisuseEventJson Create, MisuseEventJson StaleClose,
                                       MisuseEventJson? CrossedClose)
{
    public static MisuseSuspectJson Of(MisuseSuspect s) => new(s.Pid, s.Process, s.Handle, s.Count, s.Confidence,
        new MisuseEventJson(s.StaleThread, s.Times.FirstClose, s.Stacks.FirstClose),
        new MisuseEventJson(s.CreateThread, s.Times.Create, s.Stacks.Create),
        new MisuseEventJson(s.StaleThread, s.Times.StaleClose, s.Stacks.StaleClose),
        s.Stacks.CrossedClose is { } crossed && s.Times.CrossedClose is double at
            ? new MisuseEventJson(s.CreateThread, at, crossed) : null);
}

public sealed record MisuseEventJson(int Tid, double Time, IReadOnlyList<string> Stack);
