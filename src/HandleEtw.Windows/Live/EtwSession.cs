using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using HandleEtw.Core.Records;
using HandleEtw.Windows.Native;
using HandleEtw.Windows.Recording;

namespace HandleEtw.Windows.Live;

/// <summary>A controller handle on one ETW session: start, enable handle events with stacks, query, flush, stop.</summary>
[SupportedOSPlatform("windows")]
public sealed unsafe class EtwSession
{
    private const uint ControlQuery = 0, ControlStop = 1, ControlFlush = 3;
    private const int TraceStackTracingInfo = 3, TraceSystemTraceEnableFlagsInfo = 4, TraceStackCachingInfo = 24;
    private const int TraceMaxLoggersQuery = 19;
    private const uint ErrorAlreadyExists = 183, ErrorAccessDenied = 5, ErrorNoSystemResources = 1450, ErrorMoreData = 234;
    private const uint ErrorActiveConnections = 2402, ErrorWmiInstanceNotFound = 4201;
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

    /// <summary>
    /// StartTraceW. When a session of the same name runs, <paramref name="onConflict"/> decides: stop it and start
    /// again (our orphan, or the kernel logger with --force), or leave it alone and fail with its message.
    /// </summary>
    public static EtwSession Start(SessionPlan plan, Func<ConflictDecision> onConflict)
    {
        uint error = TryStart(plan, out ulong handle);
        if (error == ErrorAlreadyExists)
        {
            ConflictDecision decision = onConflict();
            if (decision.Action == ConflictAction.Refuse)
                throw new RecordingException(decision.Message, RecordingError.SessionInUse);
            StopByName(plan.Name);
            Thread.Sleep(RestartPause); // as TraceEvent does: let the stop finish before the name is taken again
            error = TryStart(plan, out handle);
        }
        if (error != 0) throw StartError(plan.Name, error);
        return new EtwSession(plan.Name, handle);
    }

    /// <summary>The pause between stopping a running session and starting one of the same name.</summary>
    public static readonly TimeSpan RestartPause = TimeSpan.FromMilliseconds(100);

    private static uint TryStart(SessionPlan plan, out ulong handle)
    {
        byte[] block = plan.BuildProperties();
        fixed (byte* p = block) return Etw.StartTrace(out handle, plan.Name, (EventTraceProperties*)p);
    }

    private static RecordingException StartError(string name, uint error) => error switch
    {
        ErrorAccessDenied => new RecordingException(
            "access denied starting the ETW session: run from an elevated (Administrator) prompt", RecordingError.NotElevated),
        ErrorNoSystemResources => new RecordingException(
            "no ETW session slot free (at most 8 system loggers, 64 sessions): stop an unused trace (logman query -ets) and retry",
            RecordingError.NoSessionSlot),
        ErrorAlreadyExists => new RecordingException($"an ETW session named \"{name}\" is already running", RecordingError.SessionFailed),
        _ => new RecordingException($"StartTrace(\"{name}\") failed with Win32 error {error}", RecordingError.SessionFailed),
    };

    /// <summary>Stacks on these Object opcodes (32 create, 33 close, 34 duplicate; one call replaces the whole list).</summary>
    public uint EnableHandleStacks(IReadOnlyList<byte> opcodes)
    {
        var ids = stackalloc ClassicEventId[opcodes.Count];
        for (int i = 0; i < opcodes.Count; i++) ids[i] = new ClassicEventId { EventGuid = KernelTasks.ObjectTaskId, Type = opcodes[i] };
        return Etw.TraceSetInformation(Handle, TraceStackTracingInfo, ids, (uint)(opcodes.Count * sizeof(ClassicEventId)));
    }

    /// <summary>The kernel's stack cache (TRACE_STACK_CACHING_INFO, Windows 10 2004 and later); a Win32 error where the
    /// OS does not offer it.</summary>
    public uint EnableStackCaching(uint cacheSize, uint buckets)
    {
        var info = new StackCachingInfo { Enabled = 1, CacheSize = cacheSize, BucketCount = buckets };
        return Etw.TraceSetInformation(Handle, TraceStackCachingInfo, &info, (uint)sizeof(StackCachingInfo));
    }

    /// <summary>The undocumented kernel object-type filter (at most 4 types, each its name's first four characters):
    /// an NTSTATUS, 0 when the kernel took it.</summary>
    public uint SetObjectTypeFilter(uint[] tags)
    {
        var info = new ObjectTypeFilterInfo { InformationClass = ObjectTypeFilterInfo.ObjectTypeFilterClass, TraceHandle = Handle };
        for (int i = 0; i < tags.Length && i < 4; i++) info.Tags[i] = tags[i];
        int length = 16 + 4 * Math.Min(tags.Length, 4);
        return Nt.NtSetSystemInformation(Nt.SystemPerformanceTraceInformation, &info, (uint)length);
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

    /// <summary>Enables a manifest provider on this session (a system logger carries user-mode providers too).</summary>
    public uint EnableProvider(Guid provider, byte level, ulong keywords)
    {
        Guid id = provider;
        return Etw.EnableTraceEx2(Handle, &id, EventControlCodeEnableProvider, level, keywords, 0, 0, null);
    }

    /// <summary>Microsoft-Windows-Win32k's GDI/USER handle keywords, each event with its stack.</summary>
    public bool TryEnableWin32k(ulong keywords, out uint error)
    {
        Guid provider = Win32kProvider.Provider;
        var parameters = new EnableTraceParameters
        {
            Version = EnableTraceParameters.Version2, EnableProperty = Win32kProvider.EnablePropertyStackTrace,
        };
        error = Etw.EnableTraceEx2(Handle, &provider, EventControlCodeEnableProvider, Win32kProvider.Level, keywords, 0, 0, &parameters);
        return error == 0;
    }

    /// <summary>What the session has lost so far; a failed query keeps the last good counters (never zeros).</summary>
    public SessionCounters Query() => Control(ControlQuery);

    public void Flush() => Control(ControlFlush);

    /// <summary>ControlTrace(STOP): the final counters, or the last good ones when the session was already gone.</summary>
    public SessionCounters Stop() => Control(ControlStop);

    public LastSessionCounters Counters { get; } = new();

    private SessionCounters Control(uint code)
    {
        byte[] block = SessionPlan.BuildQueryBlock();
        fixed (byte* p = block)
        {
            uint error = Etw.ControlTrace(Handle, null, (EventTraceProperties*)p, code);
            var q = (EventTraceProperties*)p;
            return Counters.Update(error, new SessionCounters(q->EventsLost, q->LogBuffersLost, q->RealTimeBuffersLost, q->BuffersWritten));
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

    /// <summary>
    /// Every running session (QueryAllTracesW). Asks for as many as the machine allows (TraceMaxLoggersQuery; 64 by
    /// default) and grows when sessions started in between (ERROR_MORE_DATA).
    /// </summary>
    public static List<ActiveSession> QueryAll()
    {
        int capacity = MaxLoggers();
        for (int attempt = 0; attempt < 4; attempt++)
        {
            uint error = QueryAll(capacity, out List<ActiveSession> sessions, out uint count);
            if (error != ErrorMoreData || capacity >= MaxQueryCapacity) return sessions; // on MORE_DATA: the ones that fit
            capacity = Math.Min(MaxQueryCapacity, Math.Max(capacity * 2, (int)count));
        }
        return [];
    }

    private const int MaxQueryCapacity = 1024;

    private static int MaxLoggers()
    {
        uint max = 0, length = 0;
        uint error = Etw.TraceQueryInformation(0, TraceMaxLoggersQuery, &max, sizeof(uint), &length);
        return error == 0 && max is > 0 and <= MaxQueryCapacity ? (int)max : 64;
    }

    private static uint QueryAll(int capacity, out List<ActiveSession> result, out uint count)
    {
        int blockSize = SessionPlan.BlockSize;
        byte[] all = new byte[capacity * blockSize];
        byte[] template = SessionPlan.BuildQueryBlock();
        for (int i = 0; i < capacity; i++) template.CopyTo(all, i * blockSize);
        var pointers = new nint[capacity];
        result = [];
        count = 0;
        fixed (byte* basePtr = all)
        fixed (nint* array = pointers)
        {
            for (int i = 0; i < capacity; i++) array[i] = (nint)(basePtr + i * blockSize);
            uint found = 0;
            uint error = Etw.QueryAllTraces((EventTraceProperties**)array, (uint)capacity, &found);
            count = found;
            if (error is not (0 or ErrorMoreData)) return error;
            for (int i = 0; i < Math.Min((int)found, capacity); i++)
            {
                var p = (EventTraceProperties*)array[i];
                result.Add(new ActiveSession(ReadName(p, p->LoggerNameOffset), ReadName(p, p->LogFileNameOffset),
                    p->LogFileMode, p->EnableFlags, p->BuffersWritten));
            }
            return error;
        }
    }

    private static string ReadName(EventTraceProperties* p, uint offset)
    {
        int limit = SessionPlan.BlockSize - Unsafe.SizeOf<EventTraceProperties>();
        if (offset < Unsafe.SizeOf<EventTraceProperties>() || offset >= SessionPlan.BlockSize) return "";
        var chars = new ReadOnlySpan<char>((byte*)p + offset, (SessionPlan.BlockSize - (int)offset) / 2);
        int end = chars.IndexOf('\0');
        return new string(end < 0 ? chars[..Math.Min(chars.Length, limit / 2)] : chars[..end]);
    }

    public static bool IsGone(uint error) => error == ErrorWmiInstanceNotFound;
}
