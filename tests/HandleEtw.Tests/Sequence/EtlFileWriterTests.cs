using HandleEtw.Core.Records;
using HandleEtw.Etl.File;
using HandleEtw.Etl.Writing;
using HandleEtw.Synthetic.Etl;
using HandleEtw.Synthetic.Scenarios;
using HandleEtw.Tests.Cli;
using HandleEtw.Tests.Etl;
using HandleEtw.Tests.Parquet;

namespace HandleEtw.Tests.Sequence;

/// <summary>Records written by <see cref="EtlFileWriter"/> read back as they were read.</summary>
public class EtlFileWriterTests
{
    [Theory]
    [InlineData("perfview/net.4.5.2.x64.etl")]          // compressed kernel + CLR, cached stacks, 8 CPUs
    [InlineData("perfview/net.4.5.2.x86.etl")]          // 32-bit EVENT_HEADER and FULL records beside 64-bit kernel ones
    [InlineData("etl-parser/ShutdownPerfDiagLogger.etl")]
    public void A_real_trace_written_again_reads_back_record_for_record(string corpusFile)
    {
        using var dir = new TempDir();
        string copy = Path.Combine(dir.Path, "copy.etl");
        TraceInfo info = Rewrite(TestPaths.Corpus(corpusFile), copy);
        var (copiedInfo, copied) = RecordLog.Read(copy);
        var (_, original) = RecordLog.Read(TestPaths.Corpus(corpusFile));
        Assert.Equal("EventTrace", copied[0].Kind); // the copy's own header event comes first
        Assert.Equal(Comparable(original), Comparable(copied[1..]));
        Assert.Equal(info.StartUtc, copiedInfo.StartUtc);
        Assert.Equal(info.StartTimestamp, copiedInfo.StartTimestamp);
        Assert.Equal(info.ClockFrequency, copiedInfo.ClockFrequency);
        Assert.Equal(0, copiedInfo.DamagedBuffers);
    }

    [Fact]
    public void A_synthetic_trace_written_again_gives_the_same_leaks_and_diff()
    {
        using var dir = new TempDir();
        string original = Path.Combine(dir.Path, "original.etl"), copy = Path.Combine(dir.Path, "copy.etl");
        HandleScenarios.LeakyHandles(iterations: 100, options: new ScriptOptions { Stacks = StackMode.Cached, StackCacheSize = 8 })
            .WriteTo(original);
        Rewrite(original, copy);
        foreach (string command in new[] { "leaks", "diff" })
            Assert.Equal(CliSmokeTests.Run(command, "--json", original).Out, CliSmokeTests.Run(command, "--json", copy).Out);
    }

    [Theory]
    [InlineData("10m", null, 600.0)]
    [InlineData("2h", null, 7200.0)]
    [InlineData("90s", null, 90.0)]
    [InlineData("1.5d", null, 129600.0)]
    [InlineData("512MB", 512L << 20, null)]
    [InlineData("1GB", 1L << 30, null)]
    public void Roll_policies_are_a_duration_or_a_size(string text, long? bytes, double? seconds)
    {
        RollPolicy policy = RollPolicy.Parse(text);
        Assert.Equal(bytes, policy.MaxBytes);
        Assert.Equal(seconds, policy.MaxDuration?.TotalSeconds);
    }

    [Theory]
    [InlineData("")]
    [InlineData("10")]
    [InlineData("10x")]
    [InlineData("-5m")]
    [InlineData("0GB")]
    [InlineData("100KB")] // smaller than a few buffers
    public void Bad_roll_policies_say_what_is_expected(string text) =>
        Assert.Throws<FormatException>(() => RollPolicy.Parse(text));

    [Fact]
    public void Record_roll_without_etl_or_with_a_bad_value_is_one_line_and_non_zero()
    {
        var (code, output, error) = CliSmokeTests.Run("record", "--roll", "10m");
        Assert.NotEqual(0, code);
        Assert.Equal("", output);
        Assert.Contains("--etl", Assert.Single(error.Trim().Split('\n')));
        (code, _, error) = CliSmokeTests.Run("record", "--etl", "x.etl", "--roll", "10 fortnights");
        Assert.NotEqual(0, code);
        Assert.Contains("unknown unit", Assert.Single(error.Trim().Split('\n')));
    }

    private static TraceInfo Rewrite(string from, string to)
    {
        using var source = EtlFileSource.Open(from);
        using (var writer = EtlFileWriter.Create(to, source.Info, source.Info.StartTimestamp))
            source.Read(writer);
        return source.Info;
    }

    /// <summary>What must survive: every record, INSTANCE framing read as FULL.</summary>
    private static List<RecordLog.Entry> Comparable(List<RecordLog.Entry> entries) =>
        entries.Select(e => e with { Header = e.Header == HeaderKind.Instance ? HeaderKind.Full : e.Header })
            .OrderBy(e => e.Timestamp).ThenBy(e => e.Cpu).ToList();
}
