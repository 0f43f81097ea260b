using HandleEtw.Core.Events;
using HandleEtw.Core.Records;
using HandleEtw.Core.Stacks;
using HandleEtw.Etl.Decoding;

namespace HandleEtw.Tests.Decoding;

/// <summary>A raw record as a test describes it; <see cref="Record"/> turns it into the ref struct the decoders take.</summary>
public sealed record RawRecord(
    KernelGroup Group, byte Opcode, byte[] Payload, int PointerSize = 8, byte Version = 2, int ProcessId = 100,
    int ThreadId = 200, long Timestamp = 1000, ushort Cpu = 0, Guid ProviderId = default,
    HeaderKind Header = HeaderKind.System)
{
    public EventRecord Record => new()
    {
        Group = Group, Opcode = Opcode, Version = Version, ProviderId = ProviderId, Header = Header,
        PointerSize = (byte)PointerSize, ProcessId = ProcessId, ThreadId = ThreadId, Cpu = Cpu,
        Timestamp = Timestamp, Payload = Payload,
    };
}

/// <summary>Keeps everything a decoder emits, in order.</summary>
public sealed class RecordingConsumer : TraceConsumer
{
    public List<object> Events { get; } = new();
    public List<HandleEvent> Handles { get; } = new();
    public long EndTimestamp { get; private set; } = -1;

    public override void OnHandle(in HandleEvent e) { Handles.Add(e); Events.Add(e); }
    public override void OnProcess(in ProcessEvent e) => Events.Add(e);
    public override void OnThread(in ThreadEvent e) => Events.Add(e);
    public override void OnImage(in ImageEvent e) => Events.Add(e);
    public override void OnImageIdentity(in ImageIdentity e) => Events.Add(e);
    public override void OnObjectType(long timestamp, ushort typeIndex, string name) => Events.Add((typeIndex, name));
    public override void OnLoss(in LossEvent e) => Events.Add(e);
    public override void OnEnd(long endTimestamp) => EndTimestamp = endTimestamp;
}

/// <summary>A decoder with a recording consumer, fed records one by one.</summary>
public sealed class DecoderHarness
{
    public DecoderHarness()
    {
        Decoder = new TraceDecoder(new TraceInfo(), Stacks, Consumer);
    }

    public StackTable Stacks { get; } = new();
    public RecordingConsumer Consumer { get; } = new();
    public TraceDecoder Decoder { get; }
    public DecoderCounters Counters => Decoder.Counters;

    public DecoderHarness Feed(params RawRecord[] records)
    {
        foreach (RawRecord r in records) Decoder.OnRecord(r.Record);
        return this;
    }

    public DecoderHarness Finish()
    {
        Decoder.Finish();
        return this;
    }
}
