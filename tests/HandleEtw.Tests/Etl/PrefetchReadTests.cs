using HandleEtw.Core.Records;
using HandleEtw.Etl.File;

namespace HandleEtw.Tests.Etl;

/// <summary>
/// With ReadAhead, buffers are read and decompressed on a second thread: the records, their order and the counters
/// must not change, and failures (I/O, the sink, cancellation) must surface on the reading thread and leave the source
/// readable again.
/// </summary>
public class PrefetchReadTests
{
    private const string File49Buffers = "etl-parser/ShutdownPerfDiagLogger.etl";

    [Fact]
    public void Reading_twice_gives_the_same_records_in_the_same_order()
    {
        using var source = EtlFileSource.Open(new MemoryStream(System.IO.File.ReadAllBytes(TestPaths.Corpus(File49Buffers))), "t.etl");
        source.ReadAhead = true;
        var first = new RecordLog();
        source.Read(first);
        var second = new RecordLog();
        source.Read(second);
        Assert.True(first.Entries.Count > 1000);
        Assert.Equal(first.Entries, second.Entries);
        Assert.Equal(RecordLog.Read(TestPaths.Corpus(File49Buffers)).Entries, first.Entries);
    }

    [Fact]
    public void An_io_failure_while_prefetching_surfaces_on_the_reading_thread_after_the_records_before_it()
    {
        byte[] bytes = System.IO.File.ReadAllBytes(TestPaths.Corpus(File49Buffers));
        var stream = new FailingStream(bytes);
        using var source = EtlFileSource.Open(stream, "t.etl");
        source.ReadAhead = true;
        var full = new RecordLog();
        source.Read(full);

        stream.FailAtOrAfter = bytes.Length / 2;
        var partial = new RecordLog();
        Assert.Throws<IOException>(() => source.Read(partial));
        Assert.True(partial.Entries.Count > 0 && partial.Entries.Count < full.Entries.Count);
        Assert.Equal(full.Entries.Take(partial.Entries.Count), partial.Entries);

        stream.FailAtOrAfter = long.MaxValue;
        var again = new RecordLog();
        source.Read(again);
        Assert.Equal(full.Entries, again.Entries);
    }

    [Fact]
    public void Sink_exception_and_cancellation_stop_the_read_and_the_next_read_is_complete()
    {
        using var source = EtlFileSource.Open(new MemoryStream(System.IO.File.ReadAllBytes(TestPaths.Corpus(File49Buffers))), "t.etl");
        source.ReadAhead = true;
        var full = new RecordLog();
        source.Read(full);

        Assert.Throws<InvalidOperationException>(() => source.Read(new ThrowingSink(100)));
        using var cancel = new CancellationTokenSource();
        Assert.Throws<OperationCanceledException>(() => source.Read(new CancellingSink(cancel, 100), cancel.Token));

        var again = new RecordLog();
        source.Read(again);
        Assert.Equal(full.Entries, again.Entries);
        Assert.Equal(0, source.Info.DamagedBuffers);
    }

    [Fact]
    public void When_the_loading_thread_falls_behind_the_merge_loads_buffers_itself_in_the_same_order()
    {
        byte[] bytes = System.IO.File.ReadAllBytes(TestPaths.Corpus(File49Buffers));
        var stream = new SlowLoadingStream(bytes);
        using var source = EtlFileSource.Open(stream, "t.etl");
        source.ReadAhead = true;
        stream.Count = true;
        var log = new RecordLog();
        source.Read(log);
        Assert.Equal(RecordLog.Read(TestPaths.Corpus(File49Buffers)).Entries, log.Entries);
        Assert.True(stream.MergeReads > 0, "the merge thread loaded no buffer");
        Assert.True(stream.PrefetchReads > 0, "the loading thread loaded no buffer");
        Assert.Equal(0, source.Info.DamagedBuffers);
    }

    /// <summary>Reads on the loading thread take a while, so the merge thread finds buffers neither ready nor on the way.</summary>
    private sealed class SlowLoadingStream(byte[] bytes) : MemoryStream(bytes, writable: false)
    {
        public bool Count { get; set; }
        public int MergeReads, PrefetchReads;

        public override int Read(Span<byte> buffer)
        {
            if (Count) Tally();
            return base.Read(buffer);
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (Count) Tally();
            return base.Read(buffer, offset, count);
        }

        private void Tally()
        {
            if (Thread.CurrentThread.Name != "etl buffer prefetch")
            {
                Interlocked.Increment(ref MergeReads);
                return;
            }
            Interlocked.Increment(ref PrefetchReads);
            Thread.Sleep(5);
        }
    }

    private sealed class ThrowingSink(int after) : IRecordSink
    {
        private int seen;
        public void OnRecord(in EventRecord record)
        {
            if (++seen == after) throw new InvalidOperationException("sink failed");
        }
    }

    private sealed class CancellingSink(CancellationTokenSource cancel, int after) : IRecordSink
    {
        private int seen;
        public void OnRecord(in EventRecord record)
        {
            if (++seen == after) cancel.Cancel();
        }
    }

    /// <summary>A readable, seekable image whose reads fail once they reach a given offset.</summary>
    private sealed class FailingStream(byte[] bytes) : MemoryStream(bytes, writable: false)
    {
        public long FailAtOrAfter { get; set; } = long.MaxValue;

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (Position + count > FailAtOrAfter) throw new IOException("device error");
            return base.Read(buffer, offset, count);
        }

        public override int Read(Span<byte> buffer)
        {
            if (Position + buffer.Length > FailAtOrAfter) throw new IOException("device error");
            return base.Read(buffer);
        }
    }
}
