using System.Runtime.CompilerServices;
using HandleEtw.Core.Records;
using HandleEtw.Etl.Compression;

namespace HandleEtw.Etl.File;

/// <summary>
/// Reads an .etl file as a time-ordered stream of raw records (any OS). Opening checks the logfile header and indexes
/// the buffer headers; <see cref="Read"/> merges the per-processor buffer streams by timestamp, holding one buffer per
/// processor in memory and allocating nothing per record.
/// </summary>
public sealed class EtlFileSource : IRecordSource, IReportsProgress
{
    private const uint CompressedMode = 0x04000000, CircularMode = 0x2, AppendMode = 0x4, NewFileMode = 0x8;
    /// <summary>Where the header buffer keeps its State field (the compression format).</summary>
    private const long HeaderStateOffset = 0x2C;

    private readonly Stream stream;
    private readonly bool ownsStream;
    private readonly BufferIndex index;

    /// <summary>Each processor's buffers in sequence order, as the open found them (benchmarks read them directly).</summary>
    internal BufferEntry[][] BuffersByProcessor => index.PerCpu;
    private readonly long headerEventsLost;
    /// <summary>Below this many buffers a second thread costs more than it saves.</summary>
    private const int PrefetchMinBuffers = 16;
    /// <summary>Buffers each processor stream may have loaded ahead of the merge, and the bytes all may hold.</summary>
    private const int PrefetchDepth = 8;
    private const long PrefetchBudget = 32 << 20;

    private readonly InlineBufferFeed inlineFeed;
    private readonly PrefetchBufferFeed? prefetchFeed;
    private readonly IRecordMerge merge;

    private EtlFileSource(Stream stream, bool ownsStream, TraceInfo info, BufferIndex index)
    {
        this.stream = stream;
        this.ownsStream = ownsStream;
        this.index = index;
        Info = info;
        headerEventsLost = info.EventsLost;
        // Created once: a second Read reuses the per-processor buffers instead of allocating them again.
        var loader = new BufferLoader(stream);
        inlineFeed = new InlineBufferFeed(index.PerCpu, loader);
        if (Environment.ProcessorCount > 1 && BufferCount(index) >= PrefetchMinBuffers)
            prefetchFeed = new PrefetchBufferFeed(index.PerCpu, new BufferLoader(stream), loader, PrefetchDepth, PrefetchBudget);
        CpuCursor[] cursors = index.PerCpu.Select((_, i) => new CpuCursor(i, info, TimestampRules.For(info))).ToArray();
        merge = cursors.Length <= FewStreamMerge.MaxStreams ? new FewStreamMerge(cursors) : new RecordMerge(cursors);
        Progress = new ReadProgress(FileBytes(index));
        ResetCounters();
    }

    public TraceInfo Info { get; }

    /// <summary>Bytes of buffers read so far; a sequence gives its files one shared instance (and restarts it itself).</summary>
    public ReadProgress Progress { get; internal set; }
    internal bool PartOfSequence { get; set; }

    /// <summary>
    /// Read and decompress buffers on a second thread while this one merges (files of at least 16 buffers, more than
    /// one processor). On by default: with the consumer on a thread of its own too, it cut `leaks` on a 10 M-event
    /// trace from 3.8 to 3.3 s of wall time (docs/scale-results.md). Records, order and counters are the same either way.
    /// </summary>
    public bool ReadAhead { get; set; } = true;

    /// <summary>Opens and validates the file header; throws <see cref="TraceFormatException"/> if it is not ETL.</summary>
    public static EtlFileSource Open(string path)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.RandomAccess);
        try
        {
            return Open(stream, path, ownsStream: true);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Reads an .etl image from a seekable stream; <paramref name="name"/> names it in messages.</summary>
    public static EtlFileSource Open(Stream stream, string name, bool ownsStream = false)
    {
        if (!stream.CanSeek || !stream.CanRead) throw new ArgumentException("the stream must be readable and seekable", nameof(stream));
        var (info, headerState) = TraceHeaderReader.Read(stream, name);
        int format = (info.LogFileMode & CompressedMode) != 0 ? (int)(headerState & 0xFFFF) : 0;
        if (format != 0 && format != XpressDecoder.FormatXpress)
            throw new TraceFormatException(
                $"{name}: compressed buffers in format {format}; only XPRESS (plain LZ77, format 3) is supported", HeaderStateOffset);
        // Circular, appended and sequential-file logs reuse or continue the counts: BuffersWritten says nothing there.
        bool countsHold = (info.LogFileMode & (CircularMode | AppendMode | NewFileMode)) == 0;
        var rules = new BufferRules(info.BufferSize, info.Processors, format != 0,
            countsHold ? info.BuffersWritten : 0, countsHold ? info.BuffersLost : 0);
        var index = BufferIndex.Build(stream, name, rules);
        return new EtlFileSource(stream, ownsStream, info, index);
    }

    /// <summary>Merges the processor streams into <paramref name="sink"/> on the calling thread; on larger files a
    /// second thread reads and decompresses the next buffers meanwhile (stopped before this returns or throws).</summary>
    public void Read(IRecordSink sink, CancellationToken cancel = default)
    {
        ResetCounters();
        if (!PartOfSequence) Progress.Restart();
        if (prefetchFeed == null || !ReadAhead)
        {
            inlineFeed.Rewind();
            Merge(new CountingFeed(inlineFeed, Progress), sink, cancel);
            return;
        }
        prefetchFeed.Start();
        try
        {
            Merge(new CountingFeed(prefetchFeed, Progress), sink, cancel);
        }
        finally
        {
            prefetchFeed.Stop();
        }
    }

    private static int BufferCount(BufferIndex index)
    {
        int count = 0;
        foreach (BufferEntry[] buffers in index.PerCpu) count += buffers.Length;
        return count;
    }

    private static long FileBytes(BufferIndex index)
    {
        long bytes = 0;
        foreach (BufferEntry[] buffers in index.PerCpu)
            foreach (BufferEntry b in buffers) bytes += b.FileSize;
        return bytes;
    }

    private void Merge(IBufferFeed feed, IRecordSink sink, CancellationToken cancel)
    {
        merge.Start(feed);
        do cancel.ThrowIfCancellationRequested();
        while (merge.DeliverBatch(sink));
        long last = merge.LastTimestamp;
        LastTimestamp = last;
        if (Info.EndUtc == default && last != 0) Info.EndUtc = Info.ToUtc(last);
    }

    /// <summary>The last record's timestamp once <see cref="Read"/> has run (0 before, or for a file without records).</summary>
    public long LastTimestamp { get; private set; }

    public void Dispose()
    {
        if (ownsStream) stream.Dispose();
    }

    /// <summary>Counters start from what the index found, so reading twice does not count twice.</summary>
    private void ResetCounters()
    {
        Info.Buffers = index.Buffers;
        Info.CompressedBuffers = index.CompressedBuffers;
        Info.DamagedBuffers = index.DamagedBuffers;
        Info.DamagedBytes = index.DamagedBytes;
        Info.SkippedRecords = 0;
        Info.DamagedRecords = 0;
        Info.EventsLost = headerEventsLost;
    }
}
