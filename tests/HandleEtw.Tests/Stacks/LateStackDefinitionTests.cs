using System.Text.Json;
using HandleEtw.Synthetic.Etl;
using HandleEtw.Synthetic.Scenarios;
using HandleEtw.Tests.Cli;
using HandleEtw.Tests.Parquet;

namespace HandleEtw.Tests.Stacks;

/// <summary>
/// A stack's second life defined about 100 k events after its references (far past the stack join's hold): diff,
/// leaks and the Parquet tables still give every event of it the one id of its frames.
/// </summary>
public class LateStackDefinitionTests
{
    private const int Iterations = 50_000, LeakEvery = 1_000, Leaked = 1 + Iterations / LeakEvery;
    private const string Fun4 = "leakyhandles+0x1a2b";

    [Fact]
    public void A_definition_100k_events_after_its_references_keeps_one_id_in_diff_leaks_and_parquet()
    {
        using var dir = new TempDir();
        string etl = Path.Combine(dir.Path, "late.etl"), tables = Path.Combine(dir.Path, "tables");
        var options = new ScriptOptions { Stacks = StackMode.Cached, StackCacheSize = 4 };
        HandleScenarios.LateStackDefinition(Iterations, LeakEvery, options).WriteTo(etl);

        JsonElement diff = Json("diff", etl);
        JsonElement group = Assert.Single(diff.GetProperty("groups").EnumerateArray(), g => HasFun4(g));
        Assert.Equal(Leaked, group.GetProperty("count").GetInt32());

        JsonElement leaks = Json("leaks", etl, "--top", "100");
        var fun4Groups = leaks.GetProperty("leaks").EnumerateArray().Concat(leaks.GetProperty("flat").EnumerateArray())
            .Where(HasFun4).ToList();
        Assert.Equal(Leaked, Assert.Single(fun4Groups).GetProperty("outstanding").GetInt32());

        var (code, _, error) = CliSmokeTests.Run("convert", etl, "-o", tables);
        Assert.True(code == 0, error);
        using var db = new DuckDb();
        db.BindTables(tables);
        Assert.Equal(db.Count("SELECT count(DISTINCT frames) FROM stacks"), db.Count("SELECT count(*) FROM stacks"));
        Assert.Equal(0, db.Count("SELECT count(*) FROM events WHERE stack_id IS NOT NULL AND stack_id NOT IN (SELECT stack_id FROM stacks)"));
        Assert.Equal(0, db.Count("SELECT count(*) FROM live_handles WHERE stack_id IS NOT NULL AND stack_id NOT IN (SELECT stack_id FROM stacks)"));
        // Every Event create comes from fun4: one stack id for all of them, and the leak's handles carry it.
        Assert.Equal(1 + Iterations, db.Count("SELECT count(*) FROM events e JOIN object_types t USING (type) WHERE e.op = 0 AND t.type_name = 'Event'"));
        Assert.Equal(1, db.Count("SELECT count(DISTINCT stack_id) FROM events e JOIN object_types t USING (type) WHERE e.op = 0 AND t.type_name = 'Event'"));
        Assert.Equal(Leaked, db.Count("SELECT count(*) FROM live_handles l JOIN object_types t USING (type) " +
            "WHERE l.snapshot = 'end' AND t.type_name = 'Event' AND l.stack_id = (SELECT min(stack_id) FROM events WHERE op = 0 AND type = l.type)"));
        Assert.Equal(db.Count("SELECT events FROM meta"), db.Count("SELECT count(*) FROM events"));
        using DuckDb plain = Converted(HandleScenarios.LeakyHandles(iterations: 5), dir.Path);
        Assert.Equal(Columns(plain), Columns(db));
    }

    /// <summary>Column names and types of the events and live_handles tables (rewritten or not, the same).</summary>
    private static string Columns(DuckDb db) => string.Join("\n", new[] { "events", "live_handles" }.SelectMany(t =>
        db.Rows($"SELECT column_name, column_type FROM (DESCRIBE {t})").Select(r => $"{t}.{r[0]} {r[1]}")));

    private static DuckDb Converted(TraceScript script, string work)
    {
        string etl = Path.Combine(work, "plain.etl"), tables = Path.Combine(work, "plain");
        script.WriteTo(etl);
        var (code, _, error) = CliSmokeTests.Run("convert", etl, "-o", tables);
        Assert.True(code == 0, error);
        var db = new DuckDb();
        db.BindTables(tables);
        return db;
    }

    private static bool HasFun4(JsonElement group) =>
        group.GetProperty("stack").EnumerateArray().Any(f => f.GetString() == Fun4);

    private static JsonElement Json(string command, string etl, params string[] more)
    {
        var (code, output, error) = CliSmokeTests.Run([command, etl, .. more, "--json"]);
        Assert.True(code == 0, error);
        return JsonDocument.Parse(output).RootElement.Clone();
    }
}
