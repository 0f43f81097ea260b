using HandleEtw.Cli;
using HandleEtw.Cli.Commands;
using HandleEtw.Core.Records;
using HandleEtw.Reports.Collect;
using HandleEtw.Tests.Tracking;

namespace HandleEtw.Tests.Cli;

/// <summary>One grammar for times, process ids and handle values; one-line errors without .NET type names.</summary>
public class OptionGrammarTests
{

    [Theory]
    [InlineData("90", 90.0)]
    [InlineData("90s", 90.0)]
    [InlineData("1.5m", 90.0)]
    [InlineData("2h", 7200.0)]
    [InlineData("500ms", 0.5)]
    [InlineData(".25", 0.25)]
    [InlineData("5", 5.0)]
    [InlineData("5m", 300.0)]
    public void Durations_are_seconds_with_an_optional_unit(string text, double seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), TimeText.TryParseDuration(text, out _));
    }

    [Theory]
    [InlineData("00:00:30")]
    [InlineData("12:00")]
    [InlineData("1,5")]
    [InlineData("1e308")]
    [InlineData("-3")]
    [InlineData("5 days")]
    [InlineData("NaN")]
    [InlineData("99999999999")]
    public void Anything_else_is_no_duration(string text)
    {
        Assert.Null(TimeText.TryParseDuration(text, out string? error));
        Assert.NotNull(error);
    }

    [Theory]
    [InlineData("00:00:30")]
    [InlineData("12:00")]
    [InlineData("1,5")]
    [InlineData("1e308")]
    [InlineData("2024-03-01")]
    [InlineData("yesterday")]
    public void Diff_rejects_nonsense_times_in_one_line(string text)
    {
        var (code, output, error) = CliSmokeTests.Run("diff", TestPaths.Sample, "--from", text);
        Assert.Equal(ExitCodes.ArgumentError, code);
        Assert.Equal("", output);
        Assert.Single(error.Trim().Split('\n'));
        Assert.Contains("--from " + text, error);
    }

    [Theory]
    [InlineData("--to", "2h")]
    [InlineData("--from", "2024-03-01T09:29:59Z")]
    [InlineData("--to", "2024-03-01T10:00:00Z")]
    public void A_time_outside_the_trace_names_its_span(string option, string text)
    {
        var (code, _, error) = CliSmokeTests.Run("diff", TestPaths.Sample, option, text);
        Assert.Equal(ExitCodes.ArgumentError, code);
        Assert.Contains("outside the trace, which spans 0 to 60.007 s (2024-03-01T09:30:00Z to 2024-03-01T09:31:00.0071Z)", error);
    }

    [Theory]
    [InlineData("30", 30.0)]
    [InlineData("500ms", 0.5)]
    [InlineData("0.5m", 30.0)]
    [InlineData("2024-03-01T09:30:30Z", 30.0)]
    [InlineData("2024-03-01T09:30:30", 30.0)]
    [InlineData("2024-03-01T10:30:30+01:00", 30.0)]
    public void Times_inside_the_trace_are_offsets_or_iso_instants(string text, double seconds)
    {
        var info = new TraceInfo
        {
            StartUtc = new DateTime(2024, 3, 1, 9, 30, 0, DateTimeKind.Utc), EndUtc = new DateTime(2024, 3, 1, 9, 31, 0, DateTimeKind.Utc),
            StartTimestamp = 1000, ClockFrequency = 10_000_000,
        };
        Assert.Equal(info.FromRelativeSeconds(seconds), TraceOptions.ParseTime(text, info, "--from"));
    }

    [Theory]
    [InlineData("--duration", "00:05:00")]
    [InlineData("--duration", "5 minutes")]
    [InlineData("--duration", "0")]
    [InlineData("--snapshot-every", "1,5")]
    [InlineData("--pid", "12x")]
    public void Record_option_errors_are_one_line_without_type_names(string option, string text)
    {
        var (code, _, error) = CliSmokeTests.Run("record", option, text);
        Assert.Equal(ExitCodes.ArgumentError, code);
        Assert.Single(error.Trim().Split('\n'));
        Assert.Contains($"{option} {text}", error);
        Assert.DoesNotContain("System.", error);
    }

    [Fact]
    public void Record_accepts_the_unit_grammar()
    {
        // Parsing succeeds; off Windows the command then says it needs Windows.
        var (code, _, error) = CliSmokeTests.Run("record", "--duration", "5m", "--snapshot-every", "30", "--pid", "0x1092");
        Assert.Equal(OperatingSystem.IsWindows() ? code : ExitCodes.NotSupported, code);
        Assert.DoesNotContain("--duration", error);
    }

    [Theory]
    [InlineData("leaks", "--top", "x")]
    [InlineData("leaks", "--top", "0")]
    [InlineData("leaks", "--pid", "lsass")]
    [InlineData("diff", "--pid", "-1")]
    [InlineData("history", "--pid", "0xzz", "--handle", "10")]
    public void Numeric_option_errors_never_print_dotnet_type_names(params string[] args)
    {
        string[] full = [args[0], TestPaths.Sample, .. args[1..]];
        var (code, _, error) = CliSmokeTests.Run(full);
        Assert.Equal(ExitCodes.ArgumentError, code);
        Assert.Single(error.Trim().Split('\n'));
        Assert.DoesNotContain("System.", error);
        Assert.DoesNotContain("Nullable", error);
    }

    [Fact]
    public void Pid_reads_hex_as_printed_in_the_output()
    {
        var (hex, hexOut, _) = CliSmokeTests.Run("leaks", TestPaths.Sample, "--pid", "0x1092");
        var (dec, decOut, _) = CliSmokeTests.Run("leaks", TestPaths.Sample, "--pid", "4242");
        Assert.Equal(ExitCodes.Ok, hex);
        Assert.Equal(dec, hex);
        Assert.Equal(decOut, hexOut);
        Assert.Contains("pid 4242", hexOut);
    }

    [Theory]
    [InlineData("7cc", 0x7cc)]
    [InlineData("0x7cc", 0x7cc)]
    [InlineData("0X7CC", 0x7cc)]
    [InlineData("10", 0x10)]
    [InlineData("0n1996", 1996)]
    public void Handle_values_are_hex_as_windbg_reads_them(string text, uint value)
    {
        Assert.Equal(value, TraceOptions.ParseHandle(text));
    }

    [Fact]
    public void Handle_help_says_hex()
    {
        var (_, output, _) = CliSmokeTests.Run("history", "--help");
        Assert.Contains("7cc or 0x7cc", output);
    }

    [Theory]
    [InlineData("diff")]
    [InlineData("leaks")]
    [InlineData("misuse")]
    [InlineData("stats")]
    [InlineData("convert", "-o", "/tmp/never-written")]
    public void A_directory_without_traces_as_input_says_is_a_directory(params string[] args)
    {
        using var empty = new Parquet.TempDir();
        string[] full = [args[0], empty.Path, .. args[1..]];
        var (code, _, error) = CliSmokeTests.Run(full);
        Assert.Equal(ExitCodes.ArgumentError, code);
        Assert.Contains("is a directory", error);
        Assert.DoesNotContain("no such file", error);
    }

    [Fact]
    public void Stats_and_report_agree_on_handle_events_and_span()
    {
        var (code, output, _) = CliSmokeTests.Run("stats", TestPaths.Sample, "--json");
        Assert.Equal(0, code);
        using var json = System.Text.Json.JsonDocument.Parse(output);
        TraceSummary summary = ReportBuilder.Build(ReportCommand.Open(TestPaths.Sample), new ReportOptions(null, null)).Summary;
        Assert.Equal(json.RootElement.GetProperty("handle_events").GetInt64(), summary.HandleEvents);
        Assert.Equal(json.RootElement.GetProperty("span_seconds").GetDouble(), Math.Round(summary.Seconds, 6));
        Assert.Equal(600, summary.HandleEvents);
    }

    [Fact]
    public void The_span_is_the_header_and_the_last_event_only_without_a_header_end()
    {
        var script = new EventScript();
        var info = script.Info; // no header end
        Assert.False(TraceSpan.Of(info, null).EndKnown);
        Assert.Equal(3.0, TraceSpan.Of(info, info.FromRelativeSeconds(3)).Seconds, 6);
        info.EndUtc = info.StartUtc.AddSeconds(10);
        Assert.Equal(10.0, TraceSpan.Of(info, info.FromRelativeSeconds(3)).Seconds, 6);
    }
}
