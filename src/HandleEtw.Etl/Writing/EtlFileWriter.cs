using System.Buffers.Binary;
using HandleEtw.Core.Records;
using HandleEtw.Etl.File;

namespace HandleEtw.Etl.Writing;

/// <summary>
/// Writes records as an .etl file that stands alone (etl-format.md §2): a header buffer with the EventTrace header
/// event (rewritten when the file is closed, with its end time and buffer count), then fixed-size per-processor
/// buffers written as each fills, records 8-byte aligned and never spanning buffers. Memory is one buffer per
/// processor. Records arrive in time order (a live session's ring, a trace being cut); timestamps are kept as they
/// are, on the clock <see cref="TraceInfo"/> describes.
/// </summary>
public sealed class EtlFileWriter : IRecordSink, IDisposable
{
    private const int DefaultBufferSize = 64 * 1024;
    private const ushort BufferTypeGeneric = 0, BufferTypeHeader = 4;
    private const uint SequentialMode = 0x00000001;

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly TraceInfo _info;
    private readonly long _startTimestamp;
    private readonly int _bufferSize;
    private readonly Dictionary<int, CpuBuffer> _cpus = new();
    private uint _buffersWritten = 1;
    private long _lastTimestamp;
    private bool _closed;

    /// <param name="startTimestamp">The file's start (its header event's time): at or before its first record.</param>
    public EtlFileWriter(Stream stream, TraceInfo info, long startTimestamp, bool leaveOpen = false)
    {
        if (!stream.CanSeek || !stream.CanWrite) throw new ArgumentException("the stream must be writable and seekable", nameof(stream));
        _stream = stream;
        _leaveOpen = leaveOpen;
        _info = info;
        _startTimestamp = startTimestamp;
        _lastTimestamp = startTimestamp;
        _bufferSize = Math.Max(DefaultBufferSize, (info.BufferSize + 7) & ~7);
        _stream.Write(new byte[_bufferSize]); // the header buffer, written on Close
    }

    public static EtlFileWriter Create(string path, TraceInfo info, long startTimestamp) =>
        new(new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.Read, 1 << 16), info, startTimestamp);

    /// <summary>Bytes in the file so far (buffers written out; partial buffers count when flushed).</summary>
    public long Length => (long)_buffersWritten * _bufferSize;

    public long Records { get; private set; }

    /// <summary>Records larger than a buffer can hold: not written, counted.</summary>
    public long OversizedRecords { get; private set; }

    public void OnRecord(in EventRecord record)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        int size = RecordEncoder.Size(record);
        int aligned = (size + 7) & ~7;
        if (size > ushort.MaxValue || aligned > _bufferSize - BufferHeader.Size)
        {
            OversizedRecords++;
            return;
        }
        CpuBuffer cpu = Cpu(record.Cpu);
        if (cpu.Position + aligned > _bufferSize) Flush(record.Cpu, cpu);
        Span<byte> target = cpu.Data.AsSpan(cpu.Position, aligned);
        target[size..].Clear();
        RecordEncoder.Write(record, target);
        cpu.Position += aligned;
        cpu.LastTimestamp = record.Timestamp;
        _lastTimestamp = Math.Max(_lastTimestamp, record.Timestamp);
        Records++;
    }

    /// <summary>Writes the partial buffers and the header; <paramref name="endTimestamp"/> is the file's end (the next
    /// file's start when a roll goes on, so the two meet without a gap).</summary>
    public void Close(long endTimestamp)
    {
        if (_closed) return;
        _closed = true;
        foreach ((int cpu, CpuBuffer buffer) in _cpus.OrderBy(c => c.Key))
            if (buffer.Position > BufferHeader.Size) Flush(cpu, buffer);
        WriteHeaderBuffer(Math.Max(endTimestamp, _lastTimestamp));
        _stream.Flush();
        if (!_leaveOpen) _stream.Dispose();
    }

    public void Dispose() => Close(_lastTimestamp);

    private CpuBuffer Cpu(int cpu)
    {
        if (!_cpus.TryGetValue(cpu, out CpuBuffer? buffer)) _cpus[cpu] = buffer = new CpuBuffer(_bufferSize);
        return buffer;
    }

    private void Flush(int cpu, CpuBuffer buffer)
    {
        WriteBufferHeader(buffer.Data, buffer.Position, buffer.LastTimestamp, ++buffer.Sequence, cpu, BufferTypeGeneric);
        buffer.Data.AsSpan(buffer.Position).Fill(0xFF);
        _stream.Write(buffer.Data);
        _buffersWritten++;
        buffer.Position = BufferHeader.Size;
    }

    private void WriteHeaderBuffer(long endTimestamp)
    {
        int processors = Math.Max(_info.Processors, _cpus.Count == 0 ? 1 : _cpus.Keys.Max() + 1); // the reader checks buffers against it
        byte[] payload = LogfileHeaderPayload.Build(_info, processors, _bufferSize, _buffersWritten, _info.ToUtc(_startTimestamp),
            _info.ToUtc(endTimestamp), SequentialMode);
        var record = new EventRecord
        {
            Group = KernelGroup.Header, Header = HeaderKind.System, Version = 2, PointerSize = (byte)_info.PointerSize,
            Timestamp = _startTimestamp, Payload = payload,
        };
        byte[] data = new byte[_bufferSize];
        int size = RecordEncoder.Size(record);
        RecordEncoder.Write(record, data.AsSpan(BufferHeader.Size, size));
        int saved = BufferHeader.Size + ((size + 7) & ~7);
        data.AsSpan(saved).Fill(0xFF);
        WriteBufferHeader(data, saved, _startTimestamp, 0, 0, BufferTypeHeader);
        _stream.Position = 0;
        _stream.Write(data);
        _stream.Seek(0, SeekOrigin.End);
    }

    /// <summary>WMI_BUFFER_HEADER (etl-format.md §2.1): the fields the reader and WPA look at.</summary>
    private void WriteBufferHeader(Span<byte> b, int saved, long timestamp, long sequence, int cpu, ushort type)
    {
        b[..BufferHeader.Size].Clear();
        BinaryPrimitives.WriteInt32LittleEndian(b, _bufferSize);
        BinaryPrimitives.WriteInt32LittleEndian(b[0x04..], saved);
        BinaryPrimitives.WriteInt32LittleEndian(b[0x08..], saved);  // CurrentOffset
        BinaryPrimitives.WriteInt64LittleEndian(b[0x10..], timestamp);
        BinaryPrimitives.WriteInt64LittleEndian(b[0x18..], sequence);
        BinaryPrimitives.WriteUInt16LittleEndian(b[0x28..], (ushort)cpu); // ProcessorIndex
        BinaryPrimitives.WriteInt32LittleEndian(b[0x30..], saved);  // Offset
        BinaryPrimitives.WriteUInt16LittleEndian(b[0x34..], BufferHeader.FlagProcessorIndex);
        BinaryPrimitives.WriteUInt16LittleEndian(b[0x36..], type);
    }

    private sealed class CpuBuffer(int size)
    {
        public readonly byte[] Data = new byte[size];
        public int Position = BufferHeader.Size;
        public long LastTimestamp;
        public long Sequence;
    }
}
