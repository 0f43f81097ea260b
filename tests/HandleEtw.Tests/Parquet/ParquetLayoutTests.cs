using HandleEtw.Core.Events;
using HandleEtw.Parquet;
using HandleEtw.Tests.Cli;

namespace HandleEtw.Tests.Parquet;

public class ParquetLayoutTests
{
    /// <summary>The scenario trace's partition below host and date: its start time.</summary>
    private static readonly string Trace = "trace=" + ParquetLayout.TraceValue(new ParquetScenario().Info.StartUtc);

    private static void WritePartition(string root, string host)
    {
        var scenario = new ParquetScenario();
        var live = new TestLiveHandles();
        string dir = ParquetLayout.TableDirectory(root, partition: true, host, scenario.Info.StartUtc);
        using var writer = new ParquetTraceWriter(dir, scenario.Info, scenario.Stacks, null, live, host);
        scenario.Push(new CompositeConsumer(live, writer));
        writer.Complete();
    }

    [Fact]
    public void Hive_partitions_of_two_hosts_read_back_together()
    {
        using var root = new TempDir();
        WritePartition(root.Path, "WKS-01");
        WritePartition(root.Path, "SRV 02");
        Assert.True(File.Exists(Path.Combine(root.Path, "host=WKS-01", "date=2026-03-14", Trace, "events.parquet")));
        Assert.True(File.Exists(Path.Combine(root.Path, "host=SRV_02", "date=2026-03-14", Trace, "events.parquet")));

        using var db = new DuckDb();
        string glob = Path.Combine(root.Path, "*", "*", "*", "events.parquet");
        Assert.Equal(2L * ParquetScenario.TotalHandleEvents,
            db.Count($"SELECT count(*) FROM read_parquet('{glob}', hive_partitioning = true)"));
        var hosts = db.Rows($"SELECT host, count(*) FROM read_parquet('{glob}', hive_partitioning = true) GROUP BY host ORDER BY host");
        Assert.Equal(["SRV_02", "WKS-01"], hosts.Select(r => (string)r[0]!).ToArray());
        Assert.Equal("2026-03-14", db.Scalar($"SELECT DISTINCT CAST(date AS VARCHAR) FROM read_parquet('{glob}', hive_partitioning = true)"));
    }

    [Fact]
    public void A_second_trace_adds_its_partition_and_leaves_the_first_alone()
    {
        using var root = new TempDir();
        WritePartition(root.Path, "WKS-01");
        string first = Path.Combine(root.Path, "host=WKS-01", "date=2026-03-14", Trace, "events.parquet");
        DateTime written = File.GetLastWriteTimeUtc(first);
        long length = new FileInfo(first).Length;
        WritePartition(root.Path, "WKS-02");
        Assert.Equal(written, File.GetLastWriteTimeUtc(first));
        Assert.Equal(length, new FileInfo(first).Length);
        Assert.Equal(2, Directory.GetDirectories(root.Path, "host=*").Length);
    }

    [Theory]
    [InlineData(null, "FROM-TRACE", "/x/y/trace1.etl", "FROM-TRACE")]
    [InlineData("given", "FROM-TRACE", "/x/y/trace1.etl", "given")]
    [InlineData(null, null, "/x/y/trace1.etl", "trace1")]
    [InlineData(null, "  ", "/x/y/web-07.etl", "web-07")]
    public void Host_comes_from_the_option_then_the_trace_then_the_file_name(string? given, string? fromTrace, string source, string expected) =>
        Assert.Equal(expected, ParquetLayout.HostFor(given, fromTrace, source));

    [Theory]
    [InlineData("WKS-01", "WKS-01")]
    [InlineData("a/b", "a_b")]
    [InlineData("x=y", "x_y")]
    [InlineData("..", "unknown")]
    public void Partition_values_are_one_safe_path_segment(string host, string expected) =>
        Assert.Equal(expected, ParquetLayout.PartitionValue(host));
}

public class ConvertCommandTests
{
    [Fact]
    public void Missing_trace_is_one_line_and_an_argument_error()
    {
        var (code, output, error) = CliSmokeTests.Run("convert", "/nonexistent/trace.etl", "-o", "/tmp/out");
        Assert.Equal(HandleEtw.Cli.ExitCodes.ArgumentError, code);
        Assert.Equal("", output);
        Assert.Single(error.Trim().Split('\n'));
        Assert.Contains("no such file", error);
    }

    [Fact]
    public void Unknown_compression_is_one_line_and_an_argument_error()
    {
        var (code, _, error) = CliSmokeTests.Run("convert", "/nonexistent/trace.etl", "-o", "/tmp/out", "--compression", "lzma");
        Assert.Equal(HandleEtw.Cli.ExitCodes.ArgumentError, code);
        Assert.Single(error.Trim().Split('\n'));
        Assert.Contains("zstd, snappy, gzip or none", error);
    }

    [Fact]
    public void Output_is_required()
    {
        var (code, _, _) = CliSmokeTests.Run("convert", "/nonexistent/trace.etl");
        Assert.NotEqual(0, code);
    }

    [Fact]
    public void A_file_that_is_not_etl_is_a_one_line_format_error()
    {
        using var dir = new TempDir();
        string bogus = Path.Combine(dir.Path, "not-a-trace.etl");
        File.WriteAllBytes(bogus, new byte[4096]);
        var (code, _, error) = CliSmokeTests.Run("convert", bogus, "-o", Path.Combine(dir.Path, "out"));
        Assert.Equal(HandleEtw.Cli.ExitCodes.FormatError, code);
        Assert.Single(error.Trim().Split('\n'));
    }
}

public class TraceToParquetTests
{
    /// <summary>A source that is cancelled part-way: it throws as a reader does when its token fires.</summary>
    private sealed class CancelledSource(HandleEtw.Core.Records.TraceInfo info) : HandleEtw.Core.Records.IRecordSource
    {
        public HandleEtw.Core.Records.TraceInfo Info { get; } = info;
        public void Read(HandleEtw.Core.Records.IRecordSink sink, CancellationToken cancel = default) =>
            cancel.ThrowIfCancellationRequested();
        public void Dispose() { }
    }

    [Fact]
    public void A_cancelled_conversion_closes_every_table_in_its_partition_and_says_partial()
    {
        using var root = new TempDir();
        var info = new ParquetScenario().Info;
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        ParquetConversionResult? partial = null;
        Assert.Throws<OperationCanceledException>(() => TraceToParquet.Run(new CancelledSource(info),
            new ParquetConversionOptions { OutputRoot = root.Path, Partition = true },
            onPartial: r => partial = r, cancel: cancel.Token));
        Assert.NotNull(partial);
        Assert.True(partial!.Meta.Partial);
        Assert.Equal(Path.Combine(root.Path, "host=WKS-01", "date=2026-03-14", "trace=" + ParquetLayout.TraceValue(info.StartUtc)), partial.Directory);
        using var db = new DuckDb();
        db.BindTables(partial.Directory);
        Assert.True((bool)db.Scalar("SELECT partial FROM meta")!);
        Assert.Equal(0, db.Count("SELECT count(*) FROM events"));
    }
}
