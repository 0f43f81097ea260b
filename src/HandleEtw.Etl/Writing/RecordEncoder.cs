using System.Buffers.Binary;
using HandleEtw.Core.Records;

namespace HandleEtw.Etl.Writing;

/// <summary>
/// Frames one record the way the kernel logger does on disk, so our reader (and WPA) reads back what was written
/// (etl-format.md §2.2, §2.3). Kernel records keep their System/Compact/PerfInfo header; EVENT_HEADER records keep
/// their extended items; INSTANCE records are written with a FULL header (instance ids are not kept). A kernel event
/// the live session delivered with an EVENT_HEADER gets a System header (as the kernel logger writes it), and a
/// classic event of another provider a FULL header with its GUID. Fields the
/// record does not carry (EVENT_HEADER level, task, keyword, channel; kernel and user times) are written as zero.
/// </summary>
internal static class RecordEncoder
{
    private const byte Marker = 0xC0;
    private const int SystemSize = 32, CompactSize = 24, PerfInfoSize = 16, EventHeaderSize = 80, FullSize = 48;
    private const ushort ExtendedInfoFlag = 0x0001, Header32Flag = 0x0020, Header64Flag = 0x0040;

    /// <summary>Bytes the record takes, unpadded; more than <see cref="ushort.MaxValue"/> cannot be framed.</summary>
    public static int Size(in EventRecord r) => HeaderSize(r) + Extended(r).Length + r.Payload.Length;

    /// <summary>Extended items travel only with an EVENT_HEADER.</summary>
    private static ReadOnlySpan<byte> Extended(in EventRecord r) =>
        Framing(r) == HeaderKind.EventHeader ? r.ExtendedData : [];

    /// <summary>Writes the record into <paramref name="target"/> (at least <see cref="Size"/> bytes).</summary>
    public static void Write(in EventRecord r, Span<byte> target)
    {
        int size = Size(r);
        int header = HeaderSize(r);
        target[..header].Clear();
        bool is64 = r.PointerSize != 4;
        switch (Framing(r))
        {
            case HeaderKind.System or HeaderKind.Compact or HeaderKind.PerfInfo:
                WriteKernel(r, target, size, is64);
                break;
            case HeaderKind.EventHeader:
                WritePrefix(target, (ushort)size, is64 ? (byte)0x13 : (byte)0x12);
                BinaryPrimitives.WriteUInt16LittleEndian(target[4..],
                    (ushort)((Extended(r).IsEmpty ? 0 : ExtendedInfoFlag) | (is64 ? Header64Flag : Header32Flag)));
                WriteContext(r, target);
                BinaryPrimitives.WriteUInt16LittleEndian(target[40..], r.EventId);
                target[42] = r.Version;
                target[45] = r.Opcode;
                Extended(r).CopyTo(target[header..]);
                break;
            default: // FULL (and INSTANCE, written as FULL)
                WritePrefix(target, (ushort)size, is64 ? (byte)0x14 : (byte)0x0A);
                target[4] = r.Opcode;
                BinaryPrimitives.WriteUInt16LittleEndian(target[6..], r.Version);
                WriteContext(r, target);
                break;
        }
        r.Payload.CopyTo(target[(header + Extended(r).Length)..]);
    }

    /// <summary>The header the record is written with: kernel framing exactly for kernel groups.</summary>
    private static HeaderKind Framing(in EventRecord r) => r.Header switch
    {
        HeaderKind.System or HeaderKind.Compact or HeaderKind.PerfInfo => r.IsKernel ? r.Header : HeaderKind.Full,
        _ => r.IsKernel ? HeaderKind.System : r.Header == HeaderKind.EventHeader ? HeaderKind.EventHeader : HeaderKind.Full,
    };

    private static int HeaderSize(in EventRecord r) => Framing(r) switch
    {
        HeaderKind.System => SystemSize,
        HeaderKind.Compact => CompactSize,
        HeaderKind.PerfInfo => PerfInfoSize,
        HeaderKind.EventHeader => EventHeaderSize,
        _ => FullSize,
    };

    private static void WriteKernel(in EventRecord r, Span<byte> target, int size, bool is64)
    {
        byte type = Framing(r) switch
        {
            HeaderKind.System => is64 ? (byte)0x02 : (byte)0x01,
            HeaderKind.Compact => is64 ? (byte)0x04 : (byte)0x03,
            _ => is64 ? (byte)0x11 : (byte)0x10,
        };
        BinaryPrimitives.WriteUInt16LittleEndian(target, r.Version);
        target[2] = type;
        target[3] = Marker;
        BinaryPrimitives.WriteUInt16LittleEndian(target[4..], (ushort)size);
        BinaryPrimitives.WriteUInt16LittleEndian(target[6..], (ushort)((int)r.Group << 8 | r.Opcode));
        if (Framing(r) == HeaderKind.PerfInfo)
        {
            BinaryPrimitives.WriteInt64LittleEndian(target[8..], r.Timestamp);
            return;
        }
        BinaryPrimitives.WriteInt32LittleEndian(target[8..], r.ThreadId);
        BinaryPrimitives.WriteInt32LittleEndian(target[12..], r.ProcessId);
        BinaryPrimitives.WriteInt64LittleEndian(target[16..], r.Timestamp);
    }

    /// <summary>Size, then the header type and the 0xC0 marker (EVENT_HEADER, FULL).</summary>
    private static void WritePrefix(Span<byte> target, ushort size, byte type)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(target, size);
        target[2] = type;
        target[3] = Marker;
    }

    /// <summary>Thread, process, time and provider (event) GUID at 8/12/16/24.</summary>
    private static void WriteContext(in EventRecord r, Span<byte> target)
    {
        BinaryPrimitives.WriteInt32LittleEndian(target[8..], r.ThreadId);
        BinaryPrimitives.WriteInt32LittleEndian(target[12..], r.ProcessId);
        BinaryPrimitives.WriteInt64LittleEndian(target[16..], r.Timestamp);
        r.ProviderId.TryWriteBytes(target.Slice(24, 16));
    }
}
