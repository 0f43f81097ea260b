using HandleEtw.Cli;
using HandleEtw.Cli.Commands;
using HandleEtw.Core.Analysis;
using HandleEtw.Tests.Tracking;

namespace HandleEtw.Tests.Cli;

/// <summary>A trace recorded without the Handle keyword must never read as an all-clear.</summary>
public class NoHandleEventsTests
{
    private static readonly string Kernel = TestPaths.Corpus("perfview/net.4.5.2.x64.etl");

    public static TheoryData<string> CorpusTraces()
    {
        var data = new TheoryData<string>();
        foreach (string file in Directory.EnumerateFiles(TestPaths.CorpusEtl, "*.etl", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            if (new FileInfo(file).Length > 0) data.Add(Path.GetRelativePath(TestPaths.CorpusEtl, file));
        return data;
    }

    [Theory]
    [MemberData(nameof(CorpusTraces))]
    public void Every_real_trace_without_handle_events_says_so_with_its_own_exit_code(string trace)
    {
        var (code, output, error) = CliSmokeTests.Run("leaks", TestPaths.Corpus(trace));
        Assert.Equal(ExitCodes.NoHandleEvents, code);
        Assert.Equal("", output);
        Assert.Single(error.Trim().Split('\n'));
        Assert.Contains("no Object handle events", error);
        Assert.Contains("profiles/handleetw.wprp", error);
        Assert.Contains("handleetw record", error);
    }

    [Theory]
    [InlineData("diff")]
    [InlineData("leaks", "--json")]
    [InlineData("misuse")]
    [InlineData("history", "--pid", "4", "--handle", "4")]
    [InlineData("stats")]
    public void Every_analysis_command_refuses_the_all_clear(params string[] command)
    {
        string[] args = [command[0], Kernel, .. command[1..]];
        var (code, output, error) = CliSmokeTests.Run(args);
        Assert.Equal(ExitCodes.NoHandleEvents, code);
        Assert.Contains("no Object handle events", error);
        Assert.DoesNotContain("No handles open", output);
        Assert.DoesNotContain("No double-close", output);
    }

    [Theory]
    [InlineData("compare")]
    [InlineData("compare", "--json")]
    [InlineData("report", "--compare")]
    public void Compare_against_a_trace_without_handle_events_is_refused_not_fixed(params string[] command)
    {
        using var dir = new Parquet.TempDir();
        string leaky = Path.Combine(dir.Path, "leaky.etl"), page = Path.Combine(dir.Path, "page.html");
        HandleEtw.Synthetic.Scenarios.HandleScenarios.LeakyHandlesBuild(new(), iterations: 60).WriteTo(leaky);
        string[] args = command[0] == "report" ? [.. command, leaky, Kernel, "-o", page] : [.. command, leaky, Kernel];
        var (code, output, error) = CliSmokeTests.Run(args);
        Assert.Equal(ExitCodes.NoHandleEvents, code);
        Assert.Equal("", output);
        Assert.Single(error.Trim().Split('\n'));
        Assert.Contains($"{Kernel}: ", error);
        Assert.Contains("no Object handle events", error);
        Assert.False(File.Exists(page));
    }

    [Fact]
    public void Convert_writes_the_tables_and_still_says_there_is_nothing_to_analyse()
    {
        using var dir = new Parquet.TempDir();
        var (code, output, error) = CliSmokeTests.Run("convert", Kernel, "-o", dir.Path);
        Assert.Equal(ExitCodes.NoHandleEvents, code);
        Assert.Contains("wrote 0 handle events", output);
        Assert.Contains("no Object handle events", error);
        Assert.True(File.Exists(Path.Combine(dir.Path, "meta.parquet")));
    }

    [Fact]
    public void Report_opens_with_the_banner_and_exits_with_the_code()
    {
        using var dir = new Parquet.TempDir();
        string html = Path.Combine(dir.Path, "r.html");
        var (code, _, error) = CliSmokeTests.Run("report", Kernel, "-o", html);
        Assert.Equal(ExitCodes.NoHandleEvents, code);
        Assert.Contains("no Object handle events", error);
        string page = File.ReadAllText(html);
        int banner = page.IndexOf("class=\"alert no-handle-events\"", StringComparison.Ordinal);
        Assert.True(banner > 0, "banner present");
        Assert.True(banner < page.IndexOf("<table class=\"glance\">", StringComparison.Ordinal), "banner comes first");
        Assert.Contains("profiles/handleetw.wprp", page);
    }

    [Fact]
    public void Handle_events_without_stacks_warn_but_answer()
    {
        var s = new EventScript().Start(7, name: "app.exe").Create(7, 1, 0x10, 0xA0).Create(7, 1, 0x14, 0xA4);
        TraceInput input = s.Input();
        var output = new StringWriter();
        Assert.Equal(ExitCodes.Ok, LeaksCommand.Execute(new LeaksCommand.Args("t", 10, ProcessFilter.All, false), input, output));
        Assert.True(input.Coverage.NoHandleStacks);
        var error = new StringWriter();
        TraceOptions.WarnCoverage(input.Coverage, error);
        Assert.Contains("none of the 2 handle create/close/duplicate events has a stack", error.ToString());
    }

    [Fact]
    public void A_process_filter_that_matches_nothing_says_so()
    {
        string sample = TestPaths.Sample;
        var (code, output, error) = CliSmokeTests.Run("leaks", sample, "--process", "nosuch");
        Assert.Equal(ExitCodes.NoProcessMatched, code);
        Assert.Equal("", output);
        Assert.Contains("no process in the trace matched --process nosuch", error);
        Assert.Contains("leakyhandles.exe", error);
        var (pidCode, _, pidError) = CliSmokeTests.Run("diff", sample, "--pid", "0x1093");
        Assert.Equal(ExitCodes.NoProcessMatched, pidCode);
        Assert.Contains("--pid 4243", pidError);
    }
}
