using HandleEtw.Core.Events;
using HandleEtw.Core.Records;
using HandleEtw.Core.Stacks;
using HandleEtw.Etl.Stacks;

namespace HandleEtw.Etl.Decoding;

/// <summary>
/// Decodes the kernel records handleetw needs, joins their stacks and hands the events on in time order.
/// Shared by the .etl reader and the live session. A malformed payload is counted and skipped, never thrown.
/// </summary>
public sealed class TraceDecoder : IRecordSink, IHeldEventSink
{
    private readonly TraceConsumer _consumer;
    private readonly StackJoin _join;

    public TraceDecoder(TraceInfo info, StackTable stacks, TraceConsumer consumer)
    {
        Info = info;
        Stacks = stacks;
        _consumer = consumer;
        _join = new StackJoin(stacks, Counters, this);
    }

    public TraceInfo Info { get; }
    public StackTable Stacks { get; }
    public DecoderCounters Counters { get; } = new();

    public void OnRecord(in EventRecord record)
    {
        Counters.Records++;
        if (record.Timestamp > Counters.LastTimestamp) Counters.LastTimestamp = record.Timestamp;
        if (record.Group == KernelGroup.StackWalk)
        {
            Counters.StackRecords++;
            _join.OnStackRecord(record);
            return;
        }
        long seq = -1;
        if (IsWanted(record))
        {
            ref HeldEvent held = ref _join.Hold(out seq);
            if (!TryDecode(record, ref held))
            {
                Counters.MalformedPayloads++;
                held.Kind = HeldKind.Skipped; // keeps its place as a stack target, emits nothing
            }
        }
        _join.LogEvent(record, seq);
    }

    /// <summary>End of input: emits what is still held back, then calls <see cref="TraceConsumer.OnEnd"/>.</summary>
    public void Finish()
    {
        _join.Finish();
        _consumer.OnEnd(Counters.LastTimestamp);
    }

    private static bool IsWanted(in EventRecord r) => r.Group switch
    {
        KernelGroup.Object => ObjectPayloads.IsHandleEvent(r) || ObjectPayloads.IsTypeEvent(r),
        KernelGroup.Process => ProcessPayloads.IsProcessEvent(r) || ImagePayloads.IsImageEvent(r),
        KernelGroup.Thread => ThreadPayloads.IsThreadEvent(r),
        KernelGroup.Image => ImagePayloads.IsImageEvent(r),
        KernelGroup.None => ImageIdPayloads.IsRsds(r) || LossPayloads.IsLoss(r),
        _ => false,
    };

    private bool TryDecode(in EventRecord r, ref HeldEvent held)
    {
        held.Timestamp = r.Timestamp;
        switch (r.Group)
        {
            case KernelGroup.Object when ObjectPayloads.IsTypeEvent(r):
                held.Kind = HeldKind.ObjectType;
                return ObjectPayloads.TryReadObjectType(r, out held.TypeIndex, out held.TypeName!);
            case KernelGroup.Object:
                held.Kind = HeldKind.Handle;
                Counters.HandleEvents++;
                return ObjectPayloads.TryReadHandle(r, out held.Handle);
            case KernelGroup.Process when ProcessPayloads.IsProcessEvent(r):
                held.Kind = HeldKind.Process;
                return ProcessPayloads.TryRead(r, out held.Process);
            case KernelGroup.Process or KernelGroup.Image:
                held.Kind = HeldKind.Image;
                return ImagePayloads.TryRead(r, out held.Image);
            case KernelGroup.Thread:
                held.Kind = HeldKind.Thread;
                return ThreadPayloads.TryRead(r, out held.Thread);
            case KernelGroup.None when LossPayloads.IsLoss(r):
                held.Kind = HeldKind.Loss;
                if (!LossPayloads.TryRead(r, out held.Loss)) return false;
                Info.EventsLost += held.Loss.Events;
                Info.BuffersLost += held.Loss.Buffers;
                return true;
            default:
                held.Kind = HeldKind.ImageIdentity;
                return ImageIdPayloads.TryReadRsds(r, out held.Identity);
        }
    }

    void IHeldEventSink.Emit(ref HeldEvent e, int stackId)
    {
        switch (e.Kind)
        {
            case HeldKind.Handle:
                _consumer.OnHandle(e.Handle with { StackId = stackId });
                break;
            case HeldKind.Process:
                _consumer.OnProcess(e.Process with { StackId = stackId });
                break;
            case HeldKind.Thread:
                _consumer.OnThread(e.Thread);
                break;
            case HeldKind.Image:
                _consumer.OnImage(e.Image);
                break;
            case HeldKind.ImageIdentity:
                _consumer.OnImageIdentity(e.Identity);
                break;
            case HeldKind.ObjectType:
                _consumer.OnObjectType(e.Timestamp, e.TypeIndex, e.TypeName ?? "");
                break;
            case HeldKind.Loss:
                _consumer.OnLoss(e.Loss);
                break;
            default:
                return;
        }
        Counters.EmittedEvents++;
    }
}

/// <summary>What the decoder and the stack join saw.</summary>
public sealed class DecoderCounters
{
    public long Records { get; set; }
    public long HandleEvents { get; set; }

    /// <summary>Events of any kind (decoded or not) that at least one stack record attached to.</summary>
    public long EventsWithStacks { get; set; }

    /// <summary>Stack and stack-key records whose target event was not among the recent events.</summary>
    public long OrphanStacks { get; set; }

    /// <summary>Cached stack keys referenced and never defined by a later KeyDelete/KeyRundown.</summary>
    public long UnresolvedStackKeys { get; set; }

    /// <summary>Threads whose parked kernel stacks never got the user part (the trace ended first).</summary>
    public long MissingUserFragments { get; set; }

    /// <summary>Stack records for an event already emitted (a second stack for one event).</summary>
    public long LateStacks { get; set; }

    public long StackRecords { get; set; }
    public long StackKeyDefinitions { get; set; }
    public long MalformedPayloads { get; set; }

    /// <summary>Decoded events handed to the consumer.</summary>
    public long EmittedEvents { get; set; }
    public long LastTimestamp { get; set; }
}
