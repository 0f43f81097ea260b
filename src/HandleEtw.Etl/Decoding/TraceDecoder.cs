using System.Runtime.CompilerServices;
using HandleEtw.Core.Events;
using HandleEtw.Core.Records;
using HandleEtw.Core.Stacks;
using HandleEtw.Etl.Stacks;

namespace HandleEtw.Etl.Decoding;

/// <summary>
/// Decodes the kernel records handleetw needs, joins their stacks and hands the events on in time order.
/// Shared by the .etl reader and the live session. A malformed payload is counted and skipped, never thrown.
/// </summary>
public sealed class TraceDecoder : IRecordSink, ISegmentSink, IRecordLookahead
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
        if (ObjectPayloads.IsHandleEvent(record)) DecodeHandle(record); // most records: decoded without the switch
        else if (IsWanted(record))
        {
            long seq = _join.LogEvent(record, hold: true);
            if (!TryDecode(record, ref _join.Held(seq))) Skip(ref _join.Held(seq));
            _join.Decoded(seq);
        }
        else _join.LogEvent(record, hold: false);
    }

    public void Upcoming(in RecordHeader header, ReadOnlySpan<byte> payload)
    {
        if (header.Group == KernelGroup.StackWalk) _join.Upcoming(header.Opcode, payload, header.PointerSize);
    }

    private void DecodeHandle(in EventRecord record)
    {
        long seq = _join.LogEvent(record, hold: true);
        ref HeldEvent held = ref _join.Held(seq);
        held.Kind = HeldKind.Handle;
        Counters.HandleEvents++;
        if (!ObjectPayloads.TryReadHandle(record, out held.Handle)) Skip(ref held);
        _join.Decoded(seq);
    }

    private void Skip(ref HeldEvent held)
    {
        Counters.MalformedPayloads++;
        held.Kind = HeldKind.Skipped; // keeps its place as a stack target, emits nothing
    }

    /// <summary>The next file of a sequence: passed on in order, after the events of the earlier files.</summary>
    public void OnSegment(in TraceSegment segment)
    {
        ref HeldEvent held = ref _join.HoldMarker();
        held.Kind = HeldKind.Segment;
        held.Other = segment;
    }

    /// <summary>End of input: emits what is still held back, then calls <see cref="TraceConsumer.OnEnd"/>.</summary>
    public void Finish()
    {
        _join.Finish();
        // A payload too short for its event may have been any handle event: the results are lossy.
        Info.DamagedRecords += Counters.MalformedPayloads;
        _consumer.OnEnd(Counters.LastTimestamp);
    }

    private static bool IsWanted(in EventRecord r) => r.Group switch
    {
        KernelGroup.Object => ObjectPayloads.IsHandleEvent(r) || ObjectPayloads.IsTypeEvent(r),
        KernelGroup.Process => ProcessPayloads.IsProcessEvent(r) || ImagePayloads.IsImageEvent(r),
        KernelGroup.Thread => ThreadPayloads.IsThreadEvent(r),
        KernelGroup.Image => ImagePayloads.IsImageEvent(r),
        KernelGroup.None => ImageIdPayloads.IsRsds(r) || LossPayloads.IsLoss(r) || Win32kPayloads.IsHandleEvent(r)
            || ClrPayloads.Classify(r) != ClrPayloads.Kind.None,
        _ => false,
    };

    private bool TryDecode(in EventRecord r, ref HeldEvent held)
    {
        switch (r.Group)
        {
            case KernelGroup.Object when ObjectPayloads.IsTypeEvent(r):
                held.Kind = HeldKind.ObjectType;
                if (!ObjectPayloads.TryReadObjectType(r, out ushort typeIndex, out string typeName)) return false;
                held.Other = new ObjectTypeName(r.Timestamp, typeIndex, typeName);
                return true;
            case KernelGroup.Object:
                held.Kind = HeldKind.Handle;
                Counters.HandleEvents++;
                return ObjectPayloads.TryReadHandle(r, out held.Handle);
            case KernelGroup.Process when ProcessPayloads.IsProcessEvent(r):
                return Box(ref held, HeldKind.Process, ProcessPayloads.TryRead(r, out ProcessEvent process), process);
            case KernelGroup.Process or KernelGroup.Image:
                return Box(ref held, HeldKind.Image, ImagePayloads.TryRead(r, out ImageEvent image), image);
            case KernelGroup.Thread:
                return Box(ref held, HeldKind.Thread, ThreadPayloads.TryRead(r, out ThreadEvent thread), thread);
            case KernelGroup.None when LossPayloads.IsLoss(r):
                if (!LossPayloads.TryRead(r, out LossEvent loss)) return false;
                Info.EventsLost += loss.Events;
                Info.BuffersLost += loss.Buffers;
                return Box(ref held, HeldKind.Loss, true, loss);
            case KernelGroup.None when Win32kPayloads.IsHandleEvent(r):
                Counters.GuiHandleEvents++;
                return Box(ref held, HeldKind.GuiHandle, Win32kPayloads.TryRead(r, out GuiHandleEvent gui), gui);
            case KernelGroup.None when !ImageIdPayloads.IsRsds(r):
                return TryDecodeClr(r, ref held);
            default:
                return Box(ref held, HeldKind.ImageIdentity, ImageIdPayloads.TryReadRsds(r, out ImageIdentity id), id);
        }
    }

    private bool TryDecodeClr(in EventRecord r, ref HeldEvent held)
    {
        Counters.ClrEvents++;
        return ClrPayloads.Classify(r) switch
        {
            ClrPayloads.Kind.Method => Box(ref held, HeldKind.Method, ClrPayloads.TryReadMethod(r, out MethodEvent m), m),
            ClrPayloads.Kind.Module => Box(ref held, HeldKind.ClrModule, ClrPayloads.TryReadModule(r, out ClrModuleEvent c), c),
            _ => Box(ref held, HeldKind.ClrNote, ClrPayloads.TryReadNote(r, out ClrNoteEvent n), n),
        };
    }

    private static bool Box<T>(ref HeldEvent held, HeldKind kind, bool decoded, T value) where T : struct
    {
        if (!decoded) return false;
        held.Kind = kind;
        held.Other = value;
        return true;
    }

    /// <summary>The stack join is done with an event: it goes to the consumer with its stack id.</summary>
    internal void Emit(ref HeldEvent e, int stackId)
    {
        if (e.Kind != HeldKind.Handle)
        {
            EmitOther(ref e, stackId);
            return;
        }
        _consumer.OnHandle(e.Handle with { StackId = stackId });
        Counters.EmittedEvents++;
    }

    /// <summary>The rarer kinds, apart from the handle events: their unboxed copies would otherwise make every call
    /// set up (and clear) room for all of them.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void EmitOther(ref HeldEvent e, int stackId)
    {
        switch (e.Kind)
        {
            case HeldKind.GuiHandle:
                _consumer.OnGuiHandle((GuiHandleEvent)e.Other! with { StackId = stackId });
                break;
            case HeldKind.Process:
                _consumer.OnProcess((ProcessEvent)e.Other! with { StackId = stackId });
                break;
            case HeldKind.Thread:
                _consumer.OnThread((ThreadEvent)e.Other!);
                break;
            case HeldKind.Image:
                _consumer.OnImage((ImageEvent)e.Other!);
                break;
            case HeldKind.ImageIdentity:
                _consumer.OnImageIdentity((ImageIdentity)e.Other!);
                break;
            case HeldKind.ObjectType:
                var type = (ObjectTypeName)e.Other!;
                _consumer.OnObjectType(type.Timestamp, type.Index, type.Name);
                break;
            case HeldKind.Loss:
                _consumer.OnLoss((LossEvent)e.Other!);
                break;
            case HeldKind.Method:
                _consumer.OnMethod((MethodEvent)e.Other!);
                break;
            case HeldKind.ClrModule:
                _consumer.OnClrModule((ClrModuleEvent)e.Other!);
                break;
            case HeldKind.ClrNote:
                _consumer.OnClrNote((ClrNoteEvent)e.Other!);
                break;
            case HeldKind.Segment:
                _consumer.OnSegment((TraceSegment)e.Other!);
                return;
            default:
                return;
        }
        Counters.EmittedEvents++;
    }
}

/// <summary>An object type's name from the type rundown, held like the other rare events.</summary>
internal sealed record ObjectTypeName(long Timestamp, ushort Index, string Name);

/// <summary>What the decoder and the stack join saw.</summary>
public sealed class DecoderCounters
{
    public long Records { get; set; }
    public long HandleEvents { get; set; }

    /// <summary>GDI/USER handle events (Win32k provider) decoded or found malformed.</summary>
    public long GuiHandleEvents { get; set; }

    /// <summary>Events of any kind (decoded or not) that at least one stack record attached to.</summary>
    public long EventsWithStacks { get; set; }

    /// <summary>Stack and stack-key records whose target event was not among the recent events.</summary>
    public long OrphanStacks { get; set; }

    /// <summary>Cached stack keys referenced and never defined by a later KeyDelete/KeyRundown.</summary>
    public long UnresolvedStackKeys { get; set; }

    /// <summary>Threads whose parked kernel stacks never got the user part (the trace ended first).</summary>
    public long MissingUserFragments { get; set; }

    /// <summary>Events whose stack was still missing a part at the end (a key never defined, a user fragment never
    /// logged): they keep the frames that were known.</summary>
    public long PartialStackEvents { get; set; }

    /// <summary>Stack records for an event already emitted (a second stack for one event).</summary>
    public long LateStacks { get; set; }

    /// <summary>.NET runtime method/module/rundown events decoded (or found malformed).</summary>
    public long ClrEvents { get; set; }

    public long StackRecords { get; set; }
    public long StackKeyDefinitions { get; set; }
    public long MalformedPayloads { get; set; }

    /// <summary>Decoded events handed to the consumer.</summary>
    public long EmittedEvents { get; set; }
    public long LastTimestamp { get; set; }
}
