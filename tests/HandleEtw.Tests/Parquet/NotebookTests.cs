using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using HandleEtw.Synthetic.Scenarios;
using HandleEtw.Tests.Cli;

namespace HandleEtw.Tests.Parquet;

/// <summary>scripts/handles.ipynb: its paths work from the folder Jupyter runs it in, and every query it runs works
/// in DuckDB on a converted trace.</summary>
public partial class NotebookTests
{
    private static readonly string Scripts = Path.Combine(TestPaths.RepoRoot, "scripts");

    private static List<string> CodeCells()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Scripts, "handles.ipynb")));
        return doc.RootElement.GetProperty("cells").EnumerateArray()
            .Where(c => c.GetProperty("cell_type").GetString() == "code")
            .Select(c => string.Concat(c.GetProperty("source").EnumerateArray().Select(l => l.GetString())))
            .ToList();
    }

    [GeneratedRegex("con\\.sql\\(\"\"\"(.*?)\"\"\"", RegexOptions.Singleline)]
    private static partial Regex InlineQuery();

    [GeneratedRegex("SCRIPTS / \"([a-z_]+\\.sql)\"")]
    private static partial Regex ScriptFile();

    [Theory]
    [InlineData("scripts")]
    [InlineData(".")]
    public void Paths_cell_finds_the_scripts_from_the_notebook_folder_and_from_the_repository(string workingDirectory)
    {
        string cell = CodeCells().Single(c => c.Contains("SCRIPTS ="));
        var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true,
            RedirectStandardInput = true, WorkingDirectory = Path.GetFullPath(Path.Combine(TestPaths.RepoRoot, workingDirectory)) };
        start.Environment.Remove("HANDLEETW_TRACE_DIR");
        using Process python = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start");
        python.StandardInput.Write(cell);
        python.StandardInput.Close();
        string output = python.StandardOutput.ReadToEnd();
        Assert.True(python.WaitForExit(60_000), "python3 did not finish");
        Assert.True(python.ExitCode == 0, python.StandardError.ReadToEnd());
        Assert.Contains($"scripts: {Path.GetFullPath(Scripts)}\n", output);
        Assert.Contains($"trace:   {Path.GetFullPath(Path.Combine(TestPaths.RepoRoot, "out"))}\n", output);
    }

    [Fact]
    public void Every_query_of_the_notebook_runs_on_a_converted_trace()
    {
        using var dir = new TempDir();
        string trace = Path.Combine(dir.Path, "leaky.etl"), tables = Path.Combine(dir.Path, "out");
        HandleScenarios.LeakyHandles(iterations: 50, duration: TimeSpan.FromSeconds(9.95)).WriteTo(trace);
        var (code, _, error) = CliSmokeTests.Run("convert", trace, "-o", tables);
        Assert.True(code == 0, error);
        using var db = new DuckDb();
        db.BindTables(tables);

        List<string> cells = CodeCells();
        var files = cells.SelectMany(c => ScriptFile().Matches(c)).Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.Equal(["leaks.sql", "diff.sql"], files);
        var leaks = db.Rows(File.ReadAllText(Path.Combine(Scripts, "leaks.sql")));
        Assert.True((bool)leaks[0][10]!, "the notebook's leak table starts with the growing group");
        db.Rows(File.ReadAllText(Path.Combine(Scripts, "diff.sql")));

        var parameters = new Dictionary<string, object?>
        {
            ["top"] = 8, ["pid"] = HandleScenarios.LeakyPid, ["stack"] = Convert.ToInt32(leaks[0][3]), ["type"] = "Event",
        };
        var queries = cells.SelectMany(c => InlineQuery().Matches(c)).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(4, queries.Count);
        foreach (string query in queries)
        {
            var used = parameters.Where(p => query.Contains("$" + p.Key)).ToDictionary(p => p.Key, p => p.Value);
            Assert.NotEmpty(db.Rows(query, used));
        }

        // Per-second buckets floor: the last events, at 9.75-9.95 s, are in second 9, not 10.
        var perSecond = db.Rows(queries.Single(q => q.Contains("AS second")));
        long lastEvent = db.Count("SELECT max(time_ns) FROM events");
        Assert.Equal(lastEvent / 1_000_000_000, perSecond.Max(r => Convert.ToInt64(r[1])));
        Assert.Equal(9, lastEvent / 1_000_000_000);
    }
}
