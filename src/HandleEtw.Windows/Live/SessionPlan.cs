using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using HandleEtw.Windows.Native;
using HandleEtw.Windows.Recording;

namespace HandleEtw.Windows.Live;

/// <summary>How a session is configured (windows-live.md §2.2, §5). Platform-neutral so it is tested everywhere.</summary>
public sealed record SessionPlan
{
    public const string PrivateName = "handleetw";
    public const string KernelLoggerName = "NT Kernel Logger";

    /// <summary>Our fixed session GUID: a second instance fails with ERROR_ALREADY_EXISTS instead of running twice.</summary>
    public static readonly Guid PrivateGuid = new("7c1b8e2a-53d4-4f0e-9a61-2f6e0d7c4b19");
    public static readonly Guid SystemTraceControlGuid = new("9e814aad-3204-11d2-9a82-006008a86939");

    public const uint RealTimeMode = 0x100;
    public const uint FileModeSequential = 0x1;
    public const uint SystemLoggerMode = 0x02000000;
    public const uint WnodeFlagTracedGuid = 0x00020000;
    public const uint ClockQpc = 1;

    /// <summary>EVENT_TRACE_FLAG_PROCESS | THREAD | IMAGE_LOAD: group mask 0.</summary>
    public const uint ProcessThreadImageFlags = 0x1 | 0x2 | 0x4;

    /// <summary>PERF_OB_HANDLE = 0x80000040: bit 0x40 of group mask 4 (the top 3 bits pick the mask).</summary>
    public const int HandleMaskIndex = 4;
    public const uint HandleMaskBit = 0x40;

    /// <summary>Session name and file name each get this many UTF-16 characters after the fixed struct.</summary>
    public const int NameCapacityChars = 1024;

    public required string Name { get; init; }
    public required Guid SessionGuid { get; init; }
    public required uint LogFileMode { get; init; }
    public string? LogFile { get; init; }
    public uint BufferSizeKb { get; init; } = 1024;
    public uint MinimumBuffers { get; init; }
    public uint MaximumBuffers { get; init; }
    public uint FlushTimerSeconds { get; init; } = 1;

    /// <summary>The private system logger (primary path). <paramref name="etlPath"/> also writes an .etl.</summary>
    public static SessionPlan Private(int processors, string? etlPath, RecordPreset? preset = null) =>
        Sized(new SessionPlan
        {
            Name = PrivateName,
            SessionGuid = PrivateGuid,
            LogFileMode = RealTimeMode | SystemLoggerMode | (etlPath is null ? 0 : FileModeSequential),
            LogFile = etlPath,
        }, processors, preset ?? RecordPreset.Full);

    /// <summary>The singleton kernel logger (fallback); the GUID must be SystemTraceControlGuid there.</summary>
    public static SessionPlan KernelLogger(int processors, string? etlPath, RecordPreset? preset = null) =>
        Sized(new SessionPlan
        {
            Name = KernelLoggerName,
            SessionGuid = SystemTraceControlGuid,
            LogFileMode = RealTimeMode | (etlPath is null ? 0 : FileModeSequential),
            LogFile = etlPath,
        }, processors, preset ?? RecordPreset.Full);

    /// <summary>1 MB buffers; full: at least 2 per CPU (ETW's own floor), room to grow to 4 per CPU, capped at 256 MB
    /// of non-paged pool; long: 4 per CPU growing to 16, capped at 1 GB, so bursts over a long run are not lost.</summary>
    private static SessionPlan Sized(SessionPlan plan, int processors, RecordPreset preset)
    {
        int cpus = Math.Max(1, processors), cap = preset.MaxBuffers;
        uint min = (uint)Math.Min(cap, Math.Max(8, preset.BuffersPerCpu * cpus));
        uint max = (uint)Math.Min(cap, Math.Max(min + 32, preset.MaxBuffersPerCpu * cpus));
        return plan with { MinimumBuffers = min, MaximumBuffers = Math.Max(min, max) };
    }

    public static int BlockSize => Unsafe.SizeOf<EventTraceProperties>() + 2 * NameCapacityChars * sizeof(char);

    /// <summary>The EVENT_TRACE_PROPERTIES block with room for both names; StartTrace copies the session name in.</summary>
    public byte[] BuildProperties()
    {
        var block = new byte[BlockSize];
        int structSize = Unsafe.SizeOf<EventTraceProperties>();
        var p = new EventTraceProperties
        {
            WnodeBufferSize = (uint)block.Length,
            Guid = SessionGuid,
            ClientContext = ClockQpc,
            WnodeFlags = WnodeFlagTracedGuid,
            BufferSize = BufferSizeKb,
            MinimumBuffers = MinimumBuffers,
            MaximumBuffers = MaximumBuffers,
            LogFileMode = LogFileMode,
            FlushTimer = FlushTimerSeconds,
            EnableFlags = ProcessThreadImageFlags, // a system logger "must set the EnableFlags member"
            LoggerNameOffset = (uint)structSize,
            LogFileNameOffset = LogFile is null ? 0 : (uint)(structSize + NameCapacityChars * sizeof(char)),
        };
        MemoryMarshal.Write(block, in p);
        if (LogFile is not null)
        {
            if (LogFile.Length >= NameCapacityChars) throw new ArgumentException($"log file path longer than {NameCapacityChars - 1} characters");
            MemoryMarshal.AsBytes(LogFile.AsSpan()).CopyTo(block.AsSpan((int)p.LogFileNameOffset));
        }
        return block;
    }

    /// <summary>A block for QUERY/STOP by name (names come back into it).</summary>
    public static byte[] BuildQueryBlock()
    {
        var block = new byte[BlockSize];
        var p = new EventTraceProperties
        {
            WnodeBufferSize = (uint)block.Length,
            LoggerNameOffset = (uint)Unsafe.SizeOf<EventTraceProperties>(),
            LogFileNameOffset = (uint)(Unsafe.SizeOf<EventTraceProperties>() + NameCapacityChars * sizeof(char)),
        };
        MemoryMarshal.Write(block, in p);
        return block;
    }

    /// <summary>The 32-byte group mask: process/thread/image in mask 0, handles in mask 4.</summary>
    public static uint[] HandleGroupMask()
    {
        var masks = new uint[8];
        masks[0] = ProcessThreadImageFlags;
        masks[HandleMaskIndex] = HandleMaskBit;
        return masks;
    }
}
