using System.Text.Json;

namespace HandleEtw.Core.Analysis;

/// <summary>The JSON contract of diff, leaks, history and misuse: handle values as integers, times as seconds from
/// trace start, frames as `module+0xOFFSET` strings.</summary>
public static class JsonReports
{
    private static void Stack(Utf8JsonWriter w, string name, IReadOnlyList<string>? frames)
    {
        if (frames is null) { w.WriteNull(name); return; }
        w.WriteStartArray(name);
        foreach (string f in frames) w.WriteStringValue(f);
        w.WriteEndArray();
    }

    public static string Diff(DiffReport r) => JsonOutput.Write(w =>
    {
        w.WriteStartObject();
        w.WriteNumber("from", r.From);
        w.WriteNumber("to", r.To);
        w.WriteBoolean("lossy", r.Lossy);
        w.WriteStartArray("handles");
        foreach (DiffHandle h in r.Handles)
        {
            w.WriteStartObject();
            w.WriteNumber("pid", h.Pid);
            w.WriteNumber("tid", h.Tid);
            w.WriteNumber("handle", h.Handle);
            w.WriteString("type", h.Type);
            w.WriteString("name", h.Name);
            w.WriteNumber("time", h.Time);
            Stack(w, "stack", h.Stack);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("groups");
        foreach (DiffGroup g in r.Groups)
        {
            w.WriteStartObject();
            w.WriteNumber("pid", g.Pid);
            w.WriteString("process", g.Process);
            w.WriteString("type", g.Type);
            w.WriteNumber("count", g.Count);
            Stack(w, "stack", g.Stack);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    });

    public static string Leaks(LeakReport r) => JsonOutput.Write(w =>
    {
        w.WriteStartObject();
        w.WriteBoolean("lossy", r.Lossy);
        w.WriteStartArray("leaks");
        foreach (LeakEntry l in r.Leaks)
        {
            w.WriteStartObject();
            w.WriteNumber("pid", l.Pid);
            w.WriteString("process", l.Process);
            w.WriteString("type", l.Type);
            w.WriteNumber("outstanding", l.Outstanding);
            w.WriteNumber("per_minute", l.PerMinute);
            Stack(w, "stack", l.Stack);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    });

    public static string History(HistoryReport r) => JsonOutput.Write(w =>
    {
        w.WriteStartObject();
        w.WriteNumber("pid", r.Pid);
        w.WriteNumber("handle", r.Handle);
        w.WriteBoolean("lossy", r.Lossy);
        w.WriteStartArray("entries");
        foreach (HistoryEntry e in r.Entries)
        {
            w.WriteStartObject();
            w.WriteString("kind", e.Kind);
            w.WriteNumber("time", e.Time);
            w.WriteNumber("tid", e.Tid);
            w.WriteNumber("object", e.Object);
            w.WriteString("type", e.Type);
            Stack(w, "stack", e.Stack);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    });

    public static string Misuse(MisuseReport r) => JsonOutput.Write(w =>
    {
        w.WriteStartObject();
        w.WriteBoolean("lossy", r.Lossy);
        w.WriteStartArray("suspects");
        foreach (MisuseSuspect s in r.Suspects)
        {
            w.WriteStartObject();
            w.WriteNumber("pid", s.Pid);
            w.WriteNumber("handle", s.Handle);
            w.WriteNumber("count", s.Count);
            w.WriteNumber("confidence", s.Confidence);
            w.WriteStartObject("stacks");
            Stack(w, "first_close", s.Stacks.FirstClose);
            Stack(w, "create", s.Stacks.Create);
            Stack(w, "stale_close", s.Stacks.StaleClose);
            Stack(w, "crossed_close", s.Stacks.CrossedClose);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    });
}
