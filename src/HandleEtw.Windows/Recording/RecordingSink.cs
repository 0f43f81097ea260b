using HandleEtw.Core.Events;
using HandleEtw.Core.Records;
using HandleEtw.Windows.Ring;

namespace HandleEtw.Windows.Recording;

/// <summary>
/// Sits between the ring and the decoder on the consumer thread: counts records, and between records injects what
/// other threads asked for — snapshot marks (`s` key, --snapshot-every) and per-second loss deltas — so they enter
/// the event stream in order with the records around them.
/// </summary>
internal sealed class RecordingSink(IRecordSink decoder, TraceConsumer consumer, RingFedSource source) : IRecordSink
{
    private int _snapshotRequests;
    private int _snapshots;
    private long _nextLossCheck;
    private long _reportedEvents, _reportedBuffers;

    public long Records => Volatile.Read(ref _records);
    private long _records;

    public long LastTimestamp { get; private set; }

    /// <summary>Bytes of the records so far, as the ring holds them (a budget estimate divides by their rate).</summary>
    public long Bytes => Volatile.Read(ref _bytes);
    private long _bytes;

    /// <summary>Any thread: the next record boundary emits a snapshot mark.</summary>
    public void RequestSnapshot() => Interlocked.Increment(ref _snapshotRequests);

    public int Snapshots => Volatile.Read(ref _snapshots);

    /// <summary>Lost events reported so far (session counters + our ring drops).</summary>
    public long LostEvents => source.Loss.SessionEventsLost + source.Ring.Dropped;

    public void OnRecord(in EventRecord record)
    {
        LastTimestamp = Math.Max(LastTimestamp, record.Timestamp);
        if (Volatile.Read(ref _snapshotRequests) > 0) EmitSnapshots(record.Timestamp);
        long now = Environment.TickCount64;
        if (now >= _nextLossCheck)
        {
            _nextLossCheck = now + 1000;
            EmitLoss(record.Timestamp);
        }
        decoder.OnRecord(record);
        Interlocked.Increment(ref _records);
        Volatile.Write(ref _bytes, _bytes + HandleEtw.Etl.Ring.RecordRing.EntrySize(record.Payload.Length, record.ExtendedData.Length));
    }

    private void EmitSnapshots(long timestamp)
    {
        while (Interlocked.Exchange(ref _snapshotRequests, 0) > 0)
        {
            int n = Interlocked.Increment(ref _snapshots);
            consumer.OnSnapshot(timestamp, $"s{n}");
        }
    }

    /// <summary>Turns loss counter growth into a LossEvent (also called once at the end).</summary>
    public void EmitLoss(long timestamp)
    {
        long events = LostEvents;
        long buffers = source.Loss.SessionBuffersLost;
        if (events == _reportedEvents && buffers == _reportedBuffers) return;
        consumer.OnLoss(new LossEvent { Timestamp = timestamp, Events = events - _reportedEvents, Buffers = buffers - _reportedBuffers });
        _reportedEvents = events;
        _reportedBuffers = buffers;
        source.Info.EventsLost = Math.Max(source.Info.EventsLost, events);
        source.Info.BuffersLost = Math.Max(source.Info.BuffersLost, buffers);
    }
}
