using System.Text.Json;
using HandleEtw.Core.Analysis;
using HandleEtw.Core.Events;
using HandleEtw.Core.Records;
using HandleEtw.Etl.File;
using HandleEtw.Synthetic.Etl;
using HandleEtw.Synthetic.Scenarios;
using HandleEtw.Tests.Cli;
using HandleEtw.Tests.Parquet;
using HandleEtw.Windows.Inventory;
using HandleEtw.Windows.Recording;
using HandleEtw.Windows.Ring;

namespace HandleEtw.Tests.Live;

/// <summary>`handleetw record` end to end on Linux: synthetic .etl bytes through the ring, the shared decoder and tracker.</summary>
public class ReplayRecorderTests
{
    private const int Leaky = HandleScenarios.LeakyPid;
    private static readonly string[] CreateStack = ["kernelbase!CreateEventW", "main", .. TraceScript.ThreadBase];

    private sealed class FixedInventory(HandleInventory inv) : IInventoryProvider
    {
        public HandleInventory Take() => inv;
    }

    private static HandleInventory Inventory(TraceInfo info, params InventoryHandle[] handles) => new()
    {
        Handles = handles,
        ObjectTypes = new Dictionary<ushort, string>(),
        TimestampBefore = info.StartTimestamp,
        TimestampAfter = info.StartTimestamp,
    };

    private sealed class Counting(Action<HandleEvent>? onHandle) : TraceConsumer
    {
        public int Handles, Snapshots, RundownStarts;

        public override void OnHandle(in HandleEvent e)
        {
            Handles++;
            if (e.Op == HandleOp.RundownStart) RundownStarts++;
            onHandle?.Invoke(e);
        }

        public override void OnSnapshot(long timestamp, string label) => Snapshots++;
    }

    private static (RecordingResult Result, string Out, Counting Kept) Run(RingFedSource source, TargetFilter filter,
        HandleInventory inventory, CancellationToken cancel = default, Action<HandleEvent>? onHandle = null, RecordOptions? options = null)
    {
        var kept = new Counting(onHandle);
        var stdout = new StringWriter();
        var recorder = new Recorder(options ?? new RecordOptions(), new RecordingIo(stdout, new StringWriter(), ErrorIsTerminal: false));
        RecordingResult result;
        using (source) result = recorder.Run(source, new FixedInventory(inventory), filter, kept, cancel);
        return (result, stdout.ToString(), kept);
    }

    [Fact]
    public void Ctrl_c_mid_stream_stops_the_producer_and_still_delivers_stop_time_records()
    {
        var replay = SyntheticReplay.From(HandleScenarios.LeakyHandles(iterations: 5_000, options: new ScriptOptions { HandleRundownAtEnd = true }));
        using var cancel = new CancellationTokenSource();
        int creates = 0;
        var (result, output, _) = Run(replay.Source(ringBytes: 64 * 1024), new TargetFilter(null, []), Inventory(replay.Info), cancel.Token,
            e => { if (e.Op == HandleOp.Create && ++creates == 1000) cancel.Cancel(); });

        Assert.Equal("stopped (Ctrl+C)", result.StopReason);
        Assert.InRange(result.Records - replay.AtStop.Count, 1000, replay.Stream.Count - 1);
        Assert.True(replay.RundownEndRows >= 5_000);
        Assert.Equal(replay.RundownEndRows, result.Rundown.RundownRows); // every stop-time row arrived after the stop request
        Assert.Equal(0, result.LostEvents);
        Assert.Contains("stopped (Ctrl+C)", output);
    }

    [Fact]
    public void A_target_that_exits_ends_the_recording_cleanly_and_says_so()
    {
        var script = new TraceScript();
        ScriptThread leaky = HandleScenarios.AddLeakyHandlesProcess(script).Thread(5120);
        ScriptThread other = script.AddProcess(4300, "worker.exe").Thread(5200);
        for (int i = 0; i < 3; i++) leaky.Create("Event", CreateStack);
        script.Exit(leaky.Process);
        for (int i = 0; i < 20_000; i++) other.Create("Event");
        var replay = SyntheticReplay.From(script);
        var inventory = Inventory(replay.Info, new InventoryHandle(Leaky, 0x9000, 0, 16, 0), new InventoryHandle(Leaky, 0x9004, 0, 16, 0),
            new InventoryHandle(4300, 0x9000, 0, 16, 0));
        var (result, output, kept) = Run(replay.Source(ringBytes: 64 * 1024), new TargetFilter(null, [Leaky]), inventory);

        Assert.True(result.TargetExited);
        Assert.Equal($"target process pid {Leaky} exited", result.StopReason);
        Assert.Contains("exited", output);
        Assert.True(result.Records < replay.Stream.Count, "the drain should stop soon after the exit");
        Assert.Equal(2 + 3 + 3, kept.Handles); // inventory rows of the target, its creates, the exit sweep; pid 4300 filtered out
        Assert.Equal(2, kept.RundownStarts);
        Assert.Empty(result.Report.Leaks.Leaks); // an exited process holds no leaks
    }

    [Fact]
    public void Stacks_whose_cached_keys_resolve_only_at_stop_reach_the_diff_and_leak_reports()
    {
        var options = new ScriptOptions { Stacks = StackMode.Cached, StackCacheSize = 4096 };
        var replay = SyntheticReplay.From(HandleScenarios.LeakyHandles(iterations: 50, options: options));
        Assert.Contains(replay.AtStop, r => r.Header.ProviderId == KernelTasks.StackWalkTaskId && r.Header.Opcode == 36);
        var (result, output, _) = Run(replay.Source(), new TargetFilter(null, [Leaky]), Inventory(replay.Info));

        Assert.Equal("end of replay", result.StopReason);
        Assert.Equal(0, result.Decoder.UnresolvedStackKeys);
        DiffGroup top = Assert.Single(result.Report.Diff.Groups);
        Assert.Equal((Leaky, "Event", 50), (top.Pid, top.Type, top.Count));
        Assert.Contains(top.Stack, f => f.StartsWith("leakyhandles+0x1a", StringComparison.Ordinal)); // fun4
        LeakEntry leak = result.Report.Leaks.Leaks[0];
        Assert.Equal((Leaky, 50, true), (leak.Pid, leak.Outstanding, leak.Growing));
        Assert.Equal(top.Stack, leak.Stack);
        Assert.Contains($"50 x Event in leakyhandles.exe (pid {Leaky}), opened from:", output);
        Assert.Contains($"#1 leakyhandles.exe (pid {Leaky}) Event: 50 outstanding of 50 opened", output); // fun3 pairs are another group
    }

    [Fact]
    public void Json_summary_is_one_document_with_the_diff_and_leaks_inside()
    {
        var replay = SyntheticReplay.From(HandleScenarios.LeakyHandles(iterations: 50));
        string dir = Path.Combine(Path.GetTempPath(), $"handleetw-record-json-{Environment.ProcessId}");
        try
        {
            var (result, output, _) = Run(replay.Source(), new TargetFilter(null, [Leaky]), Inventory(replay.Info),
                options: new RecordOptions { Json = true, OutputPath = dir });
            JsonElement root = JsonDocument.Parse(output).RootElement;
            JsonDocumentTests.AssertContract(root);
            Assert.Equal("end of replay", root.GetProperty("stop_reason").GetString());
            Assert.Equal(result.Records, root.GetProperty("records").GetInt64());
            Assert.Equal(dir, root.GetProperty("parquet").GetProperty("directory").GetString());
            JsonElement diff = root.GetProperty("diff");
            JsonDocumentTests.AssertContract(diff);
            Assert.Contains(diff.GetProperty("groups").EnumerateArray(), g => g.GetProperty("count").GetInt32() == 50);
            Assert.Equal("0xffffc000010000c0", diff.GetProperty("handles")[0].GetProperty("object").GetString());
            JsonElement leak = root.GetProperty("leaks").GetProperty("leaks")[0];
            Assert.Equal((50, 50), (leak.GetProperty("outstanding").GetInt32(), leak.GetProperty("opened").GetInt32()));
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void Inventory_is_checked_against_the_end_rundown()
    {
        var script = new TraceScript(new ScriptOptions { HandleRundownAtEnd = true });
        ScriptProcess p = HandleScenarios.AddLeakyHandlesProcess(script);
        ScriptThread main = p.Thread(5120);
        uint kept = script.Preexisting(p, "Key"), closed = script.Preexisting(p, "File"), unseen = script.Preexisting(p, "Event");
        main.Close(closed, CreateStack);
        uint agreed = main.Create("Event", CreateStack);
        uint lost = main.Create("Event", CreateStack);
        main.Close(lost, CreateStack);
        // The close of `lost` never reaches us; `unseen` was opened before the start but the inventory missed it.
        var replay = SyntheticReplay.From(script, (in EventRecord r) => SyntheticReplay.IsClose(r, lost));
        var inventory = Inventory(replay.Info, new InventoryHandle(Leaky, kept, 0, 16, 0), new InventoryHandle(Leaky, closed, 0, 16, 0));
        var (result, output, _) = Run(replay.Source(), new TargetFilter(null, []), inventory);

        Assert.Equal(3, result.Rundown.RundownRows);
        Assert.Equal(2, result.Rundown.Matching); // `kept` and `agreed`
        Assert.Equal(new[] { new HandleKey(Leaky, unseen) }, result.Rundown.OnlyInRundown);
        Assert.Equal(new[] { new HandleKey(Leaky, lost) }, result.Rundown.OnlyInTable);
        Assert.Contains("1 missing from our table", output);
        Assert.Contains(new HandleKey(Leaky, agreed), DiffKeys(result));
    }

    private static IEnumerable<HandleKey> DiffKeys(RecordingResult result) =>
        result.Report.Diff.Handles.Select(h => new HandleKey(h.Pid, h.Handle));

    [Fact]
    public void A_whole_etl_replays_through_the_ring_with_the_start_snapshot()
    {
        byte[] bytes = HandleScenarios.LeakyHandles(iterations: 10).ToBytes();
        long total = CountRecords(bytes);
        var (result, _, kept) = Run(ReplaySource.FromSource(Open(bytes)), new TargetFilter(null, []), HandleInventory.Empty);
        Assert.Equal(1, kept.Snapshots); // the start snapshot
        Assert.Equal(total, result.Records);
        Assert.Equal(10, result.Report.Diff.Handles.Count);
    }

    [Fact]
    public void Record_with_output_writes_a_readable_parquet_directory_with_live_handle_snapshots()
    {
        using var dir = new TempDir();
        string output = Path.Combine(dir.Path, "run1");
        byte[] bytes = HandleScenarios.LeakyHandles(iterations: 100).ToBytes();
        EtlFileSource file = Open(bytes);
        var inventory = Inventory(file.Info, new InventoryHandle(Leaky, 0x9000, 0, 16, 0), new InventoryHandle(Leaky, 0x9004, 0, 16, 0),
            new InventoryHandle(4300, 0x9000, 0, 16, 0));
        var (result, stdout, kept) = Run(ReplaySource.FromSource(file), new TargetFilter(null, [Leaky]), inventory,
            options: new RecordOptions { OutputPath = output });

        Assert.Equal(output, result.ParquetDirectory);
        Assert.Contains($"to {output}", stdout);
        using var db = new DuckDb();
        db.BindTables(output);
        Assert.Equal(kept.Handles, db.Count("SELECT count(*) FROM events"));
        Assert.Equal(300, db.Count($"SELECT count(*) FROM events WHERE pid = {Leaky} AND op IN (0, 1)"));
        Assert.Equal(0, db.Count("SELECT count(*) FROM events WHERE pid = 4300"));
        Assert.Equal(2, db.Count("SELECT count(*) FROM live_handles WHERE snapshot = 'start'"));
        Assert.Equal(102, db.Count($"SELECT count(*) FROM live_handles WHERE snapshot = 'end' AND pid = {Leaky}"));
        Assert.Equal(0, db.Count("SELECT count(*) FROM live_handles WHERE pid <> " + Leaky));
        Assert.Equal(100, db.Count("SELECT count(*) FROM live_handles WHERE snapshot = 'end' AND origin = 'created' AND stack_id IS NOT NULL"));
        Assert.False((bool)db.Scalar("SELECT partial FROM meta")!);
    }

    [Fact]
    public void Record_of_a_dotnet_target_names_its_jit_frames_and_writes_its_methods()
    {
        using var dir = new TempDir();
        string output = Path.Combine(dir.Path, "orders");
        const int Service = HandleScenarios.OrderServicePid;
        var script = HandleScenarios.ManagedLeak(orders: 4);
        script.AddProcess(4300, "worker.exe").Thread(5200).Create("Event");
        EtlFileSource file = Open(script.ToBytes());
        var (result, _, _) = Run(ReplaySource.FromSource(file), new TargetFilter(null, [Service]),
            Inventory(file.Info), options: new RecordOptions { OutputPath = output });

        Assert.All(result.Report.Diff.Groups, g => Assert.Equal(Service, g.Pid));
        Assert.Contains(result.Report.Diff.Groups, g => g.Stack.Contains("OrderService!OrderService.Handlers.OrderHandler.Process+0x2b"));
        using var db = new DuckDb();
        db.BindTables(output);
        Assert.Equal(5, db.Count($"SELECT count(*) FROM methods WHERE pid = {Service}")); // a re-JIT and a reused range included
        Assert.Equal(1, db.Count("SELECT count(*) FROM methods WHERE name = 'Process' AND rejit_id = 1"));
        Assert.Equal(0, db.Count($"SELECT count(*) FROM methods WHERE pid <> {Service}"));
    }

    private static EtlFileSource Open(byte[] bytes) => EtlFileSource.Open(new MemoryStream(bytes), "synthetic.etl", ownsStream: true);

    private static long CountRecords(byte[] bytes)
    {
        using EtlFileSource file = Open(bytes);
        var counter = new RecordCounter();
        file.Read(counter);
        return counter.Count;
    }

    private sealed class RecordCounter : IRecordSink
    {
        public long Count;
        public void OnRecord(in EventRecord record) => Count++;
    }
}
