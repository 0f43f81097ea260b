using System.Buffers.Binary;
using HandleEtw.Core.Events;
using HandleEtw.Core.Records;
using HandleEtw.Core.Stacks;
using HandleEtw.Windows.Recording;
using HandleEtw.Windows.Ring;

namespace HandleEtw.Tests.Live;

/// <summary>Raw records as a live x64 session delivers them: task GUID, no group (the consumer maps it).</summary>
internal static class Raw
{
    private static RawRecordHeader Header(Guid task, byte opcode, long ts, int pid, int tid = 1) => new()
    {
        ProviderId = task, Opcode = opcode, Version = 2, Timestamp = ts, ProcessId = pid, ThreadId = tid,
        Group = KernelGroup.None, Header = HeaderKind.System, PointerSize = 8,
    };

    public static ReplayRecord Handle(byte opcode, long ts, int pid, uint handle, ulong obj, ushort type = 16)
    {
        var p = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(p, obj);
        BinaryPrimitives.WriteUInt32LittleEndian(p.AsSpan(8), handle);
        BinaryPrimitives.WriteUInt16LittleEndian(p.AsSpan(12), type);
        return new ReplayRecord(Header(KernelTaskMap.Object, opcode, ts, pid), p);
    }

    public static ReplayRecord Create(long ts, int pid, uint handle, ulong obj) => Handle(32, ts, pid, handle, obj);
    public static ReplayRecord Close(long ts, int pid, uint handle, ulong obj) => Handle(33, ts, pid, handle, obj);

    /// <summary>HandleDCEnd: Object, ProcessId, Handle, ObjectType.</summary>
    public static ReplayRecord RundownEnd(long ts, int ownerPid, uint handle, ulong obj)
    {
        var p = new byte[18];
        BinaryPrimitives.WriteUInt64LittleEndian(p, obj);
        BinaryPrimitives.WriteUInt32LittleEndian(p.AsSpan(8), (uint)ownerPid);
        BinaryPrimitives.WriteUInt32LittleEndian(p.AsSpan(12), handle);
        BinaryPrimitives.WriteUInt16LittleEndian(p.AsSpan(16), 16);
        return new ReplayRecord(Header(KernelTaskMap.Object, 39, ts, -1), p);
    }

    public static ReplayRecord ProcessStop(long ts, int pid) => new(Header(KernelTaskMap.Process, 2, ts, pid), new byte[8]);

    /// <summary>StackKeyUser-like reference: event timestamp, thread, cache key.</summary>
    public static ReplayRecord StackKey(long eventTs, int pid, int tid, ulong key)
    {
        var p = new byte[24];
        BinaryPrimitives.WriteInt64LittleEndian(p, eventTs);
        BinaryPrimitives.WriteUInt32LittleEndian(p.AsSpan(8), (uint)pid);
        BinaryPrimitives.WriteUInt32LittleEndian(p.AsSpan(12), (uint)tid);
        BinaryPrimitives.WriteUInt64LittleEndian(p.AsSpan(16), key);
        return new ReplayRecord(Header(KernelTaskMap.StackWalk, 38, eventTs, pid, tid), p);
    }

    /// <summary>KeyRundown: key then frames (delivered only at stop).</summary>
    public static ReplayRecord KeyRundown(long ts, ulong key, params ulong[] frames)
    {
        var p = new byte[8 + 8 * frames.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(p, key);
        for (int i = 0; i < frames.Length; i++) BinaryPrimitives.WriteUInt64LittleEndian(p.AsSpan(8 + 8 * i), frames[i]);
        return new ReplayRecord(Header(KernelTaskMap.StackWalk, 36, ts, -1), p);
    }
}

/// <summary>
/// A small stand-in for the shared decoder, enough to drive the recorder: handle/process events, and stack keys that
/// hold their event back until the key's frames arrive (or the end). Records must arrive with the group mapped.
/// </summary>
internal sealed class MiniDecoder(StackTable stacks, TraceConsumer consumer) : IRecordDecoder
{
    private readonly Dictionary<ulong, List<HandleEvent>> _pendingByKey = new();
    private HandleEvent? _last;
    public long UnmappedRecords { get; private set; }

    public void OnRecord(in EventRecord r)
    {
        ReadOnlySpan<byte> p = r.Payload;
        switch (r.Group)
        {
            case KernelGroup.Object when r.Opcode is 32 or 33:
                EmitLast();
                _last = new HandleEvent
                {
                    Op = r.Opcode == 32 ? HandleOp.Create : HandleOp.Close, Timestamp = r.Timestamp, ProcessId = r.ProcessId,
                    ThreadId = r.ThreadId, Object = BinaryPrimitives.ReadUInt64LittleEndian(p),
                    Handle = BinaryPrimitives.ReadUInt32LittleEndian(p[8..]), ObjectType = BinaryPrimitives.ReadUInt16LittleEndian(p[12..]), StackId = -1,
                };
                break;
            case KernelGroup.Object when r.Opcode == 39:
                EmitLast();
                consumer.OnHandle(new HandleEvent
                {
                    Op = HandleOp.RundownEnd, Timestamp = r.Timestamp, Object = BinaryPrimitives.ReadUInt64LittleEndian(p),
                    ProcessId = (int)BinaryPrimitives.ReadUInt32LittleEndian(p[8..]), Handle = BinaryPrimitives.ReadUInt32LittleEndian(p[12..]),
                    ObjectType = BinaryPrimitives.ReadUInt16LittleEndian(p[16..]), StackId = -1,
                });
                break;
            case KernelGroup.Process when r.Opcode == 2:
                EmitLast();
                consumer.OnProcess(new ProcessEvent { Op = ProcessOp.Stop, Timestamp = r.Timestamp, ProcessId = r.ProcessId, ImageFileName = "", CommandLine = "" });
                break;
            case KernelGroup.StackWalk when r.Opcode == 38 && _last is { } e && e.Timestamp == BinaryPrimitives.ReadInt64LittleEndian(p):
                ulong key = BinaryPrimitives.ReadUInt64LittleEndian(p[16..]);
                if (!_pendingByKey.TryGetValue(key, out var list)) _pendingByKey[key] = list = new();
                list.Add(e);
                _last = null;
                break;
            case KernelGroup.StackWalk when r.Opcode == 36:
                EmitLast();
                ulong rundownKey = BinaryPrimitives.ReadUInt64LittleEndian(p);
                var frames = new ulong[(p.Length - 8) / 8];
                for (int i = 0; i < frames.Length; i++) frames[i] = BinaryPrimitives.ReadUInt64LittleEndian(p[(8 + 8 * i)..]);
                if (_pendingByKey.Remove(rundownKey, out var waiting))
                    foreach (HandleEvent w in waiting) consumer.OnHandle(w with { StackId = stacks.Intern(frames) });
                break;
            case KernelGroup.None:
                UnmappedRecords++;
                break;
        }
    }

    private void EmitLast()
    {
        if (_last is { } e) consumer.OnHandle(e);
        _last = null;
    }

    public void Finish()
    {
        EmitLast();
        foreach (HandleEvent e in _pendingByKey.Values.SelectMany(v => v)) consumer.OnHandle(e);
        consumer.OnEnd(0);
    }
}
