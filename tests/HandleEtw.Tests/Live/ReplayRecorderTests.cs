using HandleEtw.Core.Events;
using HandleEtw.Core.Records;
using HandleEtw.Windows.Inventory;
using HandleEtw.Windows.Recording;
using HandleEtw.Windows.Ring;

namespace HandleEtw.Tests.Live;

public class ReplayRecorderTests
{
    private sealed class FixedInventory(HandleInventory inv) : IInventoryProvider
    {
        public HandleInventory Take() => inv;
    }

    private static readonly HandleInventory Inventory = new()
    {
        Handles = [new InventoryHandle(100, 0x10, 0xA10, 16, 0), new InventoryHandle(100, 0x14, 0xA14, 16, 0), new InventoryHandle(200, 0x8, 0xB08, 16, 0)],
        ObjectTypes = new Dictionary<ushort, string> { [16] = "Event" },
        TimestampBefore = 5,
        TimestampAfter = 6,
    };

    private sealed class Counting : TraceConsumer
    {
        public int Handles, Snapshots, RundownStarts;
        public override void OnHandle(in HandleEvent e) { Handles++; if (e.Op == HandleOp.RundownStart) RundownStarts++; }
        public override void OnSnapshot(long timestamp, string label) => Snapshots++;
    }

    private static (RecordingResult Result, string Out, Counting Output, MiniDecoder Decoder) Run(
        ReplaySource source, TargetFilter filter, CancellationToken cancel = default, Action<HandleEvent>? onHandle = null)
    {
        var output = new Counting();
        var stdout = new StringWriter();
        MiniDecoder? decoder = null;
        var recorder = new Recorder(new RecordOptions(), new RecordingIo(stdout, new StringWriter(), ErrorIsTerminal: false));
        var watched = onHandle is null ? (TraceConsumer)output : new CompositeConsumer(output, new Callback(onHandle));
        RecordingResult result = recorder.Run(source, new FixedInventory(Inventory), filter, watched, cancel,
            (_, stacks, consumer) => decoder = new MiniDecoder(stacks, consumer));
        source.Dispose();
        return (result, stdout.ToString(), output, decoder!);
    }

    private sealed class Callback(Action<HandleEvent> action) : TraceConsumer
    {
        public override void OnHandle(in HandleEvent e) => action(e);
    }

    private static TraceInfo Info => new() { Source = "replay", ClockFrequency = 10_000_000 };

    [Fact]
    public void Ctrl_c_mid_stream_stops_the_producer_and_still_delivers_stop_time_records()
    {
        const int total = 200_000;
        var records = Enumerable.Range(0, total).Select(i => Raw.Create(10 + i, 100, (uint)(0x100 + 4 * i), (ulong)(0xC000 + i)));
        var atStop = new[] { Raw.RundownEnd(long.MaxValue - 1, 200, 0x8, 0xB08) };
        using var cancel = new CancellationTokenSource();
        var source = ReplaySource.FromRecords(Info, records, atStop, ringBytes: 64 * 1024);
        int seen = 0;
        var (result, output, _, _) = Run(source, new TargetFilter(null, []), cancel.Token, _ => { if (++seen == 1000) cancel.Cancel(); });

        Assert.Equal("stopped (Ctrl+C)", result.StopReason);
        Assert.InRange(result.Records, 1000, total - 1);
        Assert.Equal(1, result.Rundown.RundownRows); // the stop-time row arrived after the stop request
        Assert.Equal(0, result.LostEvents);
        Assert.Contains("stopped (Ctrl+C)", output);
    }

    [Fact]
    public void A_target_that_exits_ends_the_recording_cleanly_and_says_so()
    {
        var records = new List<ReplayRecord> { Raw.Create(10, 100, 0x40, 0xD1), Raw.Create(11, 300, 0x40, 0xD2), Raw.ProcessStop(12, 100) };
        records.AddRange(Enumerable.Range(0, 50_000).Select(i => Raw.Create(20 + i, 300, (uint)(0x100 + 4 * i), 0xE000 + (ulong)i)));
        var source = ReplaySource.FromRecords(Info, records, ringBytes: 64 * 1024);
        var (result, output, kept, _) = Run(source, new TargetFilter(null, [100]));

        Assert.True(result.TargetExited);
        Assert.Contains("target process pid 100 exited", result.StopReason);
        Assert.Contains("exited", output);
        Assert.True(result.Records < records.Count, "the drain should stop soon after the exit");
        Assert.Equal(3, kept.Handles); // two inventory rows of pid 100 + its create; pid 200/300 filtered out
        Assert.Equal(2, kept.RundownStarts);
    }

    [Fact]
    public void Stacks_whose_cached_keys_resolve_only_at_stop_reach_the_leak_report()
    {
        var records = new[]
        {
            Raw.Create(10, 100, 0x40, 0xD1), Raw.StackKey(10, 100, 1, 0x77),
            Raw.Create(11, 100, 0x44, 0xD2), Raw.StackKey(11, 100, 1, 0x77),
            Raw.Create(12, 100, 0x48, 0xD3), Raw.Close(13, 100, 0x48, 0xD3),
        };
        var atStop = new[] { Raw.KeyRundown(20, 0x77, 0xfffff80000001000, 0x00007ff612340000) };
        var source = ReplaySource.FromRecords(Info, records, atStop);
        var (result, output, _, decoder) = Run(source, new TargetFilter(null, [100]));

        Assert.Equal(0, decoder.UnmappedRecords); // task GUIDs were mapped to kernel groups by the ring consumer
        LeakGroup top = result.Leaks[0];
        Assert.Equal(2, top.Count);
        Assert.Equal("Event", top.TypeName);
        Assert.Equal(new ulong[] { 0xfffff80000001000, 0x00007ff612340000 }, result.Stacks.GetFrames(top.StackId).ToArray());
        Assert.Contains("0x00007ff612340000", output);
        Assert.Equal("end of replay", result.StopReason);
    }

    [Fact]
    public void Inventory_is_checked_against_the_end_rundown()
    {
        var records = new[] { Raw.Close(10, 100, 0x14, 0xA14), Raw.Create(11, 100, 0x18, 0xA18), Raw.Create(12, 100, 0x1C, 0xA1C) };
        var atStop = new[]
        {
            Raw.RundownEnd(30, 100, 0x10, 0xA10), Raw.RundownEnd(30, 100, 0x18, 0xA18), // agree
            Raw.RundownEnd(30, 100, 0x20, 0xA20), // opened unseen
            // 0x1C missing: a close we never saw
        };
        var source = ReplaySource.FromRecords(Info, records, atStop);
        var (result, output, _, _) = Run(source, new TargetFilter(null, []));

        Assert.Equal(3, result.Rundown.RundownRows);
        Assert.Equal(2, result.Rundown.Matching);
        Assert.Equal(new[] { new HandleKey(100, 0x20) }, result.Rundown.OnlyInRundown);
        Assert.Equal(new[] { new HandleKey(100, 0x1C) }, result.Rundown.OnlyInTable);
        Assert.Contains("1 missing from our table", output);
    }

    [Fact]
    public void Snapshot_requests_and_loss_enter_the_stream()
    {
        var records = Enumerable.Range(0, 10).Select(i => Raw.Create(10 + i, 100, (uint)(4 * i), (ulong)i)).ToList();
        var source = ReplaySource.FromRecords(Info, records);
        var (result, _, kept, _) = Run(source, new TargetFilter(null, []));
        Assert.Equal(1, kept.Snapshots); // the start snapshot
        Assert.Equal(10, result.Records);
    }
}
