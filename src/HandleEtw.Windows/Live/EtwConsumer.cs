using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using HandleEtw.Core.Records;
using HandleEtw.Etl.Ring;
using HandleEtw.Windows.Native;
using HandleEtw.Windows.Recording;
using HandleEtw.Windows.Ring;

namespace HandleEtw.Windows.Live;

/// <summary>
/// Real-time consumer: OpenTraceW(REAL_TIME | EVENT_RECORD | RAW_TIMESTAMP) and ProcessTrace on its own thread. The
/// record callback only copies the header fields, user data and extended data into the ring and returns; it never
/// throws (an exception there ends ProcessTrace) and never allocates.
/// </summary>
[SupportedOSPlatform("windows")]
internal sealed unsafe class EtwConsumer : IDisposable
{
    private const uint ModeRealTime = 0x100, ModeRawTimestamp = 0x1000, ModeEventRecord = 0x10000000;
    private const uint ErrorCancelled = 1223, ErrorCtxClosePending = 7007;

    private readonly RecordRing _ring;
    private readonly Action<uint> _onEnd;
    private GCHandle _ringHandle;
    private ulong _traceHandle = Etw.InvalidProcessTraceHandle;
    private Thread? _thread;

    public EtwConsumer(RecordRing ring, Action<uint> onEnd)
    {
        _ring = ring;
        _onEnd = onEnd;
    }

    /// <summary>QPC ticks per second from the opened trace's header.</summary>
    public long PerfFrequency { get; private set; }

    public void Open(string sessionName)
    {
        _ringHandle = GCHandle.Alloc(_ring);
        fixed (char* name = sessionName)
        {
            var logfile = new EventTraceLogfile
            {
                LoggerName = name,
                ProcessTraceMode = ModeRealTime | ModeRawTimestamp | ModeEventRecord,
                EventRecordCallback = (nint)(delegate* unmanaged<EventRecordNative*, void>)&OnEventRecord,
                Context = GCHandle.ToIntPtr(_ringHandle),
            };
            _traceHandle = Etw.OpenTrace(&logfile);
            if (_traceHandle == Etw.InvalidProcessTraceHandle)
                throw new RecordingException($"OpenTrace(\"{sessionName}\") failed with Win32 error {Marshal.GetLastPInvokeError()}",
                    RecordingError.SessionFailed);
            PerfFrequency = logfile.LogfileHeader.PerfFreq;
        }
        _thread = new Thread(Run) { IsBackground = true, Name = "handleetw ProcessTrace" };
        _thread.Start();
    }

    private void Run()
    {
        ulong handle = _traceHandle;
        uint result = Etw.ProcessTrace(&handle, 1, null, null);
        _onEnd(result == ErrorCancelled ? 0 : result);
    }

    /// <summary>Waits for ProcessTrace to return (it does after ControlTrace(STOP) once queued buffers are delivered).</summary>
    public bool Join(TimeSpan timeout) => _thread is null || _thread.Join(timeout);

    /// <summary>CloseTrace after the drain (never the controller handle).</summary>
    public void Dispose()
    {
        if (_traceHandle != Etw.InvalidProcessTraceHandle)
        {
            uint error = Etw.CloseTrace(_traceHandle);
            _ = error is 0 or ErrorCtxClosePending;
            _traceHandle = Etw.InvalidProcessTraceHandle;
        }
        if (_thread is null || !_thread.IsAlive)
        {
            if (_ringHandle.IsAllocated) _ringHandle.Free();
        }
    }

    [UnmanagedCallersOnly]
    private static void OnEventRecord(EventRecordNative* record)
    {
        try
        {
            if (record->UserContext == 0) return;
            var ring = (RecordRing)GCHandle.FromIntPtr(record->UserContext).Target!;
            Copy(ring, record);
        }
        catch
        {
            // Nothing may escape into ProcessTrace; a failed copy is a lost record, counted by the ring.
        }
    }

    private static void Copy(RecordRing ring, EventRecordNative* r)
    {
        int extendedLength = FlattenedExtendedLength(r);
        int userLength = r->UserData == null ? 0 : r->UserDataLength;
        if (!ring.TryReserve(userLength, extendedLength, out Span<byte> entry, out long newHead)) return;
        Span<byte> data = entry[RecordRing.DataOffset..];
        new ReadOnlySpan<byte>(r->UserData, userLength).CopyTo(data);
        WriteExtended(r, data.Slice(userLength, extendedLength));
        ref EventHeader h = ref r->EventHeader;
        var header = new RawRecordHeader
        {
            ProviderId = h.ProviderId,
            Timestamp = h.TimeStamp,
            ProcessId = (int)h.ProcessId,
            ThreadId = (int)h.ThreadId,
            EventId = h.Id,
            Opcode = h.Opcode,
            Version = h.Version,
            Cpu = (h.Flags & EventHeader.FlagProcessorIndex) != 0 ? r->ProcessorIndex : r->ProcessorNumber,
            Group = KernelGroup.None, // mapped from the task GUID on the consumer thread
            Header = (h.Flags & EventHeader.FlagClassicHeader) != 0 ? HeaderKind.System : HeaderKind.EventHeader,
            PointerSize = (byte)((h.Flags & EventHeader.Flag32BitHeader) != 0 ? 4 : 8),
            UserDataLength = userLength,
            ExtendedDataLength = extendedLength,
        };
        ring.Commit(entry, header, newHead);
    }

    private static int FlattenedExtendedLength(EventRecordNative* r) =>
        r->ExtendedData == null ? 0 : ExtendedItems.PackedLength(new ReadOnlySpan<EventHeaderExtendedDataItem>(r->ExtendedData, r->ExtendedDataCount));

    private static void WriteExtended(EventRecordNative* r, Span<byte> target)
    {
        if (r->ExtendedData != null)
            ExtendedItems.Pack(new ReadOnlySpan<EventHeaderExtendedDataItem>(r->ExtendedData, r->ExtendedDataCount), target);
    }

    internal static int RecordSize => Unsafe.SizeOf<EventRecordNative>();
}
