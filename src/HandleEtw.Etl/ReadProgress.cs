using HandleEtw.Etl.Decoding;

namespace HandleEtw.Etl;

/// <summary>
/// How far a read has got, for a progress display on another thread: bytes of trace buffers the reader has taken
/// (added once per buffer, never per record) of the total over all files, and the records decoded so far.
/// </summary>
public sealed class ReadProgress(long totalBytes)
{
    private long _bytesRead;
    private DecoderCounters? _counters;

    public long TotalBytes { get; } = totalBytes;
    public long BytesRead => Volatile.Read(ref _bytesRead);
    public long Records => Volatile.Read(ref _counters)?.Records ?? 0;

    /// <summary>The reading thread is the only writer: a plain add published with a volatile write is enough.</summary>
    internal void AddBytes(long bytes) => Volatile.Write(ref _bytesRead, _bytesRead + bytes);

    internal void Restart() => Volatile.Write(ref _bytesRead, 0);

    /// <summary>The decoder of the current run, whose record count the display reads.</summary>
    internal void Follow(DecoderCounters counters) => Volatile.Write(ref _counters, counters);
}

/// <summary>A record source that reports <see cref="ReadProgress"/> (the .etl file readers).</summary>
public interface IReportsProgress
{
    ReadProgress Progress { get; }
}
