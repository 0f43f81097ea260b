using System.Globalization;
using System.Text.Json;
using HandleEtw.Core.Analysis;
using HandleEtw.Core.Events;
using HandleEtw.Core.Records;
using HandleEtw.Core.Stacks;
using HandleEtw.Etl;

namespace HandleEtw.Cli.Commands;

/// <summary>`handleetw stats --methods`: the .NET methods whose native code ranges the trace shows, per process.</summary>
public static class StatsMethods
{
    public static int Write(IRecordSource source, bool json, CommandContext context)
    {
        var methods = new ManagedMethodMap();
        var names = new ProcessNames();
        TracePipeline.Run(source, new CompositeConsumer(methods, names));
        context.Out.Write(json ? ToJson(methods, names, source.Info) : ToText(methods, names, source.Info));
        return ExitCodes.Ok;
    }

    private sealed class ProcessNames : TraceConsumer
    {
        public Dictionary<int, string> ByPid { get; } = new();
        public override void OnProcess(in ProcessEvent e) => ByPid.TryAdd(e.ProcessId, e.ImageFileName ?? "");
    }

    private static string ToJson(ManagedMethodMap map, ProcessNames names, TraceInfo info) => JsonOutput.Write(w =>
    {
        ManagedMethodCounters c = map.Counters;
        w.WriteStartObject();
        w.WriteNumber("method_loads", c.Loads);
        w.WriteNumber("method_unloads", c.Unloads);
        w.WriteNumber("rundown_start_methods", c.RundownStarts);
        w.WriteNumber("rundown_end_methods", c.RundownEnds);
        w.WriteNumber("r2r_entry_points", c.ReadyToRunEntryPoints);
        w.WriteNumber("il_to_native_maps", c.ILToNativeMaps);
        w.WriteNumber("end_rundowns_begun", c.EndRundownsBegun);
        w.WriteNumber("end_rundowns_completed", c.EndRundownsCompleted);
        w.WriteNumber("ranges_not_kept", c.NotKept);
        w.WriteStartArray("processes");
        foreach (int pid in map.Processes)
        {
            List<MethodRange> ranges = map.Methods(pid).ToList();
            w.WriteStartObject();
            w.WriteNumber("pid", pid);
            w.WriteString("process", names.ByPid.GetValueOrDefault(pid, ""));
            w.WriteNumber("methods", ranges.Count);
            w.WriteNumber("loaded", map.LoadsOf(pid));
            w.WriteStartArray("ranges");
            foreach (MethodRange r in ranges) WriteRange(w, map, r, info);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }) + Environment.NewLine;

    private static void WriteRange(Utf8JsonWriter w, ManagedMethodMap map, MethodRange r, TraceInfo info)
    {
        w.WriteStartObject();
        w.WriteNumber("start", r.Start);
        w.WriteNumber("size", r.Size);
        w.WriteString("namespace", r.Namespace);
        w.WriteString("name", r.Name);
        w.WriteString("signature", r.Signature);
        w.WriteString("module", map.ModuleName(r, r.Loaded));
        w.WriteNumber("method_id", r.MethodId);
        w.WriteNumber("flags", r.Flags);
        w.WriteNumber("rejit_id", r.ReJitId);
        w.WriteString("source", r.Source.ToString().ToLowerInvariant());
        WriteTime(w, "load_time", r.Loaded, info);
        WriteTime(w, "unload_time", r.Unloaded, info);
        w.WriteEndObject();
    }

    private static string ToText(ManagedMethodMap map, ProcessNames names, TraceInfo info)
    {
        var text = new System.Text.StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        ManagedMethodCounters c = map.Counters;
        text.AppendLine(FormattableString.Invariant($".NET method events: {c.Loads} loads, {c.Unloads} unloads, {c.RundownStarts} + {c.RundownEnds} rundown (start + end), ") +
            FormattableString.Invariant($"{c.ReadyToRunEntryPoints} R2R entry points, {c.ILToNativeMaps} IL maps; end rundowns {c.EndRundownsCompleted} of {c.EndRundownsBegun} completed") +
            (c.NotKept > 0 ? FormattableString.Invariant($"; {c.NotKept} ranges over the limit not kept") : ""));
        foreach (int pid in map.Processes)
        {
            List<MethodRange> ranges = map.Methods(pid).ToList();
            text.AppendLine(inv, $"pid {pid} ({names.ByPid.GetValueOrDefault(pid, "?")}): {ranges.Count} methods, {map.LoadsOf(pid)} loaded during the trace");
            text.AppendLine(inv, $"  {"START",18}  {"SIZE",8}  {"LOADED s",9}  {"UNLOADED s",10}  REJIT  METHOD");
            foreach (MethodRange r in ranges)
                text.AppendLine(FormattableString.Invariant($"  0x{r.Start:x16}  0x{r.Size:x6}  {Seconds(r.Loaded, info),9}  {Seconds(r.Unloaded, info),10}  {r.ReJitId,5}  ") +
                    FormattableString.Invariant($"{map.ModuleName(r, r.Loaded)}!{r.FullName} {r.Signature}"));
        }
        return text.ToString();
    }

    private static void WriteTime(Utf8JsonWriter w, string name, long timestamp, TraceInfo info)
    {
        if (timestamp is long.MinValue or long.MaxValue) w.WriteNull(name);
        else w.WriteNumber(name, Math.Round(info.ToRelativeTicks(timestamp) / 1e7, 7));
    }

    private static string Seconds(long timestamp, TraceInfo info) => timestamp is long.MinValue or long.MaxValue ? "-"
        : (info.ToRelativeTicks(timestamp) / 1e7).ToString("F3", CultureInfo.InvariantCulture);
}
