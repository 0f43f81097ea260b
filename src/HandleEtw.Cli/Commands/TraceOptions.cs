using System.CommandLine;
using System.Globalization;
using HandleEtw.Core.Analysis;
using HandleEtw.Core.Events;
using HandleEtw.Core.Records;
using HandleEtw.Core.Stacks;
using HandleEtw.Etl;
using HandleEtw.Etl.File;
using HandleEtw.Cli.Progress;

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
    public static Option<int?> Pid(string description = "Only this process id (decimal, or hex with 0x: 0x1092).") => new("--pid")
    {
        Description = description,
        CustomParser = result => ParsePid(result.Tokens[0].Value, result),
    };

    /// <summary>--kind kernel|gdi|user|all: which handle tables an analysis looks at. <see cref="KindOf"/> reads it
    /// (null: all of them).</summary>
    public static Option<string> Kind() => new("--kind")
    {
        Description = "Which handles: kernel (Object Manager, the default), gdi or user (Win32k objects), or all.",
        DefaultValueFactory = _ => "kernel",
        CustomParser = result =>
        {
            string text = result.Tokens[0].Value;
            if (text != "all" && !HandleKinds.TryParse(text, out _)) result.AddError($"--kind {text}: expected kernel, gdi, user or all");
            return text;
        },
    };

    public static HandleKind? KindOf(string? text) => text == "all" ? null : HandleKinds.TryParse(text ?? "kernel", out HandleKind k) ? k : HandleKind.Kernel;

    public static Option<bool> Json() => new("--json") { Description = "Write JSON instead of text." };
    public static Option<bool> Quiet() => new("--quiet", "-q") { Description = "No progress line on stderr (it is shown only on a terminal, and never with --json)." };

    /// <summary>The progress display for this command's reads; null unless stderr is a terminal without --json/--quiet.</summary>
    public static TraceProgress? Progress(ParseResult p, CommandContext context, Option<bool> json, Option<bool> quiet) =>
        TraceProgress.For(context.Error, p.GetValue(json), p.GetValue(quiet));
    public static Option<string?> Time(string name, string description) => new(name) { Description = description };

    /// <summary>A count option such as --top: a whole number of at least 1, with a one-line error otherwise.</summary>
    public static Option<int> Count(string name, string description, int defaultValue) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result =>
        {
            string text = result.Tokens[0].Value;
            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= 1) return n;
            result.AddError($"{name} {text}: expected a whole number of at least 1");
            return defaultValue;
        },
    };

    public static ProcessFilter Filter(string? process, int? pid) => new(pid, string.IsNullOrWhiteSpace(process) ? null : process);

    /// <summary>A process id: decimal, or hex with 0x (as `!htrace` prints it: Process ID = 0x00001092).</summary>
    private static int ParsePid(string text, System.CommandLine.Parsing.ArgumentResult result)
    {
        bool ok = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? int.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int pid)
            : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out pid);
        if (!ok || pid < 0) result.AddError($"--pid {text}: expected a process id, decimal (4242) or hex (0x1092)");
        return pid;
    }

    /// <summary>
    /// --from/--to as a raw timestamp of this trace: seconds with an optional unit from the trace start, or an
    /// ISO-8601 date and time (<see cref="TimeText"/>). A time outside the trace's span is an error naming the span.
    /// </summary>
    public static long? ParseTime(string? text, TraceInfo info, string option)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        TracePoint point = TimeText.TryParsePoint(text, out string? error)
            ?? throw new UserErrorException($"{option} {text}: {error}");
        TraceSpan span = TraceSpan.Of(info, null);
        DateTime at = point.Utc ?? span.StartUtc + point.Offset!.Value;
        if (at < span.StartUtc || (span.EndKnown && at > span.EndUtc))
            throw new UserErrorException($"{option} {text}: outside the trace, which spans {span.Describe()}");
        return point.Utc is DateTime utc ? info.FromUtc(utc) : info.FromRelativeSeconds(point.Offset!.Value.TotalSeconds);
    }

    public const string HandleHelp = "Handle value in hex, as WinDbg reads it (!htrace 7cc): 7cc or 0x7cc; 0n1996 for decimal.";

    /// <summary>A handle value read as WinDbg does: hex with or without 0x; 0n for decimal.</summary>
    public static uint ParseHandle(string text)
    {
        string t = text.Trim();
        bool ok = t.StartsWith("0n", StringComparison.OrdinalIgnoreCase)
            ? uint.TryParse(t.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out uint value)
            : uint.TryParse(t.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? t.AsSpan(2) : t,
                NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
        if (!ok) throw new UserErrorException($"--handle {text}: expected a hex handle value such as 7cc or 0x7cc");
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

    /// <summary>
    /// After the run, before any answer is printed: a trace without Object handle events, or a filter that matched no
    /// process, must not read as "nothing found".
    /// </summary>
    public static void RequireHandleEvents(TraceCoverage coverage, ProcessFilter filter, HandleKind? kind = HandleKind.Kernel)
    {
        if (coverage.MissingEventsMessage(kind) is { } none) throw new UserErrorException(none, ExitCodes.NoHandleEvents);
        if (!coverage.AnyProcessMatches(filter)) throw new UserErrorException(coverage.NoProcessMessage(filter), ExitCodes.NoProcessMatched);
    }

    /// <summary>Warnings about what the trace lacks (stacks on handle events), on stderr; for the default kernel
    /// view of a trace with GDI/USER events, the line that says how to see those.</summary>
    public static void WarnCoverage(TraceCoverage coverage, TextWriter error, HandleKind? kind = HandleKind.Kernel,
                                    bool kindNote = false)
    {
        string? missing = kind == HandleKind.Kernel ? coverage.MissingStacksMessage() : coverage.MissingGuiStacksMessage(kind);
        if (missing is not null) error.WriteLine("warning: " + missing);
        if (kindNote && coverage.OtherKindsNote(kind) is { } note) error.WriteLine(note);
    }

    /// <summary>Runs the analysis consumer plus a module map over the trace; returns what frames need.</summary>
    public static StackContext Run(TraceInput input, TraceConsumer analysis)
    {
        var modules = new ModuleMap(input.Info.PointerSize) { Symbolizer = input.Symbolizer };
        StackTable stacks = input.Run(new CompositeConsumer(modules, input.Coverage, analysis));
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

    /// <summary>What the last run found in the trace (handle events, stacks, process names).</summary>
    public TraceCoverage Coverage { get; } = new(info);

    public static TraceInput OpenFile(string path) => Open([path]);

    /// <summary>One .etl file, or several (files and folders of them) read as one timeline in time order.</summary>
    /// <param name="progress">Shows the read's progress on stderr (null: silent).</param>
    public static TraceInput Open(IReadOnlyList<string> paths, TraceProgress? progress = null)
    {
        IRecordSource source = EtlSequenceSource.OpenAll(TraceFiles.Expand(paths));
        return new TraceInput(source.Info, consumer =>
        {
            using (source)
            using (progress?.Watch(source))
                return TracePipeline.Run(source, consumer).Stacks;
        });
    }
}
