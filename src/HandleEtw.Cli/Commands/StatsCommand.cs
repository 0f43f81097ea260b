using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using HandleEtw.Core.Records;
using HandleEtw.Etl.File;
using HandleEtw.Etl.Statistics;

namespace HandleEtw.Cli.Commands;

/// <summary>`handleetw stats FILE.etl [--json]`: trace metadata, buffers, events by kind, stacks and losses.</summary>
public static class StatsCommand
{
    public static Command Create()
    {
        var command = new Command("stats", "Trace metadata, buffers, events by kind, stacks, losses and live handle counts.");
        var file = new Argument<string>("file") { Description = "The .etl trace." };
        var json = new Option<bool>("--json") { Description = "Write one JSON object instead of text." };
        command.Arguments.Add(file);
        var modules = new Option<bool>("--modules") { Description = "List every loaded image per process with its PDB identity (guid, age, name) and load/unload times." };
        command.Options.Add(json);
        command.Options.Add(modules);
        command.SetGuardedAction((parseResult, context) =>
        {
            string path = parseResult.GetValue(file)!;
            if (!System.IO.File.Exists(path)) throw new UserErrorException($"{path}: no such file");
            using var source = EtlFileSource.Open(path);
            if (parseResult.GetValue(modules)) return StatsModules.Write(source, parseResult.GetValue(json), context);
            TraceStatisticsReport report = TraceStatistics.Collect(source);
            context.Out.Write(parseResult.GetValue(json) ? ToJson(report) : ToText(report));
            return ExitCodes.Ok;
        });
        return command;
    }

    public static string ToJson(TraceStatisticsReport report)
    {
        TraceInfo info = report.Info;
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("file", info.Source);
            w.WriteString("session", info.SessionName);
            w.WriteString("start_utc", Iso(info.StartUtc));
            w.WriteString("end_utc", Iso(info.EndUtc));
            w.WriteNumber("pointer_size", info.PointerSize);
            w.WriteNumber("cpus", info.Processors);
            w.WriteString("os_version", info.OsVersion.ToString());
            w.WriteNumber("os_build", info.OsBuild);
            w.WriteNumber("events", report.Events);
            if (report.EventsWithStacks is long stacks) w.WriteNumber("stacks", stacks);
            else w.WriteNull("stacks");
            w.WriteNumber("lost_events", info.EventsLost);
            w.WriteNumber("lost_buffers", info.BuffersLost);
            w.WriteNumber("buffers", info.Buffers);
            w.WriteNumber("compressed_buffers", info.CompressedBuffers);
            w.WriteNumber("damaged_buffers", info.DamagedBuffers);
            w.WriteNumber("damaged_bytes", info.DamagedBytes);
            w.WriteNumber("skipped_records", info.SkippedRecords);
            w.WriteStartObject("by_kind");
            foreach (var (kind, count) in report.ByKind) w.WriteNumber(kind, count);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray()) + Environment.NewLine;
    }

    public static string ToText(TraceStatisticsReport report)
    {
        TraceInfo info = report.Info;
        var text = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        text.AppendLine(c, $"file         {info.Source}");
        text.AppendLine(c, $"session      {info.SessionName}");
        text.AppendLine(c, $"time (UTC)   {Iso(info.StartUtc)} .. {Iso(info.EndUtc)}");
        text.AppendLine(c, $"machine      Windows {info.OsVersion} build {info.OsBuild}, {info.Processors} CPUs, {info.PointerSize * 8}-bit");
        text.AppendLine(c, $"buffers      {info.Buffers} ({info.CompressedBuffers} compressed, {info.DamagedBuffers} damaged, {info.DamagedBytes} bytes lost to damage)");
        text.AppendLine(c, $"events       {report.Events} ({info.SkippedRecords} records skipped)");
        text.AppendLine(c, $"stacks       {(report.EventsWithStacks is long s ? s.ToString(c) : "n/a (decoder not available)")}");
        text.AppendLine(c, $"lost         {info.EventsLost} events, {info.BuffersLost} buffers{(info.Lossy ? "  (results are incomplete)" : "")}");
        text.AppendLine("by kind:");
        int width = report.ByKind.Keys.Select(k => k.Length).DefaultIfEmpty(0).Max();
        foreach (var (kind, count) in report.ByKind)
            text.AppendLine(c, $"  {kind.PadRight(width)}  {count,10}");
        return text.ToString();
    }

    private static string Iso(DateTime utc) => utc == default ? "" : utc.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture);
}
