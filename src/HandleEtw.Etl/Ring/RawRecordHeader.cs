using System.Runtime.InteropServices;
using HandleEtw.Core.Records;

namespace HandleEtw.Etl.Ring;

/// <summary>
/// The fixed part of one ring entry: the EVENT_RECORD header fields handleetw uses. Blittable, written by the
/// record callback without allocating. The user data and extended data bytes follow it in the ring.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 56)]
public struct RawRecordHeader
{
    [FieldOffset(0)] public Guid ProviderId;
    [FieldOffset(16)] public long Timestamp;
    [FieldOffset(24)] public int ProcessId;
    [FieldOffset(28)] public int ThreadId;
    [FieldOffset(32)] public ushort EventId;
    [FieldOffset(34)] public byte Opcode;
    [FieldOffset(35)] public byte Version;
    [FieldOffset(36)] public ushort Cpu;

    /// <summary><see cref="KernelGroup.None"/> when the producer did not know it (live): the consumer maps the task GUID.</summary>
    [FieldOffset(38)] public KernelGroup Group;
    [FieldOffset(40)] public HeaderKind Header;
    [FieldOffset(41)] public byte PointerSize;
    [FieldOffset(44)] public int UserDataLength;
    [FieldOffset(48)] public int ExtendedDataLength;

    /// <summary>Copies the header fields of a record (the replay path; the live path fills the fields itself).</summary>
    public static RawRecordHeader From(in EventRecord r) => new()
    {
        ProviderId = r.ProviderId,
        Timestamp = r.Timestamp,
        ProcessId = r.ProcessId,
        ThreadId = r.ThreadId,
        EventId = r.EventId,
        Opcode = r.Opcode,
        Version = r.Version,
        Cpu = r.Cpu,
        Group = r.Group,
        Header = r.Header,
        PointerSize = r.PointerSize,
        UserDataLength = r.Payload.Length,
        ExtendedDataLength = r.ExtendedData.Length,
    };

    /// <summary>The record these header fields describe, over its payload and extended data; a producer that did not
    /// know the kernel group (live) gets it from the task GUID here.</summary>
    public readonly EventRecord ToRecord(ReadOnlySpan<byte> payload, ReadOnlySpan<byte> extendedData) => new()
    {
        Group = Group != KernelGroup.None ? Group : KernelTasks.GroupOf(ProviderId),
        Opcode = Opcode,
        Version = Version,
        ProviderId = ProviderId,
        EventId = EventId,
        Header = Header,
        PointerSize = PointerSize,
        ProcessId = ProcessId,
        ThreadId = ThreadId,
        Cpu = Cpu,
        Timestamp = Timestamp,
        Payload = payload,
        ExtendedData = extendedData,
    };
}
