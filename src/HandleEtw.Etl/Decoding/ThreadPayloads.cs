using HandleEtw.Core.Events;
using HandleEtw.Core.Records;

namespace HandleEtw.Etl.Decoding;

/// <summary>Thread events (kernel group 0x05), versions 2 and later: only the identity fields are read.</summary>
public static class ThreadPayloads
{
    public const byte Start = 1;
    public const byte Stop = 2;
    public const byte DCStart = 3;
    public const byte DCEnd = 4;

    public static bool IsThreadEvent(in EventRecord r) =>
        r.Group == KernelGroup.Thread && r.Opcode is Start or Stop or DCStart or DCEnd;

    /// <summary>ProcessId and ThreadId come from the payload (rundown records carry none in their header).</summary>
    public static bool TryRead(in EventRecord r, out ThreadEvent e)
    {
        e = default;
        if (!IsThreadEvent(r) || r.Version < 2) return false;
        var reader = new PayloadReader(r.Payload, r.PointerSize);
        int pid = reader.ReadInt32();
        int tid = reader.ReadInt32();
        if (reader.Failed) return false;
        ThreadOp op = r.Opcode switch
        {
            Start => ThreadOp.Start,
            Stop => ThreadOp.Stop,
            DCStart => ThreadOp.DCStart,
            _ => ThreadOp.DCEnd,
        };
        e = new ThreadEvent { Op = op, Timestamp = r.Timestamp, ProcessId = pid, ThreadId = tid };
        return true;
    }
}
