using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using HandleEtw.Core.Records;
using HandleEtw.Windows.Native;
using HandleEtw.Windows.Recording;

namespace HandleEtw.Windows.Live;

/// <summary>Loss and buffer counters from ControlTrace(QUERY) (windows-live.md §5.4).</summary>
public readonly record struct SessionCounters(long EventsLost, long LogBuffersLost, long RealTimeBuffersLost, long BuffersWritten);

/// <summary>A controller handle on one ETW session: start, enable handle events with stacks, query, flush, stop.</summary>
[SupportedOSPlatform("windows")]
public sealed unsafe class EtwSession
{
    private const uint ControlQuery = 0, ControlStop = 1, ControlFlush = 3;
    private const int TraceStackTracingInfo = 3, TraceSystemTraceEnableFlagsInfo = 4;
    private const uint ErrorAlreadyExists = 183, ErrorAccessDenied = 5, ErrorNoSystemResources = 1450, ErrorMoreData = 234;
    private const uint ErrorActiveConnections = 1230, ErrorWmiInstanceNotFound = 4201;
    private const uint EventControlCodeEnableProvider = 1;

    private static readonly Guid SystemObjectProvider = new("febd7460-3d1d-47eb-af49-c9eeb1e146f2");
    private static readonly Guid SystemProcessProvider = new("151f55dc-467d-471f-83b5-5f889d46ff66");
    private const ulong SystemObjectKeywordHandle = 0x2;
    private const ulong SystemProcessKeywords = 0x1 | 0x800 | 0x1000; // GENERAL | THREAD | LOADER

    private EtwSession(string name, ulong handle)
    {
        Name = name;
        Handle = handle;
    }

    public string Name { get; }
    public ulong Handle { get; }

    /// <summary>StartTraceW; a running session of the same name (our orphan, or the kernel logger with --force) is stopped first.</summary>
    public static EtwSession Start(SessionPlan plan, bool stopExisting)
    {
        byte[] block = plan.BuildProperties();
        uint error;
        ulong handle;
        fixed (byte* p = block) error = Etw.StartTrace(out handle, plan.Name, (EventTraceProperties*)p);
        if (error == ErrorAlreadyExists && stopExisting)
        {
            StopByName(plan.Name);
            block = plan.BuildProperties();
            fixed (byte* p = block) error = Etw.StartTrace(out handle, plan.Name, (EventTraceProperties*)p);
        }
        if (error != 0) throw StartError(plan.Name, error);
        return new EtwSession(plan.Name, handle);
    }

    private static RecordingException StartError(string name, uint error) => error switch
    {
        ErrorAccessDenied => new RecordingException(
            "access denied starting the ETW session: run from an elevated (Administrator) prompt", RecordingError.NotElevated),
        ErrorNoSystemResources => new RecordingException(
            "no ETW session slot free (at most 8 system loggers, 64 sessions): stop an unused trace (logman query -ets) and retry",
            RecordingError.SessionFailed),
        ErrorAlreadyExists => new RecordingException($"an ETW session named \"{name}\" is already running", RecordingError.SessionFailed),
        _ => new RecordingException($"StartTrace(\"{name}\") failed with Win32 error {error}", RecordingError.SessionFailed),
    };

    /// <summary>Stacks on handle create, close and duplicate (one call replaces the whole list).</summary>
    public uint EnableHandleStacks()
    {
        var ids = stackalloc ClassicEventId[3];
        for (int i = 0; i < 3; i++) ids[i] = new ClassicEventId { EventGuid = KernelTasks.ObjectTaskId, Type = (byte)(32 + i) };
        return Etw.TraceSetInformation(Handle, TraceStackTracingInfo, ids, (uint)(3 * sizeof(ClassicEventId)));
    }

    /// <summary>
    /// Sets the 32-byte group mask (process/thread/image + PERF_OB_HANDLE) and reads it back; false when the OS
    /// refused it or silently dropped the handle bit. This only asks for ETW events: handleetw never turns on the
    /// kernel's per-process handle tracing (ProcessHandleTracing), which changes how the target treats invalid
    /// handles (it raises STATUS_INVALID_HANDLE where the process used to survive) and forces FIFO handle reuse.
    /// </summary>
    public bool TrySetHandleGroupMask(out uint error)
    {
        PerfInfoGroupMask mask = default;
        uint[] wanted = SessionPlan.HandleGroupMask();
        for (int i = 0; i < 8; i++) mask.Masks[i] = wanted[i];
        error = Etw.TraceSetInformation(Handle, TraceSystemTraceEnableFlagsInfo, &mask, (uint)sizeof(PerfInfoGroupMask));
        if (error != 0) return false;
        PerfInfoGroupMask readBack = default;
        uint length = 0;
        error = Etw.TraceQueryInformation(Handle, TraceSystemTraceEnableFlagsInfo, &readBack, (uint)sizeof(PerfInfoGroupMask), &length);
        return error == 0 && (readBack.Masks[SessionPlan.HandleMaskIndex] & SessionPlan.HandleMaskBit) != 0;
    }

    /// <summary>The "system providers" form (newer Windows): Object provider handle keyword + Process provider.</summary>
    public bool TryEnableSystemProviders(out uint error)
    {
        Guid process = SystemProcessProvider, obj = SystemObjectProvider;
        error = Etw.EnableTraceEx2(Handle, &process, EventControlCodeEnableProvider, 5, SystemProcessKeywords, 0, 0, null);
        if (error != 0) return false;
        error = Etw.EnableTraceEx2(Handle, &obj, EventControlCodeEnableProvider, 5, SystemObjectKeywordHandle, 0, 0, null);
        return error == 0;
    }

    public SessionCounters Query() => Control(ControlQuery, out _);

    public void Flush() => Control(ControlFlush, out _);

    /// <summary>ControlTrace(STOP): returns the final counters; "already stopping" and "gone" count as stopped.</summary>
    public SessionCounters Stop() => Control(ControlStop, out _);

    private SessionCounters Control(uint code, out uint error)
    {
        byte[] block = SessionPlan.BuildQueryBlock();
        fixed (byte* p = block)
        {
            error = Etw.ControlTrace(Handle, null, (EventTraceProperties*)p, code);
            return Counters(*(EventTraceProperties*)p);
        }
    }

    /// <summary>Stops a session by name; false when none was running.</summary>
    public static bool StopByName(string name)
    {
        byte[] block = SessionPlan.BuildQueryBlock();
        uint error;
        fixed (byte* p = block) error = Etw.ControlTrace(0, name, (EventTraceProperties*)p, ControlStop);
        return error is 0 or ErrorMoreData or ErrorActiveConnections;
    }

    public static bool IsRunning(string name)
    {
        byte[] block = SessionPlan.BuildQueryBlock();
        uint error;
        fixed (byte* p = block) error = Etw.ControlTrace(0, name, (EventTraceProperties*)p, ControlQuery);
        return error is 0 or ErrorMoreData;
    }

    /// <summary>Every running session (QueryAllTracesW, up to 256 entries).</summary>
    public static List<ActiveSession> QueryAll()
    {
        const int capacity = 256;
        int blockSize = SessionPlan.BlockSize;
        byte[] all = new byte[capacity * blockSize];
        var result = new List<ActiveSession>();
        fixed (byte* basePtr = all)
        {
            var pointers = stackalloc EventTraceProperties*[capacity];
            for (int i = 0; i < capacity; i++)
            {
                byte[] template = SessionPlan.BuildQueryBlock();
                template.CopyTo(all, i * blockSize);
                pointers[i] = (EventTraceProperties*)(basePtr + i * blockSize);
            }
            uint count = 0;
            uint error = Etw.QueryAllTraces(pointers, capacity, &count);
            if (error != 0 && error != ErrorMoreData) return result;
            for (int i = 0; i < Math.Min((int)count, capacity); i++)
            {
                EventTraceProperties* p = pointers[i];
                result.Add(new ActiveSession(ReadName(p, p->LoggerNameOffset), ReadName(p, p->LogFileNameOffset),
                    p->LogFileMode, p->EnableFlags, p->BuffersWritten));
            }
        }
        return result;
    }

    private static string ReadName(EventTraceProperties* p, uint offset)
    {
        int limit = SessionPlan.BlockSize - Unsafe.SizeOf<EventTraceProperties>();
        if (offset < Unsafe.SizeOf<EventTraceProperties>() || offset >= SessionPlan.BlockSize) return "";
        var chars = new ReadOnlySpan<char>((byte*)p + offset, (SessionPlan.BlockSize - (int)offset) / 2);
        int end = chars.IndexOf('\0');
        return new string(end < 0 ? chars[..Math.Min(chars.Length, limit / 2)] : chars[..end]);
    }

    private static SessionCounters Counters(in EventTraceProperties p) =>
        new(p.EventsLost, p.LogBuffersLost, p.RealTimeBuffersLost, p.BuffersWritten);

    public static bool IsGone(uint error) => error == ErrorWmiInstanceNotFound;
}
