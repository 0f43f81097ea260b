using HandleEtw.Cli;

namespace HandleEtw.Tests.Cli;

public class CliSmokeTests
{
    internal static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Program.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void Help_lists_every_product_command()
    {
        var (code, output, _) = Run("--help");
        Assert.Equal(0, code);
        foreach (string name in new[] { "record", "diff", "history", "leaks", "stats", "convert" })
            Assert.Contains(name, output);
    }

    [Fact]
    public void Record_off_windows_is_one_line_and_non_zero()
    {
        if (OperatingSystem.IsWindows()) return; // the Windows behaviour is covered by the live-session tests
        var (code, output, error) = Run("record", "--process", "lsass");
        Assert.NotEqual(0, code);
        Assert.Equal("", output);
        Assert.Single(error.Trim().Split('\n'));
        Assert.Contains("Windows", error);
    }

    [Fact]
    public void Unknown_command_is_an_argument_error()
    {
        var (code, _, _) = Run("frobnicate");
        Assert.NotEqual(0, code);
    }
}

public class CliProcessTests
{
    /// <summary>The real entry point, as a child process with stdout redirected (buffered there): every byte arrives.</summary>
    [Fact]
    public async Task Redirected_output_of_the_executable_equals_the_in_process_output()
    {
        string sample = TestPaths.Sample;
        string dll = Path.Combine(AppContext.BaseDirectory, "handleetw.dll");
        var start = new System.Diagnostics.ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (string arg in new[] { dll, "diff", sample }) start.ArgumentList.Add(arg);
        using var child = System.Diagnostics.Process.Start(start)!;
        Task<string> stderr = child.StandardError.ReadToEndAsync();
        string stdout = await child.StandardOutput.ReadToEndAsync();
        Assert.True(child.WaitForExit(120_000), "the CLI finished");
        Assert.Equal(0, child.ExitCode);
        Assert.Equal("", await stderr);
        var (_, expected, _) = CliSmokeTests.Run("diff", sample);
        Assert.Equal(expected, stdout);
        Assert.Contains("leakyhandles+0x1a2b", stdout);
    }
}
