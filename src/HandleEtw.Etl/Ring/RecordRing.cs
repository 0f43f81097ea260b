using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace HandleEtw.Etl.Ring;

/// <summary>
/// Single-producer single-consumer byte ring of variable-size records, allocated once. The producer (the ETW record
/// callback, or a replay thread) never blocks and never allocates: when a record does not fit it is dropped and
/// counted. Entry layout: u32 length (0xFFFFFFFF = wrap to start), u32 reserved, <see cref="RawRecordHeader"/>,
/// user data, extended data, padded to 8 bytes.
/// </summary>
public sealed class RecordRing
{
    private const uint WrapMarker = uint.MaxValue;
    private const int PrefixSize = 8;
    private static readonly int HeaderSize = Unsafe.SizeOf<RawRecordHeader>();

    private readonly byte[] _buffer;
    private readonly int _mask;
    private long _head; // total bytes published by the producer
    private long _tail; // total bytes released by the consumer
    private long _dropped;
    private long _written;

    /// <param name="capacityBytes">Rounded up to a power of two, at least 64 KB.</param>
    public RecordRing(int capacityBytes)
    {
        int capacity = (int)Math.Max(64 * 1024, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)capacityBytes));
        _buffer = new byte[capacity];
        _mask = capacity - 1;
    }

    public int Capacity => _buffer.Length;

    /// <summary>Records refused because the ring was full (or the record larger than half the ring): our own loss.</summary>
    public long Dropped => Volatile.Read(ref _dropped);
    public long Written => Volatile.Read(ref _written);
    public bool IsEmpty => Volatile.Read(ref _tail) == Volatile.Read(ref _head);

    /// <summary>Bytes an entry with these data lengths occupies.</summary>
    public static int EntrySize(int userLength, int extendedLength) =>
        (PrefixSize + HeaderSize + userLength + extendedLength + 7) & ~7;

    /// <summary>Producer: whether a record of these lengths fits now (a replay producer waits instead of dropping).</summary>
    public bool CanWrite(int userLength, int extendedLength)
    {
        int need = EntrySize(userLength, extendedLength);
        if (need > _buffer.Length / 2) return true; // TryWrite will refuse it and count it; waiting would not help
        long head = _head;
        int position = (int)(head & _mask);
        int slack = _buffer.Length - position < need ? _buffer.Length - position : 0;
        return _buffer.Length - (head - Volatile.Read(ref _tail)) >= slack + need;
    }

    /// <summary>Producer: copies one record in. False (and counted as dropped) when it does not fit.</summary>
    public bool TryWrite(in RawRecordHeader header, ReadOnlySpan<byte> userData, ReadOnlySpan<byte> extendedData)
    {
        if (!TryReserve(userData.Length, extendedData.Length, out Span<byte> entry, out long newHead))
            return false;
        RawRecordHeader h = header;
        h.UserDataLength = userData.Length;
        h.ExtendedDataLength = extendedData.Length;
        MemoryMarshal.Write(entry[PrefixSize..], in h);
        userData.CopyTo(entry[(PrefixSize + HeaderSize)..]);
        extendedData.CopyTo(entry[(PrefixSize + HeaderSize + userData.Length)..]);
        Publish(newHead);
        return true;
    }

    /// <summary>
    /// Producer, two-step form for callers that assemble the data in place (the live callback flattens extended
    /// data items straight into the ring): reserve, fill <paramref name="entry"/> after the header, then
    /// <see cref="Commit"/>.
    /// </summary>
    public bool TryReserve(int userLength, int extendedLength, out Span<byte> entry, out long newHead)
    {
        entry = default;
        newHead = 0;
        if (userLength < 0 || extendedLength < 0) return Drop();
        long size = (long)PrefixSize + HeaderSize + userLength + extendedLength;
        if (size > _buffer.Length / 2) return Drop();
        int need = (int)((size + 7) & ~7L);
        long head = _head; // only this thread writes _head
        long free = _buffer.Length - (head - Volatile.Read(ref _tail));
        int position = (int)(head & _mask);
        int slack = _buffer.Length - position < need ? _buffer.Length - position : 0;
        if (free < slack + need) return Drop();
        if (slack > 0)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(position), WrapMarker);
            position = 0;
        }
        entry = _buffer.AsSpan(position, need);
        BinaryPrimitives.WriteUInt32LittleEndian(entry, (uint)need);
        newHead = head + slack + need;
        return true;
    }

    /// <summary>Producer: writes the header of a reserved entry and makes it visible to the consumer.</summary>
    public void Commit(Span<byte> entry, in RawRecordHeader header, long newHead)
    {
        MemoryMarshal.Write(entry[PrefixSize..], in header);
        Publish(newHead);
    }

    /// <summary>Offset of the user data inside a reserved entry.</summary>
    public static int DataOffset => PrefixSize + HeaderSize;

    private void Publish(long newHead)
    {
        Volatile.Write(ref _head, newHead);
        Interlocked.Increment(ref _written);
    }

    private bool Drop()
    {
        Interlocked.Increment(ref _dropped);
        return false;
    }

    /// <summary>Consumer: the oldest entry, valid until <see cref="Release"/>. False when empty.</summary>
    public bool TryPeek(out RawRecordHeader header, out ReadOnlySpan<byte> userData, out ReadOnlySpan<byte> extendedData)
    {
        header = default;
        userData = extendedData = default;
        while (true)
        {
            long tail = _tail; // only this thread writes _tail
            if (tail == Volatile.Read(ref _head)) return false;
            int position = (int)(tail & _mask);
            uint length = MemoryMarshal.Read<uint>(_buffer.AsSpan(position));
            if (length == WrapMarker)
            {
                Volatile.Write(ref _tail, tail + (_buffer.Length - position));
                continue;
            }
            ReadOnlySpan<byte> entry = _buffer.AsSpan(position, (int)length);
            header = MemoryMarshal.Read<RawRecordHeader>(entry[PrefixSize..]);
            userData = entry.Slice(DataOffset, header.UserDataLength);
            extendedData = entry.Slice(DataOffset + header.UserDataLength, header.ExtendedDataLength);
            return true;
        }
    }

    /// <summary>Sees one entry of <see cref="Visit"/>.</summary>
    public delegate void EntryVisitor(in RawRecordHeader header, ReadOnlySpan<byte> userData, ReadOnlySpan<byte> extendedData);

    /// <summary>Consumer: every entry from the oldest to the newest, leaving them in the ring (a ring kept as history
    /// is written out without being emptied).</summary>
    public void Visit(EntryVisitor visitor)
    {
        long position = _tail, head = Volatile.Read(ref _head);
        while (position < head)
        {
            int offset = (int)(position & _mask);
            uint length = MemoryMarshal.Read<uint>(_buffer.AsSpan(offset));
            if (length == WrapMarker)
            {
                position += _buffer.Length - offset;
                continue;
            }
            ReadOnlySpan<byte> entry = _buffer.AsSpan(offset, (int)length);
            RawRecordHeader header = MemoryMarshal.Read<RawRecordHeader>(entry[PrefixSize..]);
            visitor(header, entry.Slice(DataOffset, header.UserDataLength),
                entry.Slice(DataOffset + header.UserDataLength, header.ExtendedDataLength));
            position += length;
        }
    }

    /// <summary>Bytes the entries occupy now (wrap slack included).</summary>
    public long UsedBytes => Volatile.Read(ref _head) - Volatile.Read(ref _tail);

    /// <summary>Consumer: frees the entry returned by the last <see cref="TryPeek"/>.</summary>
    public void Release()
    {
        long tail = _tail;
        int position = (int)(tail & _mask);
        uint length = MemoryMarshal.Read<uint>(_buffer.AsSpan(position));
        Volatile.Write(ref _tail, tail + length);
    }
}
