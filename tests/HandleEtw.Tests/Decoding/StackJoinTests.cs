using HandleEtw.Core.Events;
using HandleEtw.Core.Records;
using static HandleEtw.Tests.Decoding.KernelRecords;

namespace HandleEtw.Tests.Decoding;

public class StackJoinTests
{
    private static ulong[] Concat(ulong[] a, ulong[] b) => a.Concat(b).ToArray();

    [Fact]
    public void WholeStackInOneFragment_AttachesByTimestampAndThread()
    {
        ulong[] frames = Concat(KernelFrames(3), UserFrames(4));
        var h = new DecoderHarness().Feed(
            CreateHandle(10, 100, 200, 4),
            Other(10, 201),
            Stack(11, 10, 100, 200, frames)).Finish();
        HandleEvent e = Assert.Single(h.Consumer.Handles);
        Assert.Equal(frames, h.Stacks.GetFrames(e.StackId).ToArray());
        Assert.Equal(1, h.Counters.EventsWithStacks);
        Assert.Equal(0, h.Counters.OrphanStacks);
    }

    [Fact]
    public void KernelFragments_ParkUntilUserFragment_ThenAllComplete()
    {
        ulong[] k1 = KernelFrames(3, 1), k2 = KernelFrames(2, 2), user = UserFrames(5);
        var h = new DecoderHarness().Feed(
            CreateHandle(10, 100, 200, 4),
            Stack(11, 10, 100, 200, k1),
            CreateHandle(12, 100, 200, 8),
            Stack(13, 12, 100, 200, k2),
            Other(14, 200),
            Other(15, 300));
        Assert.Empty(h.Consumer.Handles); // waiting for the user part
        h.Feed(Stack(16, 12, 100, 200, user));
        Assert.Equal(2, h.Consumer.Handles.Count);
        Assert.Equal(Concat(k1, user), h.Stacks.GetFrames(h.Consumer.Handles[0].StackId).ToArray());
        Assert.Equal(Concat(k2, user), h.Stacks.GetFrames(h.Consumer.Handles[1].StackId).ToArray());
        h.Finish();
        Assert.Equal(0, h.Counters.MissingUserFragments);
    }

    [Fact]
    public void SystemProcessKernelFragment_CompletesAtOnce()
    {
        ulong[] k = KernelFrames(4);
        var h = new DecoderHarness().Feed(CreateHandle(10, 4, 8, 0x8000_0004), Stack(11, 10, 4, 8, k));
        HandleEvent e = Assert.Single(h.Consumer.Handles);
        Assert.Equal(k, h.Stacks.GetFrames(e.StackId).ToArray());
        Assert.Equal(0x8000_0004u, e.Handle);
    }

    [Fact]
    public void CachedKeys_HeldUntilDefined_ThenEmittedWithTheirFinalId()
    {
        ulong[] k = KernelFrames(3), u = UserFrames(6);
        var h = new DecoderHarness().Feed(
            CreateHandle(10, 100, 200, 4),
            KeyReference(11, 10, 100, 200, key: 0xAA, kernel: true),
            Other(12, 200),
            KeyReference(13, 10, 100, 200, key: 0xBB, kernel: false));
        Assert.Empty(h.Consumer.Handles); // waits for its keys while the history can still reach it
        h.Feed(KeyDefinition(20, 0xBB, u, rundown: true), KeyDefinition(21, 0xAA, k, rundown: true));
        HandleEvent e = Assert.Single(h.Consumer.Handles);
        h.Finish();
        Assert.True(h.Stacks.IsResolved(e.StackId));
        Assert.Equal(e.StackId, h.Stacks.Canonical(e.StackId));
        Assert.Equal(Concat(k, u), h.Stacks.GetFrames(e.StackId).ToArray());
        Assert.Equal(0, h.Counters.UnresolvedStackKeys);
    }

    [Fact]
    public void KeyReusedAfterDelete_NamesTheNewStack()
    {
        ulong[] first = Concat(KernelFrames(2, 1), KernelFrames(1, 9)), second = KernelFrames(3, 5);
        var h = new DecoderHarness().Feed(
            CreateHandle(10, 4, 8, 0x8000_0004),
            KeyReference(11, 10, 4, 8, key: 0xCC, kernel: true),
            KeyDefinition(12, 0xCC, first),
            CreateHandle(13, 4, 8, 0x8000_0008),
            KeyReference(14, 13, 4, 8, key: 0xCC, kernel: true),
            KeyDefinition(15, 0xCC, second)).Finish();
        Assert.Equal(2, h.Consumer.Handles.Count);
        Assert.Equal(first, h.Stacks.GetFrames(h.Consumer.Handles[0].StackId).ToArray());
        Assert.Equal(second, h.Stacks.GetFrames(h.Consumer.Handles[1].StackId).ToArray());
        Assert.Equal(2, h.Counters.StackKeyDefinitions);
    }

    [Fact]
    public void UnresolvedKeys_AreCountedAtFinish()
    {
        var h = new DecoderHarness().Feed(
            CreateHandle(10, 4, 8, 0x8000_0004),
            KeyReference(11, 10, 4, 8, key: 0xDD, kernel: true)).Finish();
        Assert.Equal(1, h.Counters.UnresolvedStackKeys);
        Assert.True(h.Stacks.GetFrames(h.Consumer.Handles[0].StackId).IsEmpty);
    }

    [Fact]
    public void StackWithoutTarget_IsAnOrphan()
    {
        var h = new DecoderHarness().Feed(
            CreateHandle(10, 100, 200, 4),
            Stack(11, 9, 100, 200, UserFrames(2)),
            Stack(12, 10, 100, 999, UserFrames(2))).Finish();
        Assert.Equal(2, h.Counters.OrphanStacks);
        Assert.Equal(-1, h.Consumer.Handles[0].StackId);
        Assert.Equal(0, h.Counters.EventsWithStacks);
    }

    [Fact]
    public void EventWithoutThread_MatchesOnTimestampAndCpu_ThenAdoptsThread()
    {
        var rundown = new RawRecord(KernelGroup.Object, 38,
            new PayloadBuilder(8).Pointer(1).I32(100).U32(4).U16(3).ToArray(), ProcessId: -1, ThreadId: -1,
            Timestamp: 10, Cpu: 2, Header: HeaderKind.PerfInfo);
        ulong[] k = KernelFrames(2), u = UserFrames(2);
        var h = new DecoderHarness().Feed(
            Other(10, -1, cpu: 1),
            rundown,
            Stack(11, 10, 100, 200, k, cpu: 2),
            Stack(12, 10, 100, 200, u, cpu: 3)).Finish();
        Assert.Equal(Concat(k, u), h.Stacks.GetFrames(h.Consumer.Handles[0].StackId).ToArray());
    }

    [Fact]
    public void EventsLeaveInTimeOrder_EvenWhenALaterOneCompletesFirst()
    {
        var h = new DecoderHarness().Feed(
            CreateHandle(10, 100, 200, 4),
            Stack(11, 10, 100, 200, KernelFrames(2)),
            CloseHandle(12, 100, 300, 8),
            Stack(13, 12, 100, 300, Concat(KernelFrames(1), UserFrames(1))));
        Assert.Empty(h.Consumer.Handles);
        h.Finish();
        Assert.Equal([10L, 12L], h.Consumer.Handles.Select(e => e.Timestamp));
        Assert.Equal(1, h.Counters.MissingUserFragments);
        Assert.Equal(KernelFrames(2), h.Stacks.GetFrames(h.Consumer.Handles[0].StackId).ToArray());
    }

    [Fact]
    public void ParkedEventPastTheWindow_IsEmitted_AndCompletesWhenUserPartArrives()
    {
        ulong[] k = KernelFrames(2), u = UserFrames(3);
        var h = new DecoderHarness().Feed(CreateHandle(10, 100, 200, 4), Stack(11, 10, 100, 200, k));
        for (int i = 0; i < 2100; i++) h.Feed(Other(20 + i, 300));
        HandleEvent e = Assert.Single(h.Consumer.Handles);
        Assert.Equal(k, h.Stacks.GetFrames(e.StackId).ToArray());
        h.Feed(Stack(5000, 4000, 100, 200, u));
        Assert.Equal(Concat(k, u), h.Stacks.GetFrames(e.StackId).ToArray());
    }

    [Fact]
    public void EventWithoutStack_WaitsOnlyForTheWindow()
    {
        var h = new DecoderHarness().Feed(CreateHandle(10, 100, 200, 4));
        for (int i = 0; i < 2047; i++) h.Feed(Other(20 + i, 300));
        Assert.Empty(h.Consumer.Handles);
        h.Feed(Other(9000, 300));
        Assert.Equal(-1, Assert.Single(h.Consumer.Handles).StackId);
    }

    [Fact]
    public void MalformedPayload_IsCountedAndSkipped()
    {
        var bad = new RawRecord(KernelGroup.Object, 32, new byte[5], Timestamp: 5);
        var h = new DecoderHarness().Feed(bad, CreateHandle(10, 1, 2, 4)).Finish();
        Assert.Equal(1, h.Counters.MalformedPayloads);
        Assert.Single(h.Consumer.Handles);
        Assert.Equal(10, h.Consumer.EndTimestamp);
    }

    [Fact]
    public void ExtendedStackItem_AttachesDirectly()
    {
        ulong[] frames = UserFrames(3);
        var ext = new PayloadBuilder(8).U16(0).U16(6).U16(0).U16((ushort)(8 + 8 * frames.Length)).U64(77);
        foreach (ulong f in frames) ext.U64(f);
        var guid = HandleEtw.Etl.Decoding.ImageIdPayloads.ImageIdTask;
        byte[] payload = new PayloadBuilder(8).Pointer(1).I32(2).Guid(Guid.NewGuid()).I32(1).Ansi("a.pdb").ToArray();
        var h = new DecoderHarness();
        h.Decoder.OnRecord(new EventRecord
        {
            Group = KernelGroup.None, Opcode = 0x24, ProviderId = guid, PointerSize = 8, Timestamp = 5, ThreadId = 1,
            Payload = payload, ExtendedData = ext.ToArray(), Header = HeaderKind.EventHeader,
        });
        h.Finish();
        Assert.Equal(1, h.Counters.EventsWithStacks);
        Assert.IsType<ImageIdentity>(Assert.Single(h.Consumer.Events));
    }
}
