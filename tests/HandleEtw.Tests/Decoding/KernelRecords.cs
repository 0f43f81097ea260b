using HandleEtw.Core.Records;
using HandleEtw.Etl.Decoding;

namespace HandleEtw.Tests.Decoding;

/// <summary>Builds the kernel records the decoder reads, laid out as etl-format.md §3 describes them.</summary>
public static class KernelRecords
{
    public const ulong KernelFrame = 0xFFFF_F800_0000_1000;
    public const ulong UserFrame = 0x0000_7FF6_0000_1000;

    public static RawRecord CreateHandle(long ts, int pid, int tid, uint handle, ulong obj = 0xFFFF_A000_0000_0010,
        ushort type = 7, string? name = null, int p = 8, byte opcode = ObjectPayloads.CreateHandle)
    {
        var b = new PayloadBuilder(p).Pointer(obj).U32(handle).U16(type);
        if (name != null) b.Utf16(name);
        return new RawRecord(KernelGroup.Object, opcode, b.ToArray(), p, ProcessId: pid, ThreadId: tid, Timestamp: ts);
    }

    public static RawRecord CloseHandle(long ts, int pid, int tid, uint handle, int p = 8) =>
        CreateHandle(ts, pid, tid, handle, p: p, opcode: ObjectPayloads.CloseHandle);

    /// <summary>A Stack record (PERFINFO header: no PID/TID) for the event at <paramref name="eventTs"/>.</summary>
    public static RawRecord Stack(long ts, long eventTs, int pid, int tid, ulong[] frames, int p = 8, ushort cpu = 0)
    {
        var b = new PayloadBuilder(p).U64((ulong)eventTs).I32(pid).I32(tid);
        foreach (ulong f in frames) b.Pointer(f);
        return Perf(StackWalkPayloads.Stack, b, p, ts, cpu);
    }

    public static RawRecord KeyReference(long ts, long eventTs, int pid, int tid, ulong key, bool kernel, int p = 8)
    {
        var b = new PayloadBuilder(p).U64((ulong)eventTs).I32(pid).I32(tid).Pointer(key);
        return Perf(kernel ? StackWalkPayloads.StackKeyKernel : StackWalkPayloads.StackKeyUser, b, p, ts, 0);
    }

    public static RawRecord KeyDefinition(long ts, ulong key, ulong[] frames, bool rundown = false, int p = 8)
    {
        var b = new PayloadBuilder(p).Pointer(key);
        foreach (ulong f in frames) b.Pointer(f);
        return Perf(rundown ? StackWalkPayloads.KeyRundown : StackWalkPayloads.KeyDelete, b, p, ts, 0);
    }

    /// <summary>An event the decoder does not decode (a CPU sample), still a possible stack target.</summary>
    public static RawRecord Other(long ts, int tid, ushort cpu = 0) =>
        new(KernelGroup.PerfInfo, 46, new byte[16], ThreadId: tid, Timestamp: ts, Cpu: cpu);

    public static ulong[] KernelFrames(int n, ulong seed = 0) =>
        Enumerable.Range(0, n).Select(i => KernelFrame + seed * 0x1000 + (ulong)i).ToArray();

    public static ulong[] UserFrames(int n, ulong seed = 0) =>
        Enumerable.Range(0, n).Select(i => UserFrame + seed * 0x1000 + (ulong)i).ToArray();

    private static RawRecord Perf(byte opcode, PayloadBuilder b, int p, long ts, ushort cpu) =>
        new(KernelGroup.StackWalk, opcode, b.ToArray(), p, ProcessId: -1, ThreadId: -1, Timestamp: ts, Cpu: cpu,
            Header: HeaderKind.PerfInfo);
}
