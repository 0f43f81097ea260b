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
        var reader = new PayloadReader(r.Payload, r.PointerSize);
        e = r.Opcode switch
        {
            CreateHandle or CloseHandle => ReadCreateClose(ref reader, r),
            DuplicateHandle => ReadDuplicate(ref reader, r),
            _ => ReadRundown(ref reader, r),
        };
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

    private static HandleEvent Common(in EventRecord r, HandleOp op) => new()
    {
        Op = op,
        Timestamp = r.Timestamp,
        ProcessId = r.ProcessId,
        ThreadId = r.ThreadId,
        Cpu = r.Cpu,
        StackId = -1,
    };

    // Object ptr; Handle u32; ObjectType u16; ObjectName UTF-16z (optional, often absent or empty).
    private static HandleEvent ReadCreateClose(ref PayloadReader reader, in EventRecord r)
    {
        ulong obj = reader.ReadPointer();
        uint handle = reader.ReadUInt32();
        ushort type = reader.ReadUInt16();
        string? name = OptionalName(ref reader);
        return Common(r, r.Opcode == CreateHandle ? HandleOp.Create : HandleOp.Close) with
        {
            Object = obj, Handle = handle, ObjectType = type, Name = name,
        };
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
        return Common(r, HandleOp.Duplicate) with
        {
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
        string? name = OptionalName(ref reader);
        return Common(r, r.Opcode == HandleDCStart ? HandleOp.RundownStart : HandleOp.RundownEnd) with
        {
            ProcessId = pid, Object = obj, Handle = handle, ObjectType = type, Name = name,
        };
    }

    private static string? OptionalName(ref PayloadReader reader)
    {
        if (reader.Failed || reader.Remaining < 2) return null;
        string name = reader.ReadUtf16String();
        return name.Length == 0 ? null : name;
    }
}
