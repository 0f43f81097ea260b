using System.Globalization;

namespace HandleEtw.Core.Analysis;

/// <summary>Human-readable forms of the reports, in `!htrace`'s shape where it has one.</summary>
public static class TextReports
{
    public const string LossyBanner =
        "WARNING: this trace lost events or has damaged buffers; counts and pairings below may be incomplete.";

    private static string Seconds(double s) => s.ToString("0.000000", CultureInfo.InvariantCulture) + "s";

    private static void Frames(TextWriter w, IReadOnlyList<string>? frames, string indent = "    ")
    {
        if (frames is null || frames.Count == 0) { w.WriteLine(indent + "(no stack)"); return; }
        foreach (string f in frames) w.WriteLine(indent + f);
    }

    /// <summary>
    /// Group by group, largest first: the create stack once, then its handles in `!htrace -diff`'s shape (the stack
    /// they share is not repeated). <paramref name="limits"/> caps the groups and the handles listed per group.
    /// </summary>
    public static void Diff(TextWriter w, DiffReport r, DiffLimits? limits = null)
    {
        limits ??= DiffLimits.All;
        if (r.Lossy) w.WriteLine(LossyBanner);
        w.WriteLine($"Handles opened after {Seconds(r.From)} and still open at {Seconds(r.To)}: {r.Handles.Count} in {Plural(r.Groups.Count, "group")}");
        w.WriteLine();
        var byGroup = r.HandlesByGroup();
        foreach (DiffGroup g in r.Groups.Take(limits.Groups))
        {
            w.WriteLine($"{g.Count} x {Label(g.HandleKind, g.Type)} in {g.Process} (pid {g.Pid}), opened from:");
            Frames(w, g.Stack);
            DiffHandles(w, byGroup[DiffReport.GroupKey(g)].ToList(), limits.HandlesPerGroup);
            w.WriteLine();
        }
        int hidden = r.Groups.Count - Math.Min(limits.Groups, r.Groups.Count);
        if (hidden == 0) return;
        int hiddenHandles = r.Groups.Skip(limits.Groups).Sum(g => g.Count);
        w.WriteLine($"{Plural(hidden, "more group")} ({Plural(hiddenHandles, "handle")}) not shown: --top N shows N groups, --all shows every group and handle.");
    }

    private static void DiffHandles(TextWriter w, IReadOnlyList<DiffHandle> handles, int cap)
    {
        w.WriteLine("--------------------------------------");
        foreach (DiffHandle h in handles.Take(cap))
        {
            w.WriteLine($"Handle = 0x{h.Handle:x8} - OPEN");
            w.WriteLine($"Thread ID = 0x{h.Tid:x8}, Process ID = 0x{h.Pid:x8}");
            w.WriteLine($"Type = {Label(h.HandleKind, h.Type)}{(h.Name is null ? "" : ", Name = " + h.Name)}, Time = {Seconds(h.Time)}");
            if (h.Origin != "created") w.WriteLine($"Origin = {h.Origin} from pid {h.OriginPid} handle 0x{h.OriginHandle:x}");
            w.WriteLine("--------------------------------------");
        }
        if (handles.Count > cap) w.WriteLine($"{Plural(handles.Count - cap, "more handle")} (--per-group N or --all lists them)");
    }

    /// <summary>A type as the text shows it: kernel types bare (Event), GDI and USER ones with their kind (GDI Font).</summary>
    private static string Label(string kind, string type) => kind switch
    {
        "gdi" => "GDI " + type,
        "user" => "USER " + type,
        _ => type,
    };

    private static string Plural(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";

    public static void Leaks(TextWriter w, LeakReport r)
    {
        if (r.Lossy) w.WriteLine(LossyBanner);
        if (r.Leaks.Count == 0 && r.Flat.Count == 0) { w.WriteLine("No handles open at the end of the trace."); return; }
        if (r.Leaks.Count == 0) w.WriteLine("No growing group: nothing here looks like a leak.");
        int rank = 1;
        foreach (LeakEntry l in r.Leaks)
        {
            string rate = l.PerMinute.ToString("0.##", CultureInfo.InvariantCulture);
            w.WriteLine($"#{rank++} {l.Process} (pid {l.Pid}) {Label(l.HandleKind, l.Type)}: {l.Outstanding} outstanding of {l.Created} opened, " +
                        $"+{rate}/min, opened {Seconds(l.FirstOpen)} to {Seconds(l.LastOpen)}");
            Frames(w, l.Stack);
            w.WriteLine();
        }
        if (r.Flat.Count == 0) return;
        w.WriteLine("Held, not growing (not ranked as leaks):");
        w.WriteLine("  " + LeakAnalysis.Rule);
        w.WriteLine();
        foreach (LeakEntry l in r.Flat)
        {
            w.WriteLine($"- {l.Process} (pid {l.Pid}) {Label(l.HandleKind, l.Type)}: {l.Outstanding} outstanding of {l.Created} opened, " +
                        $"opened {Seconds(l.FirstOpen)} to {Seconds(l.LastOpen)}; {l.Reason}");
            Frames(w, l.Stack);
            w.WriteLine();
        }
    }

    public static void History(TextWriter w, HistoryReport r)
    {
        if (r.Lossy) w.WriteLine(LossyBanner);
        w.WriteLine($"History of handle 0x{r.Handle:x} in pid {r.Pid} ({r.Entries.Count} events, newest first)");
        w.WriteLine("--------------------------------------");
        foreach (HistoryEntry e in r.Entries)
        {
            string role = e.Role is null ? "" : $" [{e.Role}]";
            w.WriteLine($"Handle = 0x{r.Handle:x8} - {e.Kind}{role}{(e.Detail is null ? "" : " (" + e.Detail + ")")}");
            w.WriteLine($"Thread ID = 0x{e.Tid:x8}, Process ID = 0x{e.ActorPid:x8}, Time = {Seconds(e.Time)}");
            w.WriteLine($"{(e.HandleKind == "kernel" ? "Object" : "Value")} = 0x{e.Object:x}, Type = {Label(e.HandleKind, e.Type)}");
            w.WriteLine();
            Frames(w, e.Stack);
            w.WriteLine("--------------------------------------");
        }
    }

    public static void Misuse(TextWriter w, MisuseReport r)
    {
        if (r.Lossy) w.WriteLine(LossyBanner);
        if (r.Suspects.Count == 0) { w.WriteLine("No double-close suspects."); return; }
        foreach (MisuseSuspect s in r.Suspects)
        {
            w.WriteLine($"{s.Process} (pid {s.Pid}) handle 0x{s.Handle:x}: {s.Count} stale close(s), " +
                        $"confidence {s.Confidence.ToString("0.00", CultureInfo.InvariantCulture)}");
            w.WriteLine($"  first close by thread 0x{s.StaleThread:x}:");
            Frames(w, s.Stacks.FirstClose, "      ");
            w.WriteLine($"  reopened by thread 0x{s.CreateThread:x}:");
            Frames(w, s.Stacks.Create, "      ");
            w.WriteLine($"  stale close by thread 0x{s.StaleThread:x} (closed the other thread's handle):");
            Frames(w, s.Stacks.StaleClose, "      ");
            if (s.Stacks.CrossedClose is { } crossed)
            {
                w.WriteLine($"  crossed close by thread 0x{s.CreateThread:x} (closed a handle it did not open):");
                Frames(w, crossed, "      ");
            }
            w.WriteLine();
        }
    }
}
