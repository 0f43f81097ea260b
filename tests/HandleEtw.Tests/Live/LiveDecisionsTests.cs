using System.Buffers.Binary;
using HandleEtw.Core.Events;
using HandleEtw.Core.Records;
using HandleEtw.Core.Tracking;
using HandleEtw.Etl.Decoding;
using HandleEtw.Windows.Inventory;
using HandleEtw.Windows.Live;
using HandleEtw.Windows.Native;
using HandleEtw.Windows.Recording;
using HandleEtw.Windows.Ring;

namespace HandleEtw.Tests.Live;

/// <summary>The live path's decisions that need no Windows: session conflicts, loss counters, shutdown, extended items.</summary>
public class LiveDecisionsTests
{
    private static readonly SessionOwner Owner = new(4242, new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc));

    [Fact]
    public void A_running_session_whose_owner_ended_is_an_orphan_to_restart()
    {
        var d = SessionConflict.Decide("handleetw", Owner, _ => false, force: false);
        Assert.Equal(ConflictAction.StopOrphan, d.Action);
        Assert.Contains("4242", d.Message);
    }

    [Fact]
    public void A_running_session_with_a_live_or_unknown_owner_is_refused_unless_forced()
    {
        var live = SessionConflict.Decide("handleetw", Owner, _ => true, force: false);
        Assert.Equal(ConflictAction.Refuse, live.Action);
        Assert.Contains("pid 4242", live.Message);
        Assert.Contains("--force", live.Message);
        Assert.DoesNotContain('\n', live.Message);
        var unknown = SessionConflict.Decide("handleetw", null, _ => throw new InvalidOperationException("no owner to check"), force: false);
        Assert.Equal(ConflictAction.Refuse, unknown.Action);
        Assert.Contains("--force", unknown.Message);
        Assert.Equal(ConflictAction.TakeOver, SessionConflict.Decide("handleetw", Owner, _ => true, force: true).Action);
        Assert.Equal(ConflictAction.TakeOver, SessionConflict.Decide("handleetw", null, _ => true, force: true).Action);
    }

    [Fact]
    public void The_owner_record_round_trips_and_garbage_reads_as_unknown()
    {
        Assert.Equal(Owner, SessionOwner.Parse(Owner.Format()));
        foreach (string bad in new[] { "", "12", "x 5", "12 -5", "12 99999999999999999999", "1 2 3" })
            Assert.Null(SessionOwner.Parse(bad));
        Assert.True(SessionOwner.IsAlive(SessionOwner.Current()));
        Assert.False(SessionOwner.IsAlive(SessionOwner.Current() with { ProcessStartUtc = DateTime.UnixEpoch }), "a reused pid is not the owner");

        string path = Path.Combine(Path.GetTempPath(), "handleetw-owner-" + Guid.NewGuid().ToString("N"), "handleetw.owner");
        var file = new SessionOwnerFile(path);
        Assert.Null(file.Read());
        file.Write(Owner);
        Assert.Equal(Owner, file.Read());
        file.Remove(Owner with { ProcessId = 1 }); // another run's record stays
        Assert.Equal(Owner, file.Read());
        file.Remove(Owner);
        Assert.Null(file.Read());
        Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
    }

    [Fact]
    public void A_failed_control_call_keeps_the_last_counters_so_loss_never_goes_back()
    {
        var counters = new LastSessionCounters();
        Assert.Equal(new SessionCounters(5, 1, 2, 100), counters.Update(0, new SessionCounters(5, 1, 2, 100)));
        // ERROR_WMI_INSTANCE_NOT_FOUND (stopped by logman) and others leave a zeroed block: ignored.
        Assert.Equal(new SessionCounters(5, 1, 2, 100), counters.Update(4201, default));
        Assert.Equal(new SessionCounters(5, 1, 2, 100), counters.Update(87, default));
        Assert.Equal(2, counters.FailedCalls);
        // ERROR_MORE_DATA filled the counters (only names did not fit).
        Assert.Equal(new SessionCounters(9, 1, 3, 120), counters.Update(234, new SessionCounters(9, 1, 3, 120)));
        Assert.Equal(4, counters.Last.BuffersLost);

        var loss = new LossCounters();
        loss.SetSession(9, 4);
        loss.SetSession(0, 0);
        Assert.Equal((9, 4), (loss.SessionEventsLost, loss.SessionBuffersLost));
    }

    private sealed class Shutdown
    {
        public readonly List<string> Calls = new();
        public readonly ShutdownSequence Sequence;

        public Shutdown() => Sequence = new ShutdownSequence(
            () => Calls.Add("finish"), () => Calls.Add("stop-session"), code => Calls.Add($"exit {code}"),
            t => { Calls.Add($"wait {t.TotalSeconds:0}"); return true; });
    }

    [Fact]
    public void First_ctrl_c_finishes_the_files_and_a_second_one_stops_the_session_and_exits()
    {
        var s = new Shutdown();
        Assert.True(s.Sequence.OnSignal(StopSignal.Interrupt));
        Assert.Equal(["finish"], s.Calls);
        Assert.True(s.Sequence.OnSignal(StopSignal.Break));
        Assert.Equal(["finish", "stop-session", "exit 130"], s.Calls);
    }

    [Theory]
    [InlineData(StopSignal.ConsoleClose)]
    [InlineData(StopSignal.Logoff)]
    [InlineData(StopSignal.Shutdown)]
    public void Console_close_logoff_and_shutdown_stop_the_session_before_anything_else(StopSignal signal)
    {
        var s = new Shutdown();
        Assert.True(s.Sequence.OnSignal(signal));
        Assert.Equal(["stop-session", "finish", "wait 4"], s.Calls);
        Assert.True(ShutdownSequence.EndingGrace < TimeSpan.FromSeconds(5), "Windows ends the process about 5 s after a close event");
    }

    [Fact]
    public unsafe void Extended_items_are_packed_so_a_stack_after_other_items_is_found()
    {
        byte[] tsId = [1, 0, 0, 0];                              // TS_ID: session id, 4 bytes
        byte[] sid = new byte[12];                                // SID: 12 bytes, not a multiple of 8
        sid[0] = 1;
        byte[] stack = new byte[8 + 3 * 8];                       // STACK_TRACE64: MatchId then 3 frames
        for (int i = 0; i < 3; i++) BinaryPrimitives.WriteUInt64LittleEndian(stack.AsSpan(8 + 8 * i), 0x7FF0_0000_1000UL + (ulong)i);
        fixed (byte* pTs = tsId, pSid = sid, pStack = stack)
        {
            EventHeaderExtendedDataItem[] items =
            [
                new() { ExtType = 3, DataSize = (ushort)tsId.Length, DataPtr = (ulong)pTs, Linkage = 0x1234 },
                new() { ExtType = 2, DataSize = (ushort)sid.Length, DataPtr = (ulong)pSid },
                new() { ExtType = 6, DataSize = (ushort)stack.Length, DataPtr = (ulong)pStack },
            ];
            int length = ExtendedItems.PackedLength(items);
            Assert.Equal(8 + 8 + 8 + 16 + 8 + 32, length);
            byte[] packed = new byte[length];
            ExtendedItems.Pack(items, packed);
            Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(packed.AsSpan(4)));   // more follow
            Assert.Equal(0, BinaryPrimitives.ReadUInt16LittleEndian(packed.AsSpan(40)));  // the last one: none
            var record = new EventRecord { Header = HeaderKind.EventHeader, PointerSize = 8, ExtendedData = packed };
            ulong[] frames = new ulong[1];
            Assert.True(StackWalkPayloads.TryReadExtendedStack(record, ref frames, out int count));
            Assert.Equal(3, count);
            Assert.Equal(0x7FF0_0000_1002UL, frames[2]);
        }
    }

    [Fact]
    public void The_watchdog_warns_once_then_stops_when_no_handle_event_arrives()
    {
        var w = new HandleEventWatchdog(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15));
        Assert.Equal(WatchdogVerdict.Fine, w.Check(TimeSpan.FromSeconds(2)));
        Assert.Equal(WatchdogVerdict.Warn, w.Check(TimeSpan.FromSeconds(5)));
        Assert.Equal(WatchdogVerdict.Fine, w.Check(TimeSpan.FromSeconds(6)));
        w.OnHandle(new HandleEvent { Op = HandleOp.RundownStart }); // inventory rows are not session events
        Assert.Equal(WatchdogVerdict.Stop, w.Check(TimeSpan.FromSeconds(15)));
        w.OnHandle(new HandleEvent { Op = HandleOp.Close });
        Assert.Equal(WatchdogVerdict.Fine, w.Check(TimeSpan.FromHours(1)));
        Assert.Contains("WPR", w.StopMessage(1000, "private system logger"));
    }

    [Fact]
    public void A_session_that_delivers_only_other_events_stops_with_a_failure()
    {
        var replay = SyntheticReplay.From(HandleEtw.Synthetic.Scenarios.HandleScenarios.LeakyHandles(iterations: 10));
        List<ReplayRecord> others = replay.Stream.Where(r => r.Header.ProviderId != KernelTasks.ObjectTaskId).ToList();
        Assert.NotEmpty(others);
        using var source = ReplaySource.FromRecords(replay.Info, Endless(others));
        var recorder = new Recorder(new RecordOptions { NoHandleEventsLimit = TimeSpan.FromSeconds(1.5) },
            new RecordingIo(new StringWriter(), new StringWriter(), ErrorIsTerminal: false));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        RecordingResult result = recorder.Run(source, new EmptyInventory(), new TargetFilter(null, []), null, timeout.Token);
        Assert.True(result.NoHandleEvents);
        Assert.StartsWith("no handle event arrived", result.StopReason);
        Assert.False(timeout.IsCancellationRequested);
    }

    private static IEnumerable<ReplayRecord> Endless(List<ReplayRecord> records)
    {
        long shift = 0;
        while (true)
        {
            foreach (ReplayRecord r in records)
                yield return r with { Header = r.Header with { Timestamp = r.Header.Timestamp + shift } };
            shift += 1_000_000;
            Thread.Sleep(20);
        }
    }

    private sealed class EmptyInventory : IInventoryProvider
    {
        public HandleInventory Take() => HandleInventory.Empty;
    }

    [Fact]
    public void A_kernel_handle_listed_at_start_matches_its_later_close()
    {
        byte[] list = new byte[16 + 40];
        BinaryPrimitives.WriteUInt64LittleEndian(list, 1);
        BinaryPrimitives.WriteUInt64LittleEndian(list.AsSpan(16 + 8), 4);    // System process
        BinaryPrimitives.WriteUInt64LittleEndian(list.AsSpan(16 + 16), 0x24); // as class 64 lists it: no bit 31
        var inv = new HandleInventory { Handles = InventoryParsers.ParseHandles(list), ObjectTypes = new Dictionary<ushort, string>() };
        var tracker = new HandleTracker(new TraceInfo { Source = "test", PointerSize = 8, ClockFrequency = 10_000_000 });
        Recorder.EmitInventory(inv, tracker);
        // A driver thread running in process 1234 closes the kernel handle: ETW logs it with bit 31 set.
        tracker.OnHandle(new HandleEvent { Op = HandleOp.Close, Timestamp = 10, ProcessId = 1234, ThreadId = 8, Handle = 0x80000024, StackId = -1 });
        Assert.Equal(0, tracker.Counters.UnknownClosesGap + tracker.Counters.UnknownClosesPredatingTrace);
        Assert.Equal(0, tracker.LiveHandleCount);
    }
}
