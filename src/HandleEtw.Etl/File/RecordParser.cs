using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using HandleEtw.Core.Records;

namespace HandleEtw.Etl.File;

internal enum RecordStatus
{
    /// <summary>A record the sink should see.</summary>
    Event,
    /// <summary>Framing understood but not delivered (WPP/TRACE_MESSAGE): stepped over.</summary>
    Skipped,
    /// <summary>A header type this reader does not know, stepped over by its size: it may have been any event, so the
    /// results are lossy.</summary>
    Unknown,
    /// <summary>No more records in this buffer (end of data).</summary>
    End,
    /// <summary>The bytes at this position are not a record or overrun the buffer: the rest of the buffer is lost.
    /// A 0 or 0xFFFFFFFF fill marker before SavedOffset is damage too: writers fill only after it.</summary>
    Damaged,
}

/// <summary>Parses the event records inside one buffer's data (etl-format.md §2.2, §2.3).</summary>
internal static class RecordParser
{
    private const byte System32 = 0x01, System64 = 0x02, Compact32 = 0x03, Compact64 = 0x04;
    private const byte Full32 = 0x0A, Instance32 = 0x0B, PerfInfo32 = 0x10, PerfInfo64 = 0x11;
    private const byte EventHeader32 = 0x12, EventHeader64 = 0x13, Full64 = 0x14, Instance64 = 0x15;
    private const ushort ImageLoadHook = 0x030A;

    /// <summary>Parses the record at <paramref name="pos"/>; <paramref name="next"/> is where the next one starts.</summary>
    /// <param name="buffer">The buffer's data, header included (records are 8-byte aligned relative to its start).</param>
    /// <param name="end">SavedOffset: end of used data.</param>
    public static RecordStatus Parse(ReadOnlySpan<byte> buffer, int pos, int end, ref RecordView view, out int next)
    {
        next = end;
        if (end - pos < 4) return end > pos ? RecordStatus.Damaged : RecordStatus.End; // records are 8-byte aligned
        uint marker = BinaryPrimitives.ReadUInt32LittleEndian(buffer[pos..]);
        if (marker == 0 || marker == 0xFFFFFFFF) return RecordStatus.Damaged;

        int size;
        RecordStatus status;
        if ((marker >> 24) == 0xC0)
            status = ParseTyped(buffer, pos, end, (byte)(marker >> 16), ref view, out size);
        else if ((marker & 0x90000000) == 0x90000000)
        {
            // TRACE_MESSAGE (WPP): Size is the low 16 bits; the rest needs the message format files.
            size = (int)(marker & 0xFFFF);
            status = size >= 8 && size <= end - pos ? RecordStatus.Skipped : RecordStatus.Damaged;
        }
        else return RecordStatus.Damaged;

        if (status == RecordStatus.Damaged) return status;
        next = pos + ((size + 7) & ~7);
        if (next > end) next = end;
        return status;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static RecordStatus ParseTyped(ReadOnlySpan<byte> buffer, int pos, int end, byte type, ref RecordView view, out int size)
    {
        ReadOnlySpan<byte> rec = buffer[pos..end];
        switch (type)
        {
            case System32 or System64 or Compact32 or Compact64 or PerfInfo32 or PerfInfo64:
                size = rec.Length >= 8 ? BinaryPrimitives.ReadUInt16LittleEndian(rec[4..]) : 0;
                return ParseKernel(rec, pos, type, size, ref view);
            case EventHeader32 or EventHeader64:
                size = rec.Length >= 2 ? BinaryPrimitives.ReadUInt16LittleEndian(rec) : 0;
                return ParseEventHeader(rec, pos, type == EventHeader64, size, ref view);
            case Full32 or Full64 or Instance32 or Instance64:
                size = rec.Length >= 2 ? BinaryPrimitives.ReadUInt16LittleEndian(rec) : 0;
                int headerSize = type is Full32 or Full64 ? 48 : 72;
                return ParseFull(rec, pos, type is Full64 or Instance64, headerSize, size, ref view);
            default:
                // Unknown header type: these carry their size in the first 16 bits like EVENT_HEADER.
                size = rec.Length >= 2 ? BinaryPrimitives.ReadUInt16LittleEndian(rec) : 0;
                return size >= 8 && size <= rec.Length ? RecordStatus.Unknown : RecordStatus.Damaged;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static RecordStatus ParseKernel(ReadOnlySpan<byte> rec, int pos, byte type, int size, ref RecordView view)
    {
        bool perfInfo = type is PerfInfo32 or PerfInfo64;
        ushort version = BinaryPrimitives.ReadUInt16LittleEndian(rec);
        int headerSize = type switch { System32 or System64 => 32, Compact32 or Compact64 => 24, _ => 16 };
        if (perfInfo)
        {
            // PMC counters (bits 0x0700) and a PEBS index (0x8000): 8-byte items between header and payload.
            headerSize += 8 * (((version >> 8) & 0x7) + ((version & 0x8000) != 0 ? 1 : 0));
            version &= 0x78FF;
        }
        if (size < headerSize || size > rec.Length) return RecordStatus.Damaged;
        // Every field below lies inside the header (at least 16 bytes; 24 or more where thread, process and a
        // timestamp at 16 are read), which the check above placed inside the record: read without further checks.
        ref byte start = ref MemoryMarshal.GetReference(rec);
        ushort hook = Unsafe.ReadUnaligned<ushort>(ref Unsafe.Add(ref start, 6));
        ref RecordHeader fields = ref view.Fields;
        fields.Group = hook == ImageLoadHook ? KernelGroup.Image : (KernelGroup)(hook >> 8);
        fields.Header = perfInfo ? HeaderKind.PerfInfo : type is System32 or System64 ? HeaderKind.System : HeaderKind.Compact;
        fields.Opcode = (byte)hook;
        fields.Version = (byte)version;
        fields.PointerSize = type is System64 or Compact64 or PerfInfo64 ? (byte)8 : (byte)4;
        fields.EventId = 0;
        fields.ProviderId = Guid.Empty; // EventRecord answers the group's task GUID when asked
        if (perfInfo)
        {
            fields.ProcessId = -1;
            fields.ThreadId = -1;
            fields.Timestamp = Unsafe.ReadUnaligned<long>(ref Unsafe.Add(ref start, 8));
        }
        else
        {
            fields.ThreadId = Unsafe.ReadUnaligned<int>(ref Unsafe.Add(ref start, 8));
            fields.ProcessId = Unsafe.ReadUnaligned<int>(ref Unsafe.Add(ref start, 12));
            fields.Timestamp = Unsafe.ReadUnaligned<long>(ref Unsafe.Add(ref start, 16));
        }
        SetPayload(ref view, pos, headerSize, size);
        return RecordStatus.Event;
    }

    private static RecordStatus ParseEventHeader(ReadOnlySpan<byte> rec, int pos, bool is64, int size, ref RecordView view)
    {
        const int headerSize = 80;
        if (size < headerSize || size > rec.Length) return RecordStatus.Damaged;
        int extEnd = headerSize;
        if ((BinaryPrimitives.ReadUInt16LittleEndian(rec[4..]) & 1) != 0 && !TrySkipExtendedItems(rec[..size], ref extEnd))
            return RecordStatus.Damaged;
        ReadOnlySpan<byte> descriptor = rec[40..];
        ReadProviderFields(rec, is64, ref view);
        view.Fields.Header = HeaderKind.EventHeader;
        view.Fields.EventId = BinaryPrimitives.ReadUInt16LittleEndian(descriptor);
        view.Fields.Version = descriptor[2];
        view.Fields.Opcode = descriptor[5];
        view.ExtendedOffset = pos + headerSize;
        view.ExtendedLength = extEnd - headerSize;
        view.PayloadOffset = pos + extEnd;
        view.PayloadLength = size - extEnd;
        return RecordStatus.Event;
    }

    /// <summary>Extended items: 8-byte item header {Reserved, ExtType, Linkage, DataSize}, data padded to 8.</summary>
    private static bool TrySkipExtendedItems(ReadOnlySpan<byte> rec, ref int offset)
    {
        while (true)
        {
            if (rec.Length - offset < 8) return false;
            ushort linkage = BinaryPrimitives.ReadUInt16LittleEndian(rec[(offset + 4)..]);
            int dataSize = BinaryPrimitives.ReadUInt16LittleEndian(rec[(offset + 6)..]);
            int itemEnd = offset + 8 + ((dataSize + 7) & ~7);
            if (itemEnd > rec.Length)
            {
                if (offset + 8 + dataSize != rec.Length) return false;
                itemEnd = rec.Length;
            }
            offset = itemEnd;
            if ((linkage & 1) == 0) return true;
        }
    }

    private static RecordStatus ParseFull(ReadOnlySpan<byte> rec, int pos, bool is64, int headerSize, int size, ref RecordView view)
    {
        if (size < headerSize || size > rec.Length) return RecordStatus.Damaged;
        ReadProviderFields(rec, is64, ref view);
        view.Fields.Header = headerSize == 48 ? HeaderKind.Full : HeaderKind.Instance;
        view.Fields.EventId = 0;
        view.Fields.Opcode = rec[4];
        view.Fields.Version = rec[6];
        SetPayload(ref view, pos, headerSize, size);
        return RecordStatus.Event;
    }

    /// <summary>EVENT_HEADER and FULL/INSTANCE headers share these: thread, process and time at 8/12/16, the provider
    /// (or event) GUID at 24. Callers have checked that the record holds at least 48 bytes.</summary>
    private static void ReadProviderFields(ReadOnlySpan<byte> rec, bool is64, ref RecordView view)
    {
        view.Fields.Group = KernelGroup.None;
        view.Fields.PointerSize = is64 ? (byte)8 : (byte)4;
        view.Fields.ThreadId = BinaryPrimitives.ReadInt32LittleEndian(rec[8..]);
        view.Fields.ProcessId = BinaryPrimitives.ReadInt32LittleEndian(rec[12..]);
        view.Fields.Timestamp = BinaryPrimitives.ReadInt64LittleEndian(rec[16..]);
        view.Fields.ProviderId = new Guid(rec.Slice(24, 16));
    }

    private static void SetPayload(ref RecordView view, int pos, int headerSize, int size)
    {
        view.PayloadOffset = pos + headerSize;
        view.PayloadLength = size - headerSize;
        view.ExtendedOffset = pos;
        view.ExtendedLength = 0;
    }
}
