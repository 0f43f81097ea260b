using HandleEtw.Core.Events;
using HandleEtw.Core.Records;

namespace HandleEtw.Etl.Decoding;

/// <summary>Process events (kernel group 0x03), versions 3-5, and Terminate (opcode 11).</summary>
public static class ProcessPayloads
{
    public const byte Start = 1;
    public const byte Stop = 2;
    public const byte DCStart = 3;
    public const byte DCEnd = 4;
    public const byte Terminate = 11;
    public const byte Defunct = 39;

    public static bool IsProcessEvent(in EventRecord r) =>
        r.Group == KernelGroup.Process && r.Opcode is Start or Stop or DCStart or DCEnd or Terminate or Defunct;

    /// <summary>
    /// Decodes a process event. <see cref="ProcessEvent.ProcessId"/> is the payload's process (the event is about it);
    /// <see cref="ProcessEvent.ThreadId"/> is the logging thread. False when not a process event, the version is
    /// older than 3, or the payload is too short.
    /// </summary>
    public static bool TryRead(in EventRecord r, out ProcessEvent e)
    {
        e = default;
        if (!IsProcessEvent(r)) return false;
        var reader = new PayloadReader(r.Payload, r.PointerSize);
        if (r.Opcode == Terminate)
        {
            int pid = reader.ReadInt32();
            e = Common(r, ProcessOp.Terminate) with { ProcessId = pid };
            return !reader.Failed;
        }
        if (r.Version < 3) return false;
        e = ReadTypeGroup1(ref reader, r);
        return !reader.Failed;
    }

    // UniqueProcessKey ptr; ProcessId; ParentId; SessionId; ExitStatus; DirectoryTableBase ptr; (v4+) Flags u32;
    // UserSID; ImageFileName ANSI z; CommandLine UTF-16z; (PackageFullName, ApplicationId, v5 extras: not needed).
    private static ProcessEvent ReadTypeGroup1(ref PayloadReader reader, in EventRecord r)
    {
        ulong key = reader.ReadPointer();
        int pid = reader.ReadInt32();
        int parent = reader.ReadInt32();
        int session = reader.ReadInt32();
        int exit = reader.ReadInt32();
        reader.ReadPointer(); // DirectoryTableBase
        if (r.Version >= 4) reader.ReadUInt32(); // Flags
        SkipUserSid(ref reader);
        string image = reader.ReadAnsiString();
        string commandLine = reader.Remaining > 0 ? reader.ReadUtf16String() : "";
        return Common(r, OpFor(r.Opcode)) with
        {
            UniqueProcessKey = key, ProcessId = pid, ParentId = parent, SessionId = session, ExitStatus = exit,
            ImageFileName = image, CommandLine = commandLine,
        };
    }

    /// <summary>
    /// UserSID: a zero first DWORD means no SID (4 bytes). Otherwise a TOKEN_USER (two pointers) followed by a SID of
    /// 8 + 4 × SubAuthorityCount bytes, the count being the SID's second byte.
    /// </summary>
    internal static void SkipUserSid(ref PayloadReader reader)
    {
        int tokenUser = 2 * reader.PointerSize;
        if (reader.Remaining >= 4 && reader.PeekByte(0) == 0 && reader.PeekByte(1) == 0
            && reader.PeekByte(2) == 0 && reader.PeekByte(3) == 0)
        {
            reader.Skip(4);
            return;
        }
        int subAuthorities = reader.PeekByte(tokenUser + 1);
        reader.Skip(tokenUser + 8 + 4 * subAuthorities);
    }

    private static ProcessOp OpFor(byte opcode) => opcode switch
    {
        Start => ProcessOp.Start,
        Stop => ProcessOp.Stop,
        DCStart => ProcessOp.DCStart,
        DCEnd => ProcessOp.DCEnd,
        _ => ProcessOp.Defunct,
    };

    private static ProcessEvent Common(in EventRecord r, ProcessOp op) => new()
    {
        Op = op,
        Timestamp = r.Timestamp,
        ThreadId = r.ThreadId,
        ImageFileName = "",
        CommandLine = "",
        StackId = -1,
    };
}
