using System.Diagnostics;

namespace HandleEtw.Tests.Parquet;

/// <summary>Every scripts/*.sql parses with a Spark SQL grammar (dt-sql-parser, installed by scripts/ci-setup.sh),
/// so the claim that Spark runs them is checked; a broken file is rejected by the same check.</summary>
public class SparkSqlGrammarTests
{
    private static string ParserDirectory()
    {
        string root = Environment.GetEnvironmentVariable("HANDLEETW_TOOLS") is { Length: > 0 } tools ? tools
            : Path.Combine(Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } cache ? cache
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"), "handleetw");
        string dir = Path.Combine(root, "spark-sql");
        if (!File.Exists(Path.Combine(dir, "node_modules", "dt-sql-parser", "package.json")))
            throw new InvalidOperationException($"the Spark SQL grammar is not installed in {dir}: run scripts/ci-setup.sh");
        return dir;
    }

    [Fact]
    public async Task Every_script_parses_as_spark_sql_and_a_broken_one_does_not()
    {
        string scripts = Path.Combine(TestPaths.RepoRoot, "scripts");
        string[] files = Directory.GetFiles(scripts, "*.sql").Order().ToArray();
        Assert.Contains(files, f => f.EndsWith("leaks.sql"));
        using var dir = new TempDir();
        string broken = Path.Combine(dir.Path, "broken.sql");
        File.WriteAllText(broken, File.ReadAllText(Path.Combine(scripts, "leaks.sql")).Replace("GROUP BY o.pid", "GROUP o.pid"));

        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in new[] { Path.Combine(scripts, "spark-sql-check.mjs"), ParserDirectory() }.Concat(files).Append(broken))
            start.ArgumentList.Add(arg);
        using Process node = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        Task<string> error = node.StandardError.ReadToEndAsync();
        string[] lines = (await node.StandardOutput.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(node.WaitForExit(120_000), "node did not finish");
        Assert.True(lines.Length > 0, await error);
        foreach (string file in files) Assert.Contains($"OK {file}", lines);
        Assert.Contains(lines, l => l.StartsWith($"ERROR {broken}:"));
        Assert.Equal(1, node.ExitCode);
    }
}

public class FleetScriptTests
{
    /// <summary>The fleet script compiles and ranks with leaks.sql run by spark.sql, not a slope of its own.</summary>
    [Fact]
    public void Fleet_script_compiles_and_ranks_through_leaks_sql()
    {
        string script = Path.Combine(TestPaths.RepoRoot, "scripts", "fleet_leaks.py");
        var start = new ProcessStartInfo("python3") { RedirectStandardError = true };
        foreach (string arg in new[] { "-c", "import ast, sys; ast.parse(open(sys.argv[1]).read(), sys.argv[1])", script })
            start.ArgumentList.Add(arg);
        using Process python = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start");
        string error = python.StandardError.ReadToEnd();
        Assert.True(python.WaitForExit(60_000), "python3 did not finish");
        Assert.True(python.ExitCode == 0, error);
        string text = File.ReadAllText(script);
        Assert.Contains("spark.sql(sql)", text);
        Assert.Contains("\"leaks.sql\"", text);
        Assert.DoesNotContain("covar_pop", text);
    }
}
