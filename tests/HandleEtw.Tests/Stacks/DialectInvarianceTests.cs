using HandleEtw.Cli.Commands;
using HandleEtw.Core.Analysis;
using HandleEtw.Core.Tracking;
using HandleEtw.Etl;
using HandleEtw.Etl.File;
using HandleEtw.Parquet;
using HandleEtw.Synthetic.Etl;
using HandleEtw.Synthetic.Scenarios;
using HandleEtw.Tests.Parquet;

namespace HandleEtw.Tests.Stacks;

/// <summary>
/// One scripted workload written in every dialect the reader accepts (stacks as whole StackWalk records, as kernel +
/// user fragments, or cached with small and large caches so keys are evicted, reused and defined by KeyDelete and
/// KeyRundown after their references, evicting the least recently used key as Windows does or the oldest; compressed
/// or not; with or without the start handle rundown; 64- or 32-bit) must give the same answers: diff, leaks, misuse,
/// history, live counts and the Parquet tables, compared by frames, not ids. A 32-bit trace has other addresses (its
/// modules, kernel and objects lie below 4 GB): its answers are compared after mapping each address to the 64-bit
/// trace's address of the same module offset or object.
/// </summary>
public class DialectInvarianceTests
{
    public sealed record Dialect(string Name, StackMode Stacks, int CacheSize = 256, bool Compress = false, bool StartRundown = false,
        int PointerSize = 8, StackCacheEviction Eviction = StackCacheEviction.Lru)
    {
        public ScriptOptions Options => new()
        {
            Stacks = Stacks,
            StackCacheSize = CacheSize,
            StackCacheEviction = Eviction,
            HandleRundownAtStart = StartRundown,
            Writer = new EtlWriterOptions { Compress = Compress, BufferSize = Compress ? 4096 : 64 * 1024, PointerSize = PointerSize },
        };

        public override string ToString() => Name;
    }

    private static readonly int[] CacheSizes = [2, 4, 24, 256, 4096];

    public static IEnumerable<Dialect> Dialects()
    {
        foreach (bool compress in new[] { false, true })
            foreach (bool rundown in new[] { false, true })
            {
                string suffix = (compress ? " compressed" : "") + (rundown ? " rundown" : "");
                yield return new Dialect("fragments" + suffix, StackMode.Fragments, Compress: compress, StartRundown: rundown);
                yield return new Dialect("whole" + suffix, StackMode.Whole, Compress: compress, StartRundown: rundown);
                foreach (int size in CacheSizes)
                    yield return new Dialect($"cached {size}{suffix}", StackMode.Cached, size, compress, rundown);
            }
        foreach (int size in new[] { 2, 24 })
            yield return new Dialect($"cached {size} fifo", StackMode.Cached, size, Eviction: StackCacheEviction.Fifo);
        yield return new Dialect("32-bit fragments", StackMode.Fragments, PointerSize: 4);
        yield return new Dialect("32-bit whole rundown", StackMode.Whole, StartRundown: true, PointerSize: 4);
        yield return new Dialect("32-bit cached 4", StackMode.Cached, 4, PointerSize: 4);
        yield return new Dialect("32-bit cached 4096 compressed", StackMode.Cached, 4096, Compress: true, PointerSize: 4);
    }

    private static readonly Dictionary<string, Func<ScriptOptions, TraceScript>> Workloads = new()
    {
        ["LeakyHandles"] = o => HandleScenarios.LeakyHandles(iterations: 300, options: o),
        ["DoubleClose"] = HandleScenarios.DoubleClose,
        ["ProcessExitsHoldingHandles"] = HandleScenarios.ProcessExitsHoldingHandles,
        ["InheritedHandles"] = HandleScenarios.InheritedHandles,
        ["DuplicateIntoOtherProcess"] = HandleScenarios.DuplicateIntoOtherProcess,
        ["DuplicateWithCloseSource"] = HandleScenarios.DuplicateWithCloseSource,
        ["Wow64Process"] = HandleScenarios.Wow64Process,
    };

    public static TheoryData<string> WorkloadNames() => new(Workloads.Keys);

    [Theory]
    [MemberData(nameof(WorkloadNames))]
    public void Every_dialect_gives_the_same_answers(string workload)
    {
        using var work = new TempDir();
        Answers? baseline = null;
        TraceScript? baselineScript = null;
        foreach (Dialect dialect in Dialects())
        {
            // A WOW64 process in a 64-bit trace has no kernel frames; in a 32-bit trace it is a process like any other.
            if (dialect.PointerSize == 4 && workload == "Wow64Process") continue;
            TraceScript script = Workloads[workload](dialect.Options);
            string etl = Path.Combine(work.Path, dialect.Name.Replace(' ', '-') + ".etl");
            script.WriteTo(etl);
            using (EtlFileSource source = EtlFileSource.Open(etl)) Assert.Equal(dialect.PointerSize, source.Info.PointerSize);
            if (dialect.PointerSize == 4) // every kernel record 32-bit: no 64-bit header at all
                Assert.Equal(0, script.Facts.Records!.Header(RecordHeaderType.System64) + script.Facts.Records.Header(RecordHeaderType.PerfInfo64));
            Answers answers = Answer(etl, script, work.Path, withParquet: !dialect.Compress);
            if (baseline is null) { (baseline, baselineScript) = (answers, script); continue; }
            if (dialect.PointerSize == 4) answers = answers.Translated(new AddressTranslation(script, baselineScript!));
            AssertSame(baseline, answers, dialect.Name);
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(24)]
    public void Cached_stacks_with_a_small_cache_keep_the_leak_in_one_group(int cacheSize)
    {
        using var work = new TempDir();
        string etl = Path.Combine(work.Path, "leaky.etl");
        var options = new ScriptOptions { Stacks = StackMode.Cached, StackCacheSize = cacheSize };
        HandleScenarios.LeakyHandles(iterations: 600, options: options).WriteTo(etl);
        DiffReport diff = Diff(etl);
        DiffGroup top = diff.Groups[0];
        Assert.Equal(600, top.Count);
        Assert.Single(diff.Groups);
        Assert.Single(diff.Handles.Select(h => h.StackId).Distinct());
    }

    private sealed record Answers(string Diff, string Leaks, string Misuse, string History, string Live, ParquetAnswers? Parquet)
    {
        public Answers Translated(AddressTranslation to) => new(to.Apply(Diff), to.Apply(Leaks), to.Apply(Misuse), to.Apply(History),
            to.Apply(Live), Parquet is { } p ? p with { Events = to.Apply(p.Events), Live = to.Apply(p.Live) } : null);
    }

    private sealed record ParquetAnswers(string Events, string Live, long StackRows, long DistinctFrames, long DanglingIds);

    private static void AssertSame(Answers expected, Answers actual, string dialect)
    {
        Assert.True(expected.Diff == actual.Diff, $"{dialect}: diff differs\n{expected.Diff}\n---\n{actual.Diff}");
        Assert.True(expected.Leaks == actual.Leaks, $"{dialect}: leaks differ\n{expected.Leaks}\n---\n{actual.Leaks}");
        Assert.True(expected.Misuse == actual.Misuse, $"{dialect}: misuse differs\n{expected.Misuse}\n---\n{actual.Misuse}");
        Assert.True(expected.History == actual.History, $"{dialect}: history differs\n{expected.History}\n---\n{actual.History}");
        Assert.True(expected.Live == actual.Live, $"{dialect}: live counts differ\n{expected.Live}\n---\n{actual.Live}");
        if (actual.Parquet is not { } p || expected.Parquet is not { } e) return;
        Assert.True(e.Events == p.Events, $"{dialect}: events table differs at\n{FirstDifference(e.Events, p.Events)}");
        Assert.True(e.Live == p.Live, $"{dialect}: live_handles table differs\n{e.Live}\n---\n{p.Live}");
    }

    private static string FirstDifference(string expected, string actual)
    {
        string[] a = expected.Split('\n'), b = actual.Split('\n');
        int i = 0;
        while (i < a.Length && i < b.Length && a[i] == b[i]) i++;
        return $"{(i < a.Length ? a[i] : "(end)")}\n---\n{(i < b.Length ? b[i] : "(end)")}";
    }

    private static Answers Answer(string etl, TraceScript script, string work, bool withParquet)
    {
        string diff = Run(o => DiffCommand.Execute(new DiffCommand.Args(etl, null, null, ProcessFilter.All, true), TraceInput.OpenFile(etl), o));
        string leaks = Run(o => LeaksCommand.Execute(new LeaksCommand.Args(etl, 50, ProcessFilter.All, true), TraceInput.OpenFile(etl), o));
        string misuse = Run(o => MisuseCommand.Execute(new MisuseCommand.Args(etl, ProcessFilter.All, true), TraceInput.OpenFile(etl), o));
        var history = new List<string>();
        foreach (var (pid, handle) in script.Facts.Handles.Select(f => (f.Pid, f.Handle)).Distinct().Take(6))
            history.Add(Run(o => HistoryCommand.Execute(new HistoryCommand.Args(etl, pid, handle, true), TraceInput.OpenFile(etl), o)));
        return new Answers(diff, leaks, misuse, string.Join("\n", history), LiveCounts(etl), withParquet ? Tables(etl, work) : null);
    }

    private static string Run(Func<TextWriter, int> command)
    {
        var output = new StringWriter();
        Assert.Equal(0, command(output));
        return output.ToString();
    }

    private static DiffReport Diff(string etl)
    {
        var recorder = new DiffRecorder(new HandleTracker(TraceInput.OpenFile(etl).Info), null, null);
        StackContext context = TraceOptions.Run(TraceInput.OpenFile(etl), recorder);
        return recorder.Report(context, ProcessFilter.All);
    }

    private static string LiveCounts(string etl)
    {
        using EtlFileSource source = EtlFileSource.Open(etl);
        var tracker = new HandleTracker(source.Info);
        TracePipeline.Run(source, tracker);
        return string.Join("\n", tracker.SummarizeLiveHandles().Select(s =>
            $"{s.Pid} {s.Process} {s.Total}: {string.Join(", ", s.ByType.Select(t => $"{t.Type}={t.Count}"))}"));
    }

    /// <summary>Converts the trace; events and live handles with their frames, and how stack ids relate to frames.</summary>
    private static ParquetAnswers Tables(string etl, string work)
    {
        string output = Path.Combine(work, Path.GetFileNameWithoutExtension(etl) + "-parquet");
        using (EtlFileSource source = EtlFileSource.Open(etl))
            TraceToParquet.Run(source, new ParquetConversionOptions { OutputRoot = output }, new HandleTracker(source.Info));
        using var db = new DuckDb();
        db.BindTables(output);
        const string framesOf = "coalesce(list_transform(s.frames, f -> printf('%x', f))::VARCHAR, '-')";
        string events = string.Join("\n", db.Rows(
            $"SELECT e.time_ns, e.op, e.pid, e.handle, {framesOf} FROM events e LEFT JOIN stacks s USING (stack_id) " +
            "ORDER BY e.time_ns, e.op, e.pid, e.handle").Select(r => string.Join(" ", r)));
        string live = string.Join("\n", db.Rows(
            $"SELECT l.pid, l.handle, l.origin, {framesOf} FROM live_handles l LEFT JOIN stacks s USING (stack_id) " +
            "WHERE l.snapshot = 'end' ORDER BY l.pid, l.handle").Select(r => string.Join(" ", r)));
        long rows = db.Count("SELECT count(*) FROM stacks");
        long distinct = db.Count("SELECT count(DISTINCT frames) FROM stacks");
        long dangling = db.Count("SELECT count(*) FROM events e WHERE e.stack_id IS NOT NULL AND e.stack_id NOT IN (SELECT stack_id FROM stacks)");
        Assert.Equal(distinct, rows);
        Assert.Equal(0, dangling);
        return new ParquetAnswers(events, live, rows, distinct, dangling);
    }
}
