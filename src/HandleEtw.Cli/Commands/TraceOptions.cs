using System.CommandLine;
using System.Globalization;
using HandleEtw.Core.Analysis;
using HandleEtw.Core.Events;
using HandleEtw.Core.Records;
using HandleEtw.Core.Stacks;
using HandleEtw.Etl;
using HandleEtw.Etl.File;

namespace HandleEtw.Cli.Commands;

/// <summary>Options shared by the analysis verbs, and how they read a trace.</summary>
public static class TraceOptions
{
    public static Argument<string[]> Trace() => new("trace")
    {
        Description = "The .etl file to analyse; several files of one recording, or a folder of them, are read as one timeline.",
        Arity = ArgumentArity.OneOrMore,
    };
    public static Option<string?> Process() => new("--process") { Description = "Only this process (image name, e.g. lsass)." };
    public static Option<int?> Pid() => new("--pid") { Description = "Only this process id." };
    public static Option<bool> Json() => new("--json") { Description = "Write JSON instead of text." };
    public static Option<string?> Time(string name, string description) => new(name) { Description = description };

    public static ProcessFilter Filter(string? process, int? pid) => new(pid, string.IsNullOrWhiteSpace(process) ? null : process);

    /// <summary>Seconds from trace start ("12.5") or an ISO-8601 UTC instant, as a raw timestamp of this trace.</summary>
    public static long? ParseTime(string? text, TraceInfo info, string option)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds))
        {
            if (seconds < 0 || double.IsNaN(seconds) || double.IsInfinity(seconds))
                throw new UserErrorException($"{option} {text}: seconds from trace start must be zero or more");
            return info.FromRelativeSeconds(seconds);
        }
        if (DateTime.TryParse(text, CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out DateTime utc))
            return info.FromUtc(utc);
        throw new UserErrorException($"{option} {text}: expected seconds from trace start or an ISO-8601 UTC time");
    }

    /// <summary>A handle value: 0x-prefixed hex or decimal.</summary>
    public static uint ParseHandle(string text)
    {
        bool ok = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? uint.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out uint value)
            : uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
        if (!ok) throw new UserErrorException($"--handle {text}: expected a handle value such as 0x1a4");
        return value;
    }

    /// <summary>One line per gap between files of a sequence (stderr, so --json output stays one document).</summary>
    public static void WriteGaps(TraceInfo info, TextWriter error)
    {
        foreach (TraceGap gap in info.Gaps)
            error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"lossy interval: {Seconds(info, gap.FromTimestamp):0.###} s .. {Seconds(info, gap.ToTimestamp):0.###} s, " +
                $"no file covers the time between {gap.Before} and {gap.After}"));
    }

    private static double Seconds(TraceInfo info, long timestamp) => info.ToRelativeTicks(timestamp) / 1e7;

    /// <summary>Runs the analysis consumer plus a module map over the trace; returns what frames need.</summary>
    public static StackContext Run(TraceInput input, TraceConsumer analysis)
    {
        var modules = new ModuleMap(input.Info.PointerSize) { Symbolizer = input.Symbolizer };
        StackTable stacks = input.Run(new CompositeConsumer(modules, analysis));
        return new StackContext(stacks, modules);
    }
}

/// <summary>A trace ready to be replayed into a consumer: an .etl file, or events built by tests.</summary>
public sealed class TraceInput(TraceInfo info, Func<TraceConsumer, StackTable> run)
{
    public TraceInfo Info { get; } = info;

    public StackTable Run(TraceConsumer consumer) => run(consumer);

    /// <summary>Resolves frames to `module!Function+0xOFFSET` when set (--symbols); null keeps `module+0xOFFSET`.</summary>
    public IFrameSymbolizer? Symbolizer { get; set; }

    public static TraceInput OpenFile(string path) => Open([path]);

    /// <summary>One .etl file, or several (files and folders of them) read as one timeline in time order.</summary>
    public static TraceInput Open(IReadOnlyList<string> paths)
    {
        IRecordSource source = EtlSequenceSource.OpenAll(TraceFiles.Expand(paths));
        return new TraceInput(source.Info, consumer =>
        {
            using (source) return TracePipeline.Run(source, consumer).Stacks;
        });
    }
}
