using System.Buffers.Binary;
using HandleEtw.Core.Events;
using HandleEtw.Core.Records;

namespace HandleEtw.Etl.Decoding;

/// <summary>Object Manager events (kernel group 0x11): handle create/close/duplicate, type and handle rundown.</summary>
public static class ObjectPayloads
{
    public const byte CreateHandle = 32;
    public const byte CloseHandle = 33;
    public const byte DuplicateHandle = 34;
    public const byte TypeDCStart = 36;
    public const byte TypeDCEnd = 37;
    public const byte HandleDCStart = 38;
    public const byte HandleDCEnd = 39;

    public static bool IsHandleEvent(in EventRecord r) =>
        r.Group == KernelGroup.Object && r.Opcode is CreateHandle or CloseHandle or DuplicateHandle
            or HandleDCStart or HandleDCEnd;

    public static bool IsTypeEvent(in EventRecord r) =>
        r.Group == KernelGroup.Object && r.Opcode is TypeDCStart or TypeDCEnd;

    /// <summary>Decodes opcodes 32/33/34/38/39. False when the record is not one of them or its payload is too short.
    /// <see cref="HandleEvent.StackId"/> is -1: the stack join sets it.</summary>
    public static bool TryReadHandle(in EventRecord r, out HandleEvent e)
    {
        e = default;
        if (!IsHandleEvent(r)) return false;
        if (r.Opcode is CreateHandle or CloseHandle) return TryReadCreateClose(r, out e);
        var reader = new PayloadReader(r.Payload, r.PointerSize);
        e = r.Opcode == DuplicateHandle ? ReadDuplicate(ref reader, r) : ReadRundown(ref reader, r);
        return !reader.Failed;
    }

    /// <summary>TypeDCStart/TypeDCEnd: object type index → type name.</summary>
    public static bool TryReadObjectType(in EventRecord r, out ushort typeIndex, out string name)
    {
        typeIndex = 0;
        name = "";
        if (!IsTypeEvent(r)) return false;
        var reader = new PayloadReader(r.Payload, r.PointerSize);
        typeIndex = reader.ReadUInt16();
        reader.Skip(2); // Reserved
        if (reader.Failed) return false;
        name = reader.ReadUtf16String();
        return true;
    }

    // Object ptr; Handle u32; ObjectType u16; ObjectName UTF-16z (optional, often absent or empty). Nearly every record
    // of a handle trace: read straight from the span, without a reader (this halves the decoding time).
    private static bool TryReadCreateClose(in EventRecord r, out HandleEvent e)
    {
        ReadOnlySpan<byte> p = r.Payload;
        int size = r.PointerSize == 4 ? 4 : 8;
        if (p.Length < size + 6)
        {
            e = default;
            return false;
        }
        ulong obj = size == 8 ? BinaryPrimitives.ReadUInt64LittleEndian(p) : BinaryPrimitives.ReadUInt32LittleEndian(p);
        e = new HandleEvent
        {
            Op = r.Opcode == CreateHandle ? HandleOp.Create : HandleOp.Close,
            Timestamp = r.Timestamp, ProcessId = r.ProcessId, ThreadId = r.ThreadId, Cpu = r.Cpu, StackId = -1,
            Object = obj,
            Handle = BinaryPrimitives.ReadUInt32LittleEndian(p[size..]),
            ObjectType = BinaryPrimitives.ReadUInt16LittleEndian(p[(size + 4)..]),
            Name = OptionalName(p[(size + 6)..]),
        };
        return true;
    }

    private static string? OptionalName(ReadOnlySpan<byte> rest)
    {
        if (rest.Length < 2 || (rest[0] | rest[1]) == 0) return null; // absent or empty
        return new PayloadReader(rest, 8).ReadUtf16String();
    }

    // Packed: Object ptr; SourceHandle u32; TargetHandle u32; TargetProcessId u32; ObjectType u16; SourceProcessId u32.
    private static HandleEvent ReadDuplicate(ref PayloadReader reader, in EventRecord r)
    {
        ulong obj = reader.ReadPointer();
        uint source = reader.ReadUInt32();
        uint target = reader.ReadUInt32();
        int targetPid = reader.ReadInt32();
        ushort type = reader.ReadUInt16();
        // Older layouts end before SourceProcessId: the source is then the logging process.
        int sourcePid = reader.Remaining >= 4 ? reader.ReadInt32() : r.ProcessId;
        return new HandleEvent
        {
            Op = HandleOp.Duplicate,
            Timestamp = r.Timestamp, ProcessId = r.ProcessId, ThreadId = r.ThreadId, Cpu = r.Cpu, StackId = -1,
            Object = obj, Handle = source, TargetHandle = target, TargetProcessId = targetPid,
            ObjectType = type, SourceProcessId = sourcePid,
        };
    }

    // Object ptr; ProcessId u32 (the owner, read here at offset P); Handle u32; ObjectType u16; ObjectName UTF-16z.
    private static HandleEvent ReadRundown(ref PayloadReader reader, in EventRecord r)
    {
        ulong obj = reader.ReadPointer();
        int pid = reader.ReadInt32();
        uint handle = reader.ReadUInt32();
        ushort type = reader.ReadUInt16();
        return new HandleEvent
        {
            Op = r.Opcode == HandleDCStart ? HandleOp.RundownStart : HandleOp.RundownEnd,
            Timestamp = r.Timestamp, ProcessId = pid, ThreadId = r.ThreadId, Cpu = r.Cpu, StackId = -1,
            Object = obj, Handle = handle, ObjectType = type, Name = OptionalName(ref reader),
        };
    }

    private static string? OptionalName(ref PayloadReader reader)
    {
        if (reader.Failed || reader.Remaining < 2) return null;
        string name = reader.ReadUtf16String();
        return name.Length == 0 ? null : name;
    }
}
