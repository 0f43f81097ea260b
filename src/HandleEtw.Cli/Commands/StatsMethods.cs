using System.Globalization;
using HandleEtw.Core.Analysis;
using HandleEtw.Core.Events;
using HandleEtw.Core.Json;
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

    private static string ToJson(ManagedMethodMap map, ProcessNames names, TraceInfo info)
    {
        ManagedMethodCounters c = map.Counters;
        var processes = map.Processes.Select(pid =>
        {
            List<MethodRange> ranges = map.Methods(pid).ToList();
            return new MethodProcessJson(pid, names.ByPid.GetValueOrDefault(pid, ""), ranges.Count, map.LoadsOf(pid),
                ranges.Select(r => new MethodRangeJson(new Hex(r.Start), r.Size, r.Namespace, r.Name, r.Signature,
                    map.ModuleName(r, r.Loaded), new Hex(r.MethodId), r.Flags, r.ReJitId, r.Source.ToString().ToLowerInvariant(),
                    Time(r.Loaded, info), Time(r.Unloaded, info))).ToList());
        }).ToList();
        var document = new MethodsJson(info.Lossy, DamageJson.Of(info), c.Loads, c.Unloads, c.RundownStarts, c.RundownEnds,
            c.ReadyToRunEntryPoints, c.ILToNativeMaps, c.EndRundownsBegun, c.EndRundownsCompleted, c.NotKept, processes);
        return JsonContract.Write(document) + Environment.NewLine;
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

    private static double? Time(long timestamp, TraceInfo info) =>
        timestamp is long.MinValue or long.MaxValue ? null : Math.Round(info.ToRelativeTicks(timestamp) / 1e7, 7);

    private static string Seconds(long timestamp, TraceInfo info) => timestamp is long.MinValue or long.MaxValue ? "-"
        : (info.ToRelativeTicks(timestamp) / 1e7).ToString("F3", CultureInfo.InvariantCulture);
}
