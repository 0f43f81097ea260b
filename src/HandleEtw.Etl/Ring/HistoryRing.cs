using System.Numerics;
using HandleEtw.Core.Records;

namespace HandleEtw.Etl.Ring;

/// <summary>
/// The last stretch of raw records, kept in memory (`record --ring SIZE`): a <see cref="RecordRing"/> that the
/// consumer thread both fills and empties, so when a record does not fit the oldest ones make room. Bounded by its
/// size, whatever the run's length.
/// </summary>
public sealed class HistoryRing : IRecordSink
{
    /// <summary>The ring is one array: at most 1 GB.</summary>
    public const long MaxBytes = 1L << 30;
    public const long MinBytes = 1L << 20;

    private readonly RecordRing _ring;

    /// <param name="bytes">Rounded down to a power of two (the ring's addressing), between 1 MB and 1 GB.</param>
    public HistoryRing(long bytes)
    {
        if (bytes < MinBytes || bytes > MaxBytes) throw new ArgumentOutOfRangeException(nameof(bytes), "between 1 MB and 1 GB");
        _ring = new RecordRing((int)BitOperations.RoundUpToPowerOf2((ulong)bytes + 1) / 2);
    }

    public long Capacity => _ring.Capacity;
    public long UsedBytes => _ring.UsedBytes;

    /// <summary>Bytes offered so far (the rate a budget estimate divides by).</summary>
    public long BytesAppended { get; private set; }

    /// <summary>Records pushed out to make room: the ring's window no longer reaches back to the run's start.</summary>
    public long Evicted { get; private set; }

    /// <summary>Records larger than half the ring, never kept.</summary>
    public long TooLarge { get; private set; }

    /// <summary>Timestamp of the oldest record still held (0 while empty).</summary>
    public long WindowStart { get; private set; }

    public void OnRecord(in EventRecord record)
    {
        int size = RecordRing.EntrySize(record.Payload.Length, record.ExtendedData.Length);
        BytesAppended += size;
        if (size > _ring.Capacity / 2)
        {
            TooLarge++;
            return;
        }
        bool evicted = false;
        while (!_ring.CanWrite(record.Payload.Length, record.ExtendedData.Length) && _ring.TryPeek(out _, out _, out _))
        {
            _ring.Release();
            Evicted++;
            evicted = true;
        }
        _ring.TryWrite(RawRecordHeader.From(record), record.Payload, record.ExtendedData);
        if (evicted && _ring.TryPeek(out RawRecordHeader oldest, out _, out _)) WindowStart = oldest.Timestamp;
        else if (WindowStart == 0) WindowStart = record.Timestamp;
    }

    /// <summary>Every record held, oldest first; the ring keeps them.</summary>
    public void CopyTo(IRecordSink sink) =>
        _ring.Visit((in RawRecordHeader h, ReadOnlySpan<byte> user, ReadOnlySpan<byte> extended) => sink.OnRecord(h.ToRecord(user, extended)));
}
