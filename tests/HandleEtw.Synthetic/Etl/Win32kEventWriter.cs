using System.Buffers.Binary;

namespace HandleEtw.Synthetic.Etl;

/// <summary>
/// GDI and USER handle events of Microsoft-Windows-Win32k as the provider logs them with stacks enabled: EVENT_HEADER
/// manifest records (events 452-458, tasks 443 User / 442 GDI, opcodes 28-31) whose stack is a STACK_TRACE64 (or,
/// for 32-bit headers, STACK_TRACE32) extended item {MatchId u64, addresses}. Payload: HandleValue ptr, HandleType,
/// SessionId, OwnerProcessId (TransformHandle: PreviousHandleValue, NewHandleValue first).
/// </summary>
public static class Win32kEventWriter
{
    public static readonly Guid Provider = new("8c416c79-d49b-4f01-a467-e56d3aa8234c");
    private const ulong GdiKeyword = 0x100_0000_0000, UserKeyword = 0x200_0000_0000;
    private const ushort ExtStackTrace32 = 5, ExtStackTrace64 = 6, ExtTerminalSession = 3;

    public enum Op : byte { Create, Destroy, Owner, Transform }

    /// <summary>One handle event. <paramref name="frames"/> null: no stack item (the provider was enabled without
    /// stacks). <paramref name="stackItemSize"/> 4 or 8 picks STACK_TRACE32/64 (default: the header's pointer size).</summary>
    public static void Write(EtlWriter w, bool gdi, Op op, int cpu, long ticks, int pid, int tid, ulong handle, ulong newHandle,
        uint type, int session, int owner, ulong[]? frames, int pointerSize = 8, int? stackItemSize = null, byte version = 0)
    {
        var p = new PayloadBuilder();
        Pointer(p, handle, pointerSize);
        if (op == Op.Transform) Pointer(p, newHandle, pointerSize);
        p.U32(type).U32((uint)session).U32((uint)owner);
        ushort id = (ushort)((gdi ? 455 : 452) + (int)op);
        var d = new EventDescriptor(id, version, 0, 4, (byte)(28 + (int)op), gdi ? (ushort)442 : (ushort)443, gdi ? GdiKeyword : UserKeyword);
        byte[] extended = frames is null ? [] : ExtendedItems(frames, stackItemSize ?? pointerSize, session);
        w.WriteEventHeader(cpu, Provider, d, pid, tid, ticks, p.Span, extended, pointerSize);
    }

    private static void Pointer(PayloadBuilder p, ulong value, int pointerSize)
    {
        if (pointerSize == 4) p.U32((uint)value);
        else p.U64(value);
    }

    /// <summary>A terminal-session item first (as ETW adds with EVENT_ENABLE_PROPERTY_TS_ID), then the stack.</summary>
    private static byte[] ExtendedItems(ulong[] frames, int addressSize, int session)
    {
        int stackData = 8 + frames.Length * addressSize;
        int stackItem = 8 + ((stackData + 7) & ~7);
        var bytes = new byte[16 + stackItem];
        Span<byte> ts = bytes;
        BinaryPrimitives.WriteUInt16LittleEndian(ts[2..], ExtTerminalSession);
        BinaryPrimitives.WriteUInt16LittleEndian(ts[4..], 1); // another item follows
        BinaryPrimitives.WriteUInt16LittleEndian(ts[6..], 4);
        BinaryPrimitives.WriteUInt32LittleEndian(ts[8..], (uint)session);
        Span<byte> st = bytes.AsSpan(16);
        BinaryPrimitives.WriteUInt16LittleEndian(st[2..], addressSize == 4 ? ExtStackTrace32 : ExtStackTrace64);
        BinaryPrimitives.WriteUInt16LittleEndian(st[6..], (ushort)stackData);
        // MatchId (st[8..16]) stays 0: the stack is whole.
        for (int i = 0; i < frames.Length; i++)
        {
            Span<byte> at = st[(16 + i * addressSize)..];
            if (addressSize == 4) BinaryPrimitives.WriteUInt32LittleEndian(at, (uint)frames[i]);
            else BinaryPrimitives.WriteUInt64LittleEndian(at, frames[i]);
        }
        return bytes;
    }
}
