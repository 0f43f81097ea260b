using HandleEtw.Tests.Cli;

namespace HandleEtw.Tests.Windows;

/// <summary>`handleetw selftest` for real: a child of its own recorded by the live session (Windows, elevated).</summary>
public class SelftestLiveTests
{
    [WindowsFact]
    public void Selftest_passes_every_check_on_this_machine()
    {
        var (code, output, error) = CliSmokeTests.Run("selftest");
        Assert.True(code == 0, output + error);
        Assert.Equal(5, output.Split('\n').Count(l => l.StartsWith("PASS", StringComparison.Ordinal)));
        Assert.DoesNotContain("FAIL", output);
    }
}
