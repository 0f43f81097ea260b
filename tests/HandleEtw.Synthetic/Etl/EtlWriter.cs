using System.Buffers.Binary;
using HandleEtw.Synthetic.Compression;

namespace HandleEtw.Synthetic.Etl;

/// <summary>
/// Writes a real .etl file, streaming: a header buffer (patched on <see cref="Dispose"/>) holding the EventTrace
/// header event, then per-processor buffers written out as each one fills, so processors interleave in the file.
/// Memory is one buffer per processor whatever the number of events. Records are 8-byte aligned and never span
/// buffers. Times are logical 100-ns ticks since the trace start; records carry raw QPC values. With compression,
/// a full buffer is compressed and written on a worker thread while the caller fills the next one (one buffer in
/// flight, written in flush order, so the file is the same as a sequential run). <see cref="Roll"/> closes the file
/// and carries on in the next one, like a session in new-file mode: each file is a valid .etl with its own header.
/// </summary>
public sealed class EtlWriter : IDisposable
{
    private Stream _stream;
    private readonly bool _leaveOpen;
    private readonly CpuBuffer[] _cpus;
    private readonly XpressEncoder? _encoder;
    private readonly byte[] _compressed;
    private byte[] _spare = [];
    private Task? _inFlight;
    private readonly PayloadBuilder _headerPayload = new();
    private uint _buffersWritten;
    private long _lastTicks;
    private long _fileStartTicks;
    private bool _disposed;

    public EtlWriter(Stream stream, EtlWriterOptions options, bool leaveOpen = false)
    {
        options.Validate();
        if (!stream.CanSeek || !stream.CanWrite) throw new ArgumentException("the stream must be writable and seekable", nameof(stream));
        _stream = stream;
        _leaveOpen = leaveOpen;
        Options = options;
        _cpus = new CpuBuffer[options.Processors];
        for (int i = 0; i < _cpus.Length; i++) _cpus[i] = new CpuBuffer(options.BufferSize);
        if (options.Compress) _encoder = new XpressEncoder();
        _compressed = options.Compress ? new byte[XpressEncoder.MaxCompressedLength(options.BufferSize)] : [];
        if (options.Compress) _spare = new byte[options.BufferSize];
        _stream.Write(new byte[options.BufferSize]); // header buffer placeholder, rewritten at the end
        _buffersWritten = 1;
    }

    public static EtlWriter Create(string path, EtlWriterOptions options) =>
        new(new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16), options);

    public EtlWriterOptions Options { get; }
    public RecordCounts Counts { get; } = new();

    /// <summary>Largest payload a record of <paramref name="headerSize"/> bytes can carry.</summary>
    public int MaxPayload(int headerSize) => Math.Min(Options.BufferSize - EtlConstants.BufferHeaderSize, 0xFFF8) - headerSize;

    /// <summary>Raw QPC value of a logical time (100-ns ticks since the start).</summary>
    public long ToRaw(long ticks) => Options.PerfFreq == 10_000_000
        ? Options.StartQpc + ticks
        : Options.StartQpc + (long)((Int128)ticks * Options.PerfFreq / 10_000_000);

    public void WriteSystem(int cpu, ushort hook, byte version, int pid, int tid, long ticks, ReadOnlySpan<byte> payload, int pointerSize = 8)
    {
        Span<byte> r = Begin(cpu, ticks, RecordHeaders.SystemSize, payload);
        RecordHeaders.System(r, pointerSize == 8 ? RecordHeaderType.System64 : RecordHeaderType.System32, version, hook, pid, tid, ToRaw(ticks));
        Counts.Add(hook, pointerSize == 8 ? RecordHeaderType.System64 : RecordHeaderType.System32);
    }

    public void WriteCompact(int cpu, ushort hook, byte version, int pid, int tid, long ticks, ReadOnlySpan<byte> payload, int pointerSize = 8)
    {
        Span<byte> r = Begin(cpu, ticks, RecordHeaders.CompactSize, payload);
        RecordHeaders.Compact(r, pointerSize == 8 ? RecordHeaderType.Compact64 : RecordHeaderType.Compact32, version, hook, pid, tid, ToRaw(ticks));
        Counts.Add(hook, pointerSize == 8 ? RecordHeaderType.Compact64 : RecordHeaderType.Compact32);
    }

    public void WritePerfInfo(int cpu, ushort hook, byte version, long ticks, ReadOnlySpan<byte> payload, int pointerSize = 8)
    {
        Span<byte> r = Begin(cpu, ticks, RecordHeaders.PerfInfoSize, payload);
        RecordHeaders.PerfInfo(r, pointerSize == 8 ? RecordHeaderType.PerfInfo64 : RecordHeaderType.PerfInfo32, version, hook, ToRaw(ticks));
        Counts.Add(hook, pointerSize == 8 ? RecordHeaderType.PerfInfo64 : RecordHeaderType.PerfInfo32);
    }

    public void WriteFull(int cpu, Guid guid, byte type, ushort version, int pid, int tid, long ticks, ReadOnlySpan<byte> payload, int pointerSize = 8)
    {
        Span<byte> r = Begin(cpu, ticks, RecordHeaders.FullSize, payload);
        RecordHeaders.Full(r, pointerSize == 8 ? RecordHeaderType.FullHeader64 : RecordHeaderType.FullHeader32, guid, type, version, pid, tid, ToRaw(ticks));
        Counts.AddGuid(guid, type, pointerSize == 8 ? RecordHeaderType.FullHeader64 : RecordHeaderType.FullHeader32);
    }

    public void WriteEventHeader(int cpu, Guid provider, in EventDescriptor descriptor, int pid, int tid, long ticks, ReadOnlySpan<byte> payload)
    {
        Span<byte> r = Begin(cpu, ticks, RecordHeaders.EventHeaderSize, payload);
        RecordHeaders.EventHeader(r, provider, descriptor, pid, tid, ToRaw(ticks));
        Counts.AddGuid(provider, descriptor.Opcode, RecordHeaderType.EventHeader64);
    }

    /// <summary>An EVENT_HEADER record with extended items (<paramref name="extended"/>: packed item headers and data,
    /// each padded to 8) between the header and the payload; 32- or 64-bit header type.</summary>
    public void WriteEventHeader(int cpu, Guid provider, in EventDescriptor descriptor, int pid, int tid, long ticks,
                                 ReadOnlySpan<byte> payload, ReadOnlySpan<byte> extended, int pointerSize)
    {
        var type = pointerSize == 4 ? RecordHeaderType.EventHeader32 : RecordHeaderType.EventHeader64;
        int headerSize = RecordHeaders.EventHeaderSize + extended.Length;
        Span<byte> r = Begin(cpu, ticks, headerSize, payload);
        RecordHeaders.EventHeader(r, type, extended.IsEmpty ? (ushort)0 : (ushort)1, provider, descriptor, pid, tid, ToRaw(ticks));
        extended.CopyTo(r[RecordHeaders.EventHeaderSize..]);
        Counts.AddGuid(provider, descriptor.Opcode, type);
    }

    /// <summary>Sets EVENTS_LOST (0x2) on the processor's current buffer.</summary>
    public void MarkEventsLost(int cpu) => Cpu(cpu).Flags |= EtlConstants.FlagEventsLost;

    /// <summary>Writes every partial buffer, then the final header buffer.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        CloseFile(_lastTicks);
        if (!_leaveOpen) _stream.Dispose();
    }

    /// <summary>Ends the current file at logical time <paramref name="ticks"/> (its header's end) and writes the
    /// next records to <paramref name="next"/>, whose header starts there. The finished stream is left to the caller
    /// when the writer leaves streams open, disposed otherwise.</summary>
    public void Roll(Stream next, long ticks)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (ticks < _lastTicks) throw new ArgumentException($"roll at {ticks} before the last record at {_lastTicks}", nameof(ticks));
        if (!next.CanSeek || !next.CanWrite) throw new ArgumentException("the stream must be writable and seekable", nameof(next));
        CloseFile(ticks);
        if (!_leaveOpen) _stream.Dispose();
        _stream = next;
        _fileStartTicks = ticks;
        foreach (CpuBuffer cpu in _cpus) cpu.Sequence = 0;
        _stream.Write(new byte[Options.BufferSize]);
        _buffersWritten = 1;
    }

    private void CloseFile(long endTicks)
    {
        for (int i = 0; i < _cpus.Length; i++)
            if (_cpus[i].HasRecords) Flush(i);
        WaitInFlight();
        WriteHeaderBuffer(endTicks);
        _stream.Flush();
    }

    private CpuBuffer Cpu(int cpu) =>
        (uint)cpu < (uint)_cpus.Length ? _cpus[cpu] : throw new ArgumentOutOfRangeException(nameof(cpu));

    /// <summary>Reserves an aligned record on the processor's buffer, copies the payload, returns the whole record.</summary>
    private Span<byte> Begin(int cpu, long ticks, int headerSize, ReadOnlySpan<byte> payload)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CpuBuffer buffer = Cpu(cpu);
        if (payload.Length > MaxPayload(headerSize)) throw new ArgumentException("record larger than a buffer", nameof(payload));
        if (ticks < buffer.LastTicks) throw new ArgumentException($"time goes back on CPU {cpu}: {ticks} < {buffer.LastTicks}", nameof(ticks));
        int size = headerSize + payload.Length;
        int aligned = (size + 7) & ~7;
        if (buffer.Position + aligned > Options.BufferSize) Flush(cpu);
        Span<byte> record = buffer.Data.AsSpan(buffer.Position, aligned);
        record.Clear();
        payload.CopyTo(record[headerSize..]);
        buffer.Position += aligned;
        buffer.LastTicks = ticks;
        _lastTicks = Math.Max(_lastTicks, ticks);
        return record[..size];
    }

    private void Flush(int cpu)
    {
        CpuBuffer buffer = _cpus[cpu];
        byte[] data = buffer.Data;
        int saved = buffer.Position;
        data.AsSpan(saved).Fill(0xFF);
        var header = new BufferHeader
        {
            BufferSize = Options.BufferSize, SavedOffset = saved, TimeStamp = ToRaw(buffer.LastTicks),
            Sequence = ++buffer.Sequence, Processor = (ushort)cpu, Flags = buffer.Flags, Type = EtlConstants.BufferTypeGeneric,
        };
        if (_encoder is null)
        {
            header.Write(data);
            _stream.Write(data, 0, Options.BufferSize);
        }
        else
        {
            // The worker owns the full buffer; the processor carries on in the spare one the previous flush released.
            WaitInFlight();
            (buffer.Data, _spare) = (_spare, data);
            _inFlight = Task.Run(() => CompressAndWrite(data, saved, header));
        }
        _buffersWritten++;
        buffer.Reset();
    }

    private void CompressAndWrite(byte[] data, int saved, BufferHeader header)
    {
        int length = _encoder!.Compress(data.AsSpan(EtlConstants.BufferHeaderSize, saved - EtlConstants.BufferHeaderSize), _compressed);
        header.BufferSize = EtlConstants.BufferHeaderSize + length;
        header.Flags |= EtlConstants.FlagCompressed;
        header.Write(data);
        _stream.Write(data, 0, EtlConstants.BufferHeaderSize);
        _stream.Write(_compressed, 0, length);
    }

    /// <summary>Waits for the buffer being compressed; its failure (a full disk) surfaces here.</summary>
    private void WaitInFlight()
    {
        if (_inFlight is null) return;
        Task task = _inFlight;
        _inFlight = null;
        task.GetAwaiter().GetResult();
    }

    private void WriteHeaderBuffer(long endTicks)
    {
        var totals = new LogFileHeader.Totals(_buffersWritten, Options.StartUtc.AddTicks(endTicks), Options.EventsLost, 0);
        EtlWriterOptions file = Options with { StartUtc = Options.StartUtc.AddTicks(_fileStartTicks), StartQpc = ToRaw(_fileStartTicks) };
        LogFileHeader.Build(_headerPayload, file, totals);
        byte[] data = new byte[Options.BufferSize];
        int headerSize = RecordHeaders.SystemSize;
        int size = headerSize + _headerPayload.Length;
        int saved = EtlConstants.BufferHeaderSize + ((size + 7) & ~7);
        Span<byte> record = data.AsSpan(EtlConstants.BufferHeaderSize, size);
        _headerPayload.Span.CopyTo(record[headerSize..]);
        var type = Options.PointerSize == 8 ? RecordHeaderType.System64 : RecordHeaderType.System32;
        RecordHeaders.System(record, type, LogFileHeader.EventVersion, Hooks.EventTraceHeader, 0, 0, file.StartQpc);
        data.AsSpan(saved).Fill(0xFF);
        new BufferHeader
        {
            BufferSize = Options.BufferSize, SavedOffset = saved, TimeStamp = file.StartQpc, Sequence = 0,
            Processor = 0, Flags = 0, Type = EtlConstants.BufferTypeHeader,
            State = Options.Compress ? EtlConstants.CompressionFormatXpress : 0,
        }.Write(data);
        _stream.Position = 0;
        _stream.Write(data);
        _stream.Seek(0, SeekOrigin.End);
    }

    private sealed class CpuBuffer(int size)
    {
        public byte[] Data = new byte[size];
        public int Position = EtlConstants.BufferHeaderSize;
        public long LastTicks;
        public long Sequence;
        public ushort Flags;

        public bool HasRecords => Position > EtlConstants.BufferHeaderSize;

        public void Reset()
        {
            Position = EtlConstants.BufferHeaderSize;
            Flags = 0;
        }
    }
}
