using System.Text.Json;
using HandleEtw.Synthetic.Scenarios;
using HandleEtw.Tests.Cli;
using HandleEtw.Tests.Parquet;
using HandleEtw.Tests.Synthetic;

namespace HandleEtw.Tests.Tracking;

/// <summary>Where a value came from: the parent's inheritance duplicate in the child, the DUPLICATE_CLOSE_SOURCE
/// close in the source, in every command that shows a handle's origin.</summary>
public class InheritanceHistoryTests
{
    private const int Child = 6000, Parent = HandleScenarios.LeakyPid, Worker = 4300;

    private static JsonElement Json(params string[] args)
    {
        var (code, output, error) = CliSmokeTests.Run(args);
        Assert.True(code == 0, error);
        return JsonDocument.Parse(output).RootElement;
    }

    private static string Write(TempDir dir, string scenario, int variant)
    {
        string path = Path.Combine(dir.Path, scenario + ".etl");
        ScenarioTests.Build(scenario, variant).WriteTo(path);
        return path;
    }

    /// <summary>The parent's inheritance duplicates (parent as source and target, same value) of a value, in time.</summary>
    private static double InheritanceTime(string trace, uint value)
    {
        JsonElement parent = Json("history", trace, "--pid", Parent.ToString(), "--handle", $"0x{value:x}", "--json");
        return parent.GetProperty("entries").EnumerateArray().Single(e => e.GetProperty("role").GetString() == "inherit")
            .GetProperty("time").GetDouble();
    }

    /// <summary>kernelbase!CreateProcessW, a frame of the parent's inheritance stack (module+offset, with or without the extension).</summary>
    private static bool IsCreateProcess(JsonElement frame) =>
        frame.GetString()!.StartsWith("kernelbase", StringComparison.OrdinalIgnoreCase) && frame.GetString()!.Contains("+0x27");

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void Child_history_starts_with_the_parents_inheritance_duplicate(int variant)
    {
        using var dir = new TempDir();
        string trace = Write(dir, "InheritedHandles", variant);
        foreach (uint value in new uint[] { 0x40, 0x44 })
        {
            JsonElement entries = Json("history", trace, "--pid", Child.ToString(), "--handle", $"0x{value:x}", "--json").GetProperty("entries");
            Assert.Equal(["CLOSE", "DUPLICATE"], entries.EnumerateArray().Select(e => e.GetProperty("kind").GetString()));
            JsonElement oldest = entries[entries.GetArrayLength() - 1];
            Assert.Equal("inherit", oldest.GetProperty("role").GetString());
            Assert.Equal(Parent, oldest.GetProperty("pid").GetInt32());
            Assert.Equal(InheritanceTime(trace, value), oldest.GetProperty("time").GetDouble());
            Assert.Contains(oldest.GetProperty("stack").EnumerateArray(), IsCreateProcess);
        }
        var (_, text, _) = CliSmokeTests.Run("history", trace, "--pid", Child.ToString(), "--handle", "0x40");
        Assert.Contains("- DUPLICATE [inherit] (inherited from parent pid 4242 handle 0x40)", text);
    }

    [Fact]
    public void Inherited_value_is_opened_at_the_inheritance_duplicate_with_origin_inherited()
    {
        using var dir = new TempDir();
        string trace = Write(dir, "InheritedAndKept", 2);
        double inherited = InheritanceTime(trace, 0x40);

        JsonElement kept = Json("diff", trace, "--json").GetProperty("handles").EnumerateArray()
            .Single(h => h.GetProperty("pid").GetInt32() == Child);
        Assert.Equal((0x40, "inherited", inherited), (kept.GetProperty("handle").GetInt32(), kept.GetProperty("origin").GetString(),
            kept.GetProperty("time").GetDouble()));
        Assert.Contains(kept.GetProperty("stack").EnumerateArray(), IsCreateProcess);

        JsonElement group = Json("leaks", trace, "--json").GetProperty("flat").EnumerateArray()
            .Single(g => g.GetProperty("pid").GetInt32() == Child);
        Assert.Equal(("inherited", inherited), (group.GetProperty("origin").GetString(), group.GetProperty("first_open").GetDouble()));

        string tables = Path.Combine(dir.Path, "tables");
        var (code, _, error) = CliSmokeTests.Run("convert", trace, "-o", tables);
        Assert.True(code == 0, error);
        using var db = new DuckDb();
        db.BindTables(tables);
        var row = Assert.Single(db.Rows($"SELECT handle, origin, create_time_ns FROM live_handles WHERE snapshot = 'end' AND pid = {Child}"));
        Assert.Equal((0x40L, "inherited"), (Convert.ToInt64(row[0]), (string)row[1]!));
        Assert.Equal(inherited, Convert.ToInt64(row[2]) / 1e9, 6);
        long start = Convert.ToInt64(db.Scalar($"SELECT start_time_ns FROM processes WHERE pid = {Child}"));
        Assert.True(Convert.ToInt64(row[2]) < start, "inherited before the child's Process/Start");
    }

    [Theory]
    [InlineData("DuplicateWithCloseSource", Parent)]
    [InlineData("PulledWithCloseSource", Worker)]
    public void Source_history_shows_the_close_by_duplicate(string scenario, int caller)
    {
        using var dir = new TempDir();
        string trace = Write(dir, scenario, 0);
        JsonElement entries = Json("history", trace, "--pid", Parent.ToString(), "--handle", "0x40", "--json").GetProperty("entries");
        Assert.Equal(["CLOSE", "DUPLICATE", "OPEN"], entries.EnumerateArray().Select(e => e.GetProperty("kind").GetString()));
        Assert.Equal("close_source", entries[0].GetProperty("role").GetString());
        Assert.Equal(caller, entries[0].GetProperty("pid").GetInt32());
        Assert.Contains("DUPLICATE_CLOSE_SOURCE: handed to pid 4300", entries[0].GetProperty("detail").GetString());
        Assert.Equal("source", entries[1].GetProperty("role").GetString());
        Assert.Equal(entries[0].GetProperty("time").GetDouble(), entries[1].GetProperty("time").GetDouble());
        // The caller's own history does not claim the source's close.
        JsonElement target = Json("history", trace, "--pid", Worker.ToString(), "--handle", "0x40", "--json").GetProperty("entries");
        Assert.DoesNotContain(target.EnumerateArray(), e => e.GetProperty("kind").GetString() == "CLOSE");
    }
}
