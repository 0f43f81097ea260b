using System.Diagnostics;

namespace HandleEtw.Tests;

/// <summary>Runs a command-line tool the tests need (a compiler) to completion.</summary>
public static class ExternalTool
{
    /// <summary>The tool's stdout; fails the test when it cannot run or exits non-zero.</summary>
    public static string Run(string tool, params string[] args)
    {
        var info = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args) info.ArgumentList.Add(a);
        using var p = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {tool}");
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"{tool} {string.Join(' ', args)} failed ({p.ExitCode}): {stdout}{stderr.Result}");
        return stdout;
    }
}
