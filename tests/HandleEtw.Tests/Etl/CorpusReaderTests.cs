using HandleEtw.Core.Records;
using HandleEtw.Etl.File;

namespace HandleEtw.Tests.Etl;

/// <summary>The reader against the real corpus: every file opens and reads cleanly, in time order.</summary>
public class CorpusReaderTests
{
    public static TheoryData<string> NonEmptyFiles()
    {
        var data = new TheoryData<string>();
        foreach (string file in Directory.EnumerateFiles(TestPaths.CorpusEtl, "*.etl", SearchOption.AllDirectories).Order())
            if (new FileInfo(file).Length > 0) data.Add(Path.GetRelativePath(TestPaths.CorpusEtl, file));
        return data;
    }

    [Theory]
    [MemberData(nameof(NonEmptyFiles))]
    public void Every_corpus_file_reads_cleanly_in_time_order(string file)
    {
        var (info, entries) = RecordLog.Read(TestPaths.Corpus(file));
        Assert.True(entries.Count > 1);
        Assert.Equal(0, info.DamagedBuffers);
        Assert.Equal(0, info.SkippedRecords);
        Assert.True(info.Buffers > 0);
        Assert.Equal(8, info.PointerSize);
        Assert.Equal(1, info.ClockType);
        Assert.Equal(10_000_000, info.ClockFrequency);
        Assert.True(info.StartUtc > new DateTime(2010, 1, 1) && info.EndUtc >= info.StartUtc);
        Assert.Equal("EventTrace", entries[0].Kind);
        for (int i = 1; i < entries.Count; i++)
            Assert.True(entries[i].Timestamp >= entries[i - 1].Timestamp, $"record {i} is out of time order");
        Assert.All(entries, e => Assert.InRange(e.Cpu, 0, info.Processors - 1));
    }

    [Fact]
    public void Empty_file_is_a_clear_format_error()
    {
        string path = TestPaths.Corpus("etwanalyzer/EmptyETL.etl");
        var error = Assert.Throws<TraceFormatException>(() => EtlFileSource.Open(path));
        Assert.Contains("EmptyETL.etl", error.Message);
        Assert.Contains("empty", error.Message);
        Assert.Equal(0, error.Offset);
    }

    [Fact]
    public void Non_etl_file_fails_at_open()
    {
        string path = TestPaths.Corpus("perfview/net.4.5.2.x64.baseline.txt");
        var error = Assert.Throws<TraceFormatException>(() => EtlFileSource.Open(path));
        Assert.Contains("net.4.5.2.x64.baseline.txt", error.Message);
        Assert.Contains("not an .etl trace", error.Message);
    }

    [Theory]
    [InlineData("perfview/primitive-types.etl", 60)]
    [InlineData("perfview/net.4.5.2.x64.etl", 300)]
    public void Cut_inside_the_header_buffer_is_a_format_error_with_offset(string file, int keep)
    {
        byte[] bytes = File.ReadAllBytes(TestPaths.Corpus(file))[..keep];
        var error = Assert.Throws<TraceFormatException>(() => EtlFileSource.Open(new MemoryStream(bytes), "cut.etl"));
        Assert.Contains("cut.etl", error.Message);
        Assert.InRange(error.Offset, 0, keep);
    }

    [Theory]
    [InlineData("etl-parser/ShutdownPerfDiagLogger.etl", 3_211_264 - 100)]
    [InlineData("etl-parser/ShutdownPerfDiagLogger.etl", 65_536 + 20)]
    [InlineData("perfview/net.4.5.2.x64.etl", 2_000_000)]
    public void Truncated_file_reads_the_intact_buffers_and_counts_the_cut_one(string file, int keep)
    {
        byte[] whole = File.ReadAllBytes(TestPaths.Corpus(file));
        using var complete = EtlFileSource.Open(new MemoryStream(whole), "whole.etl");
        var all = new RecordLog();
        complete.Read(all);
        using var cut = EtlFileSource.Open(new MemoryStream(whole[..keep]), "cut.etl");
        var some = new RecordLog();
        cut.Read(some);
        // The cut buffer and every one after it that the header says was written.
        Assert.Equal(cut.Info.BuffersWritten - cut.Info.Buffers, cut.Info.DamagedBuffers);
        Assert.True(cut.Info.DamagedBuffers >= 1);
        Assert.True(cut.Info.Lossy);
        Assert.InRange(some.Entries.Count, 1, all.Entries.Count - 1);
    }

    [Fact]
    public void Reading_twice_gives_the_same_records_and_counters()
    {
        using var source = EtlFileSource.Open(TestPaths.Corpus("perfview/SelfDescribingSingleEvent.etl"));
        var first = new RecordLog();
        source.Read(first);
        var second = new RecordLog();
        source.Read(second);
        Assert.Equal(first.Entries, second.Entries);
        Assert.Equal(3, source.Info.Buffers);
        Assert.Equal(2, source.Info.CompressedBuffers);
    }

    [Fact]
    public void Cancellation_stops_reading()
    {
        using var source = EtlFileSource.Open(TestPaths.Corpus("etl-parser/ShutdownPerfDiagLogger.etl"));
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => source.Read(new RecordLog(), cancel.Token));
    }

    [Fact]
    public void Event_header_records_carry_extended_items_and_pointer_size()
    {
        var (_, entries) = RecordLog.Read(TestPaths.Corpus("etwanalyzer/TraceLoggingTester.etl"));
        var tester = entries.Where(e => e.Kind.StartsWith("a214eced-be64-5e23-fac1-1d7b9052efa4/", StringComparison.Ordinal)).ToList();
        Assert.Equal(70, tester.Count); // ETWAnalyzer ProgramTestsLong: 70 CSharpTraceLoggingEventSource events
        Assert.All(tester, e => Assert.True(e.ExtLen > 16, "each carries a STACK_TRACE64 item"));
    }

    [Fact]
    public void Wow64_producers_get_four_byte_pointers_per_event()
    {
        using var source = EtlFileSource.Open(TestPaths.Corpus("perfview/net.4.5.2.x64.etl"));
        var sizes = new PointerSizes();
        source.Read(sizes);
        Assert.True(sizes.Four > 0 && sizes.Eight > 0);
        Assert.Equal(2, sizes.FourByteIdeChannel); // baseline: SystemConfig/IDEChannel:2, SYSTEM32 headers
    }

    private sealed class PointerSizes : IRecordSink
    {
        public int Four, Eight, FourByteIdeChannel;

        public void OnRecord(in EventRecord r)
        {
            if (r.PointerSize == 4) Four++; else Eight++;
            if (r.PointerSize == 4 && r.Group == KernelGroup.Config && r.Opcode == 23) FourByteIdeChannel++;
        }
    }
}
