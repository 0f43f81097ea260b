using HandleEtw.Core.Records;
using HandleEtw.Etl.Decoding;

namespace HandleEtw.Tests.Decoding;

/// <summary>The merge tells the decoder which record comes next so it can start loading a stack key's entry: a hint
/// that must never fail or change anything, whatever the record holds.</summary>
public class UpcomingHintTests
{
    [Theory]
    [InlineData(KernelGroup.StackWalk, 37, 0, 8)]
    [InlineData(KernelGroup.StackWalk, 38, 19, 4)]
    [InlineData(KernelGroup.StackWalk, 37, 23, 8)]
    [InlineData(KernelGroup.StackWalk, 38, 23, 0)]
    [InlineData(KernelGroup.StackWalk, 37, 24, 8)]
    [InlineData(KernelGroup.StackWalk, 32, 5, 8)]
    [InlineData(KernelGroup.StackWalk, 35, 0, 8)]
    [InlineData(KernelGroup.StackWalk, 36, 3, 4)]
    [InlineData(KernelGroup.StackWalk, 36, 500, 8)]
    [InlineData(KernelGroup.StackWalk, 35, 8, 8)]
    [InlineData(KernelGroup.StackWalk, 35, 15, 8)]
    [InlineData(KernelGroup.StackWalk, 35, 17, 8)]
    [InlineData(KernelGroup.StackWalk, 36, 500, 4)]
    [InlineData(KernelGroup.Object, 32, 40, 8)]
    public void A_hint_about_any_record_changes_nothing(KernelGroup group, byte opcode, int payloadBytes, byte pointerSize)
    {
        var harness = new DecoderHarness();
        var header = new RecordHeader { Group = group, Opcode = opcode, PointerSize = pointerSize };
        byte[] payload = new byte[payloadBytes];
        new Random(payloadBytes).NextBytes(payload);
        IRecordLookahead sink = harness.Decoder;
        sink.Upcoming(header, payload);
        harness.Finish();
        Assert.Equal(0, harness.Counters.Records);
        Assert.Equal(0, harness.Counters.StackRecords);
        Assert.Equal(0, harness.Counters.MalformedPayloads);
        Assert.Equal(0, harness.Counters.UnresolvedStackKeys);
        Assert.Equal(0, harness.Stacks.Count);
        Assert.Empty(harness.Consumer.Events);
    }

    [Theory]
    [InlineData(8, 0)]
    [InlineData(16, 1)]
    [InlineData(23, 1)]
    [InlineData(8 + 8 * 40, 40)]
    public void A_definition_peeked_at_has_the_frames_it_is_read_with(int payloadBytes, int frameCount)
    {
        byte[] payload = new byte[payloadBytes];
        new Random(payloadBytes).NextBytes(payload);
        var record = new EventRecord(new RecordHeader { Group = KernelGroup.StackWalk, Opcode = 35, PointerSize = 8 }, payload, default);
        ulong[] buffer = [];
        Assert.True(StackWalkPayloads.TryReadKeyDefinition(record, out _, ref buffer, out ReadOnlySpan<ulong> read));
        ReadOnlySpan<ulong> peeked = StackWalkPayloads.PeekDefinitionFrames(payload, 8);
        Assert.Equal(frameCount, peeked.Length);
        Assert.True(peeked.SequenceEqual(read));
        Assert.True(StackWalkPayloads.PeekDefinitionFrames(payload, 4).IsEmpty); // 32-bit frames would need a copy
    }
}
