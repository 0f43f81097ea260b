using HandleEtw.Cli;
using HandleEtw.Cli.Commands;
using HandleEtw.Core.Analysis;
using HandleEtw.Tests.Cli;

namespace HandleEtw.Tests.Tracking;

public class AnalysisCliTests
{
    [Theory]
    [InlineData("diff", "/no/such/trace.etl")]
    [InlineData("leaks", "/no/such/trace.etl")]
    [InlineData("misuse", "/no/such/trace.etl")]
    [InlineData("history", "/no/such/trace.etl", "--pid", "4", "--handle", "0x10")]
    [InlineData("leaks", "/no/such/trace.etl", "--top", "0")]
    [InlineData("history", "/no/such/trace.etl", "--pid", "4", "--handle", "nope")]
    public void Bad_input_is_one_line_and_non_zero(params string[] args)
    {
        var (code, output, error) = CliSmokeTests.Run(args);
        Assert.NotEqual(0, code);
        Assert.Equal("", output);
        Assert.Single(error.Trim().Split('\n'));
    }

    [Theory]
    [InlineData("12.5", 12.5)]
    [InlineData("2026-01-01T00:00:03Z", 3.0)]
    public void Times_are_seconds_from_start_or_iso_utc(string text, double seconds)
    {
        var s = new EventScript();
        long? t = TraceOptions.ParseTime(text, s.Info, "--from");
        Assert.Equal(s.Info.FromRelativeSeconds(seconds), t);
    }

    [Fact]
    public void Diff_with_to_before_from_is_a_user_error()
    {
        var s = new EventScript().Create(1, 1, 4, 1);
        Assert.Throws<UserErrorException>(() =>
            DiffCommand.Execute(new DiffCommand.Args("t", "5", "2", ProcessFilter.All, false), s.Input(), new StringWriter()));
        Assert.Throws<UserErrorException>(() => TraceOptions.ParseTime("yesterday", s.Info, "--from"));
        Assert.Equal(ExitCodes.Ok, DiffCommand.Execute(new DiffCommand.Args("t", "0", "2", ProcessFilter.All, false), s.Input(), new StringWriter()));
    }
}
