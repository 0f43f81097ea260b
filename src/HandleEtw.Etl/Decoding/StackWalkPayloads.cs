using System.Buffers.Binary;
using System.Runtime.InteropServices;
using HandleEtw.Core.Records;

namespace HandleEtw.Etl.Decoding;

/// <summary>Which event a stack record belongs to: its raw timestamp and thread (PERFINFO headers carry neither).</summary>
public readonly record struct StackTarget(long EventTimestamp, int ProcessId, int ThreadId);

/// <summary>StackWalk events (kernel group 0x18): stacks, cached-stack references and key definitions.</summary>
public static class StackWalkPayloads
{
    public const byte Stack = 32;
    public const byte KeyDelete = 35;
    public const byte KeyRundown = 36;
    public const byte StackKeyKernel = 37;
    public const byte StackKeyUser = 38;

    private const int TargetSize = 16;

    /// <summary>Stack (32) and StackKey (37/38) records: EventTimeStamp u64; StackProcess u32; StackThread u32.</summary>
    public static bool TryReadTarget(in EventRecord r, out StackTarget target)
    {
        target = default;
        ReadOnlySpan<byte> p = r.Payload;
        if (p.Length < TargetSize) return false;
        target = new StackTarget(
            BinaryPrimitives.ReadInt64LittleEndian(p),
            BinaryPrimitives.ReadInt32LittleEndian(p[8..]),
            BinaryPrimitives.ReadInt32LittleEndian(p[12..]));
        return true;
    }

    /// <summary>Frames of a Stack record (after the 16-byte target), innermost first. Count = (length - 16) / P.
    /// A view of the payload where it holds them as they are (64-bit), else widened into <paramref name="buffer"/>.</summary>
    public static ReadOnlySpan<ulong> ReadStackFrames(in EventRecord r, ref ulong[] buffer) =>
        r.Payload.Length < TargetSize ? default : FrameView(r.Payload[TargetSize..], r.PointerSize, ref buffer);

    /// <summary>StackKeyKernel/StackKeyUser: the key pointer after the target.</summary>
    public static bool TryReadKeyReference(in EventRecord r, out StackTarget target, out ulong key)
    {
        key = 0;
        return TryReadTarget(r, out target) && TryPeekKey(r.Payload, r.PointerSize, out key);
    }

    /// <summary>The key of a StackKeyKernel/StackKeyUser payload, when it is long enough.</summary>
    public static bool TryPeekKey(ReadOnlySpan<byte> payload, int pointerSize, out ulong key)
    {
        key = 0;
        int size = pointerSize == 4 ? 4 : 8;
        if (payload.Length < TargetSize + size) return false;
        key = ReadPointer(payload[TargetSize..], size);
        return true;
    }

    /// <summary>KeyDelete/KeyRundown: only the key they define.</summary>
    public static bool TryReadDefinedKey(in EventRecord r, out ulong key)
    {
        int size = r.PointerSize == 4 ? 4 : 8;
        key = r.Payload.Length >= size ? ReadPointer(r.Payload, size) : 0;
        return r.Payload.Length >= size;
    }

    /// <summary>KeyDelete/KeyRundown: StackKey ptr then the frames (count = length / P - 1), as
    /// <see cref="ReadStackFrames"/> gives them.</summary>
    public static bool TryReadKeyDefinition(in EventRecord r, out ulong key, ref ulong[] buffer, out ReadOnlySpan<ulong> frames)
    {
        key = 0;
        frames = default;
        int size = r.PointerSize == 4 ? 4 : 8;
        if (r.Payload.Length < size) return false;
        key = ReadPointer(r.Payload, size);
        frames = FrameView(r.Payload[size..], size, ref buffer);
        return true;
    }

    /// <summary>KeyDelete/KeyRundown of a 64-bit trace: its frames as they lie in the payload (empty for 32-bit
    /// pointers, which would need a copy), for a look before the record is read.</summary>
    public static ReadOnlySpan<ulong> PeekDefinitionFrames(ReadOnlySpan<byte> payload, int pointerSize) =>
        !FramesLieAsRead(pointerSize) || payload.Length < 8 ? default : FramesInPlace(payload[8..]);

    private const ushort ExtStackTrace32 = 5;
    private const ushort ExtStackTrace64 = 6;
    private const int ExtItemHeader = 8;

    /// <summary>
    /// The STACK_TRACE32/64 extended item of an EVENT_HEADER record ({MatchId u64, addresses[]}), if it has one.
    /// Items are {Reserved u16, ExtType u16, Linkage u16 (bit 0: another follows), DataSize u16} then data padded to 8.
    /// </summary>
    public static bool TryReadExtendedStack(in EventRecord r, ref ulong[] buffer, out int frameCount)
    {
        frameCount = 0;
        ReadOnlySpan<byte> ext = r.ExtendedData;
        int offset = 0;
        while (ext.Length - offset >= ExtItemHeader)
        {
            ushort type = BinaryPrimitives.ReadUInt16LittleEndian(ext[(offset + 2)..]);
            ushort linkage = BinaryPrimitives.ReadUInt16LittleEndian(ext[(offset + 4)..]);
            int size = BinaryPrimitives.ReadUInt16LittleEndian(ext[(offset + 6)..]);
            int data = offset + ExtItemHeader;
            if (size > ext.Length - data) return false;
            if ((type == ExtStackTrace32 || type == ExtStackTrace64) && size >= 8)
            {
                frameCount = ReadPointers(ext.Slice(data + 8, size - 8), type == ExtStackTrace64 ? 8 : 4, ref buffer);
                return frameCount > 0;
            }
            if ((linkage & 1) == 0) return false;
            offset = data + ((size + 7) & ~7);
        }
        return false;
    }

    /// <summary>Kernel-space address test TraceEvent uses (its own cut-off, not an architectural one).</summary>
    public static bool IsKernelAddress(ulong address, int pointerSize) =>
        pointerSize == 4 ? address >= 0x8000_0000UL : address >= 0xFFFF_0000_0000_0000UL;

    private static ulong ReadPointer(ReadOnlySpan<byte> bytes, int pointerSize) =>
        pointerSize == 4 ? BinaryPrimitives.ReadUInt32LittleEndian(bytes) : BinaryPrimitives.ReadUInt64LittleEndian(bytes);

    /// <summary>64-bit frames on a little-endian machine are the payload's own bytes: viewed, not copied.</summary>
    private static bool FramesLieAsRead(int pointerSize) => pointerSize != 4 && BitConverter.IsLittleEndian;

    private static ReadOnlySpan<ulong> FramesInPlace(ReadOnlySpan<byte> bytes) => MemoryMarshal.Cast<byte, ulong>(bytes[..(bytes.Length & ~7)]);

    /// <summary>Frames are most of a trace's bytes when keys are evicted often: 64-bit ones are read where they lie
    /// (unaligned reads are fine), not copied first.</summary>
    private static ReadOnlySpan<ulong> FrameView(ReadOnlySpan<byte> bytes, int pointerSize, ref ulong[] buffer)
    {
        if (!FramesLieAsRead(pointerSize))
            return buffer.AsSpan(0, ReadPointers(bytes, pointerSize, ref buffer));
        return FramesInPlace(bytes);
    }

    private static int ReadPointers(ReadOnlySpan<byte> bytes, int pointerSize, ref ulong[] buffer)
    {
        int size = pointerSize == 4 ? 4 : 8;
        int count = bytes.Length / size; // bounded by the record size (≤ 64 KB)
        if (buffer.Length < count) buffer = new ulong[Math.Max(count, buffer.Length * 2)];
        if (!BitConverter.IsLittleEndian)
        {
            for (int i = 0; i < count; i++) buffer[i] = ReadPointer(bytes.Slice(i * size, size), size);
            return count;
        }
        if (size == 8)
        {
            MemoryMarshal.Cast<byte, ulong>(bytes[..(count * 8)]).CopyTo(buffer);
            return count;
        }
        ReadOnlySpan<uint> narrow = MemoryMarshal.Cast<byte, uint>(bytes[..(count * 4)]);
        Span<ulong> wide = buffer.AsSpan(0, count);
        for (int i = 0; i < wide.Length; i++) wide[i] = narrow[i];
        return count;
    }
}
