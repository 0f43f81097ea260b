using HandleEtw.Core.Events;
using HandleEtw.Core.Records;
using HandleEtw.Core.Stacks;

namespace HandleEtw.Etl.Decoding;

/// <summary>
/// Decodes the kernel records handleetw needs, joins their stacks and hands the events on in time order.
/// Shared by the .etl reader and the live session.
/// </summary>
public sealed class TraceDecoder(TraceInfo info, StackTable stacks, TraceConsumer consumer) : IRecordSink
{
    public TraceInfo Info { get; } = info;
    public StackTable Stacks { get; } = stacks;
    public DecoderCounters Counters { get; } = new();

    public void OnRecord(in EventRecord record) => throw new NotSupportedException("the decoder is not built yet");

    /// <summary>End of input: emits what is still held back, then calls <see cref="TraceConsumer.OnEnd"/>.</summary>
    public void Finish() => consumer.OnEnd(0);
}

/// <summary>What the decoder and the stack join saw.</summary>
public sealed class DecoderCounters
{
    public long Records { get; set; }
    public long HandleEvents { get; set; }
    public long EventsWithStacks { get; set; }
    public long OrphanStacks { get; set; }
    public long UnresolvedStackKeys { get; set; }
    public long MalformedPayloads { get; set; }
    public long LastTimestamp { get; set; }
}
