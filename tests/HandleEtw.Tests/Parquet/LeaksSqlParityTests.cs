using System.Text.Json;
using HandleEtw.Synthetic.Scenarios;
using HandleEtw.Tests.Cli;
using HandleEtw.Tests.Synthetic;
using HandleEtw.Tests.Tracking;

namespace HandleEtw.Tests.Parquet;

/// <summary>scripts/leaks.sql over the converted tables gives the ranking and verdicts of `handleetw leaks`.</summary>
public class LeaksSqlParityTests
{
    private readonly record struct Group(int Pid, string Type, int Outstanding, bool Growing, string Reason,
                                         double PerMinute, double FirstOpen, double LastOpen, int Depth);

    [Theory]
    [MemberData(nameof(EndToEndTests.Names), MemberType = typeof(EndToEndTests))]
    [InlineData("Wow64Process")]
    public void Leaks_sql_in_duckdb_ranks_as_the_leaks_command(string name)
    {
        using var dir = new TempDir();
        string trace = Path.Combine(dir.Path, "trace.etl"), tables = Path.Combine(dir.Path, "tables");
        ScenarioTests.Build(name, 2).WriteTo(trace); // cached stacks, 4 processors
        var (code, _, error) = CliSmokeTests.Run("convert", trace, "-o", tables);
        Assert.True(code == 0, error);
        using var db = new DuckDb();
        db.BindTables(tables);
        AssertSameRanking(trace, db);
    }

    /// <summary>Same groups in the same order with the same counts, verdicts, reasons, growth, open times and stack depths.</summary>
    internal static void AssertSameRanking(string trace, DuckDb db)
    {
        var (code, output, error) = CliSmokeTests.Run("leaks", trace, "--json", "--top", "100000");
        Assert.True(code == 0, error);
        JsonElement root = JsonDocument.Parse(output).RootElement;
        List<Group> expected = root.GetProperty("leaks").EnumerateArray().Concat(root.GetProperty("flat").EnumerateArray())
            .Select(g => new Group(g.GetProperty("pid").GetInt32(), g.GetProperty("type").GetString()!,
                g.GetProperty("outstanding").GetInt32(), g.GetProperty("growing").GetBoolean(), g.GetProperty("reason").GetString()!,
                g.GetProperty("per_minute").GetDouble(), g.GetProperty("first_open").GetDouble(), g.GetProperty("last_open").GetDouble(),
                g.GetProperty("stack").ValueKind == JsonValueKind.Array ? g.GetProperty("stack").GetArrayLength() : 0))
            .ToList();
        List<Group> actual = db.Rows(File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "scripts", "leaks.sql")))
            .Select(r => new Group(Convert.ToInt32(r[0]), (string?)r[2] ?? $"type#{r[1]}", Convert.ToInt32(r[4]), (bool)r[10]!,
                (string)r[11]!, Math.Round(Convert.ToDouble(r[9]), 3), Math.Round(Convert.ToDouble(r[5]), 6),
                Math.Round(Convert.ToDouble(r[6]), 6), r[12] is null ? 0 : Convert.ToInt32(r[12])))
            .ToList();
        Assert.Equal(expected, actual);
    }
}
