using System.Text.Json;
using HandleEtw.Core.Events;
using HandleEtw.Core.Tracking;
using HandleEtw.Etl;
using HandleEtw.Etl.File;
using HandleEtw.Synthetic.Scenarios;
using HandleEtw.Tests.Cli;

namespace HandleEtw.Tests.Parquet;

/// <summary>
/// `handleetw convert` on real .etl files (synthetic scenarios, a corpus trace, a damaged copy): the tables hold what
/// the reader and decoder produce, and scripts/leaks.sql ranks like `handleetw leaks --json`.
/// </summary>
public class ConvertEndToEndTests
{
    /// <summary>What the decoder and the tracker make of a trace, counted independently of the writer.</summary>
    private sealed class Expected : TraceConsumer
    {
        public long HandleEvents;
        public readonly HashSet<(int, ulong)> Processes = new();
        private readonly HashSet<(int, ulong)> _mapped = new();
        /// <summary>Image instances: each load (or rundown entry) of a base, plus unloads and end-rundown entries never seen loaded.</summary>
        public int Modules;
        public override void OnHandle(in HandleEvent e) => HandleEvents++;
        public override void OnProcess(in ProcessEvent e) => Processes.Add((e.ProcessId, e.UniqueProcessKey));
        public override void OnImage(in ImageEvent e)
        {
            var at = (e.ProcessId, e.ImageBase);
            if (e.Op is ImageOp.Load or ImageOp.DCStart or ImageOp.KernelBase) { Modules++; _mapped.Add(at); }
            else if (e.Op == ImageOp.Unload) { if (!_mapped.Remove(at)) Modules++; }
            else if (e.Op == ImageOp.DCEnd && _mapped.Add(at)) Modules++;
        }
    }

    private static (Expected Counts, HandleTracker Tracker) Decode(string etl)
    {
        using EtlFileSource source = EtlFileSource.Open(etl);
        var counts = new Expected();
        var tracker = new HandleTracker(source.Info);
        TracePipeline.Run(source, new CompositeConsumer(counts, tracker));
        return (counts, tracker);
    }

    private static DuckDb Convert(string etl, TempDir output, int expectedCode = 0)
    {
        var (code, stdout, stderr) = CliSmokeTests.Run("convert", etl, "-o", output.Path);
        Assert.True(code == expectedCode, stderr);
        Assert.Contains("handle events", stdout);
        var db = new DuckDb();
        db.BindTables(output.Path);
        return db;
    }

    public static TheoryData<string> Scenarios => new()
    {
        nameof(HandleScenarios.LeakyHandles),
        nameof(HandleScenarios.ProcessExitsHoldingHandles),
        nameof(HandleScenarios.DuplicateIntoOtherProcess),
        nameof(HandleScenarios.DuplicateWithCloseSource),
        nameof(HandleScenarios.WithHandleRundown),
    };

    private static TraceScript Scenario(string name) => name switch
    {
        nameof(HandleScenarios.LeakyHandles) => HandleScenarios.LeakyHandles(),
        nameof(HandleScenarios.ProcessExitsHoldingHandles) => HandleScenarios.ProcessExitsHoldingHandles(),
        nameof(HandleScenarios.DuplicateIntoOtherProcess) => HandleScenarios.DuplicateIntoOtherProcess(),
        nameof(HandleScenarios.DuplicateWithCloseSource) => HandleScenarios.DuplicateWithCloseSource(),
        nameof(HandleScenarios.WithHandleRundown) => HandleScenarios.WithHandleRundown(),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void Scenario_tables_hold_what_the_decoder_and_tracker_saw(string name)
    {
        using var work = new TempDir();
        string etl = Path.Combine(work.Path, name + ".etl");
        Scenario(name).WriteTo(etl);
        var (expected, tracker) = Decode(etl);
        using var output = new TempDir();
        using DuckDb db = Convert(etl, output);

        Assert.True(expected.HandleEvents > 0);
        Assert.Equal(expected.HandleEvents, db.Count("SELECT count(*) FROM events"));
        Assert.Equal(expected.HandleEvents, db.Count("SELECT events FROM meta"));
        Assert.Equal(expected.Processes.Count, db.Count("SELECT count(*) FROM processes"));
        Assert.Equal(tracker.EnumerateLive().Count(), db.Count("SELECT count(*) FROM live_handles WHERE snapshot = 'end'"));
        Assert.Equal(0, db.Count("SELECT count(*) FROM live_handles WHERE snapshot <> 'end'"));
        Assert.False((bool)db.Scalar("SELECT partial FROM meta")!);
        LeaksSqlParityTests.AssertSameRanking(etl, db);
    }

    [Fact]
    public void Exited_process_leaves_no_live_handles_and_duplicates_land_in_the_target()
    {
        using var work = new TempDir();
        string exits = Path.Combine(work.Path, "exits.etl"), dup = Path.Combine(work.Path, "dup.etl");
        HandleScenarios.ProcessExitsHoldingHandles().WriteTo(exits);
        HandleScenarios.DuplicateIntoOtherProcess().WriteTo(dup);
        using (var output = new TempDir())
        using (DuckDb db = Convert(exits, output))
        {
            Assert.Equal(0, db.Count($"SELECT count(*) FROM live_handles WHERE pid = {HandleScenarios.LeakyPid}"));
            Assert.Equal(1, db.Count($"SELECT count(*) FROM processes WHERE pid = {HandleScenarios.LeakyPid} AND end_time_ns IS NOT NULL"));
        }
        using (var output = new TempDir())
        using (DuckDb db = Convert(dup, output))
            Assert.Equal(1, db.Count("SELECT count(*) FROM events WHERE op = 2 AND target_pid = 4300"));
    }

    [Fact]
    public void Leaky_handles_top_group_is_fun4_growing_with_every_iteration()
    {
        using var work = new TempDir();
        string etl = Path.Combine(work.Path, "leaky.etl");
        HandleScenarios.LeakyHandles(iterations: 200).WriteTo(etl);
        using var output = new TempDir();
        using DuckDb db = Convert(etl, output);
        var top = db.Rows(Script("leaks.sql"))[0];
        Assert.Equal(HandleScenarios.LeakyPid, System.Convert.ToInt32(top[0]));
        Assert.Equal("Event", top[2]);
        Assert.Equal(200L, System.Convert.ToInt64(top[4]));
        Assert.True((bool)top[10]!); // growing
        Assert.Equal(200, db.Count("SELECT count(*) FROM live_handles WHERE snapshot = 'end' AND origin = 'created'"));
    }

    [Fact]
    public void Corpus_trace_tables_equal_the_decoded_counts()
    {
        string etl = TestPaths.Corpus("perfview/net.4.5.2.x64.etl");
        var (expected, tracker) = Decode(etl);
        using var output = new TempDir();
        // The corpus traces were recorded without the Handle keyword: the tables are written, and the exit code says so.
        using DuckDb db = Convert(etl, output, HandleEtw.Cli.ExitCodes.NoHandleEvents);
        Assert.True(expected.Processes.Count > 0 && expected.Modules > 0);
        Assert.Equal(expected.Processes.Count, db.Count("SELECT count(*) FROM processes"));
        Assert.Equal(expected.Modules, db.Count("SELECT count(*) FROM modules"));
        Assert.Equal(expected.HandleEvents, db.Count("SELECT count(*) FROM events"));
        Assert.Equal(tracker.EnumerateLive().Count(), db.Count("SELECT count(*) FROM live_handles WHERE snapshot = 'end'"));
    }

    [Fact]
    public void Damaged_trace_converts_what_is_intact_and_says_so_in_meta()
    {
        using var work = new TempDir();
        string etl = Path.Combine(work.Path, "damaged.etl");
        byte[] bytes = HandleScenarios.LeakyHandles(iterations: 3000).ToBytes();
        Assert.True(bytes.Length > 65_536 * 4, "the scenario spans several buffers");
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(65_536 * 2), 0); // BufferSize of buffer 2
        File.WriteAllBytes(etl, bytes);
        var (expected, _) = Decode(etl);
        using var output = new TempDir();
        using DuckDb db = Convert(etl, output);
        Assert.True(db.Count("SELECT damaged_buffers FROM meta") > 0);
        Assert.True((bool)db.Scalar("SELECT lossy FROM meta")!);
        Assert.True(expected.HandleEvents > 0);
        Assert.Equal(expected.HandleEvents, db.Count("SELECT count(*) FROM events"));
    }

    private static string Script(string name) => File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "scripts", name));
}
