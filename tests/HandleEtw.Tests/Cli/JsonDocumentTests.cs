using System.Text.Json;
using HandleEtw.Core.Json;
using HandleEtw.Synthetic.Scenarios;
using HandleEtw.Tests.Synthetic;

namespace HandleEtw.Tests.Cli;

/// <summary>
/// Every command's JSON through the real CLI: schema_version, lossy and damage at the top, 64-bit addresses as hex
/// strings that parse back to the exact value, and no number a double (jq, JavaScript) would round.
/// </summary>
public class JsonDocumentTests
{

    /// <summary>The sample's second object: above 2^53, so as a JSON number it came back as 0xffffc00001000000.</summary>
    private const ulong SecondObject = 0xffffc000010000c0;

    internal static JsonElement Document(params string[] args)
    {
        var (code, output, error) = CliSmokeTests.Run(args);
        Assert.True(code == 0, error);
        JsonElement root = JsonDocument.Parse(output).RootElement;
        AssertContract(root);
        return root;
    }

    /// <summary>The fields every document starts with, and every number exact in a double.</summary>
    internal static void AssertContract(JsonElement root)
    {
        Assert.Equal(["schema_version", "lossy", "damage"], root.EnumerateObject().Take(3).Select(p => p.Name));
        Assert.Equal(JsonContract.SchemaVersion, root.GetProperty("schema_version").GetInt32());
        Assert.True(root.GetProperty("lossy").ValueKind is JsonValueKind.True or JsonValueKind.False);
        Assert.Equal(["lost_events", "lost_buffers", "damaged_buffers", "damaged_bytes", "skipped_records"],
            root.GetProperty("damage").EnumerateObject().Select(p => p.Name).Take(5));
        AssertNumbersExactInDoubles(root);
    }

    private static void AssertNumbersExactInDoubles(JsonElement e)
    {
        const long Exact = 1L << 53;
        switch (e.ValueKind)
        {
            case JsonValueKind.Object: foreach (JsonProperty p in e.EnumerateObject()) AssertNumbersExactInDoubles(p.Value); break;
            case JsonValueKind.Array: foreach (JsonElement item in e.EnumerateArray()) AssertNumbersExactInDoubles(item); break;
            case JsonValueKind.Number:
                bool integer = e.TryGetInt64(out long value);
                Assert.True(integer ? Math.Abs(value) <= Exact : !e.GetRawText().Contains('e') || e.GetDouble() < Exact,
                    $"{e.GetRawText()} does not survive a double");
                break;
        }
    }

    private static ulong HexValue(JsonElement e)
    {
        Assert.Equal(JsonValueKind.String, e.ValueKind);
        Assert.True(Hex.TryParse(e.GetString(), out Hex hex), e.GetString());
        Assert.Equal(e.GetString(), hex.ToString());
        return hex.Value;
    }

    [Fact]
    public void Diff_writes_objects_as_hex_strings()
    {
        JsonElement root = Document("diff", TestPaths.Sample, "--json");
        Assert.False(root.GetProperty("lossy").GetBoolean());
        JsonElement first = root.GetProperty("handles")[0];
        Assert.Equal(["pid", "process", "tid", "handle", "object", "type", "name", "time", "origin", "stack", "handle_kind"], first.EnumerateObject().Select(p => p.Name));
        Assert.Equal(SecondObject, HexValue(first.GetProperty("object")));
        Assert.Equal("\"0xffffc000010000c0\"", first.GetProperty("object").GetRawText());
        Assert.Equal(JsonValueKind.Number, first.GetProperty("handle").ValueKind);
    }

    [Fact]
    public void History_writes_objects_as_hex_strings()
    {
        JsonElement root = Document("history", TestPaths.Sample, "--pid", "4242", "--handle", "0x40", "--json");
        JsonElement[] entries = root.GetProperty("entries").EnumerateArray().ToArray();
        Assert.Equal(["kind", "role", "time", "tid", "pid", "object", "type", "detail", "stack", "handle_kind"], entries[0].EnumerateObject().Select(p => p.Name));
        JsonElement open = entries.Last(e => e.GetProperty("kind").GetString() == "OPEN");
        Assert.Equal(0xffffc00001000060UL, HexValue(open.GetProperty("object")));
        Assert.Contains(entries, e => HexValue(e.GetProperty("object")) == SecondObject);
        Assert.Equal(4242, open.GetProperty("pid").GetInt32());
    }

    [Fact]
    public void Leaks_say_how_many_were_opened()
    {
        JsonElement leak = Document("leaks", TestPaths.Sample, "--json", "--top", "1").GetProperty("leaks")[0];
        Assert.Equal(200, leak.GetProperty("opened").GetInt32());
        Assert.Equal(200, leak.GetProperty("outstanding").GetInt32());
        Assert.True(leak.GetProperty("growing").GetBoolean());
    }

    [Fact]
    public void Misuse_gives_each_event_its_thread_and_time()
    {
        TraceScript script = ScenarioTests.Build("DoubleClose", 0);
        string path = Path.Combine(Path.GetTempPath(), $"handleetw-json-misuse-{Environment.ProcessId}.etl");
        script.WriteTo(path);
        try
        {
            JsonElement s = Document("misuse", path, "--json").GetProperty("suspects")[0];
            Assert.Equal(["pid", "process", "handle", "count", "confidence", "first_close", "create", "stale_close", "crossed_close"],
                s.EnumerateObject().Select(p => p.Name));
            double previous = 0;
            foreach (string name in new[] { "first_close", "create", "stale_close", "crossed_close" })
            {
                JsonElement e = s.GetProperty(name);
                Assert.Equal(["tid", "time", "stack"], e.EnumerateObject().Select(p => p.Name));
                Assert.True(e.GetProperty("time").GetDouble() >= previous, name);
                previous = e.GetProperty("time").GetDouble();
            }
            int closer = s.GetProperty("first_close").GetProperty("tid").GetInt32();
            Assert.Equal(closer, s.GetProperty("stale_close").GetProperty("tid").GetInt32());
            Assert.NotEqual(closer, s.GetProperty("create").GetProperty("tid").GetInt32());
            Assert.Equal(s.GetProperty("create").GetProperty("tid").GetInt32(), s.GetProperty("crossed_close").GetProperty("tid").GetInt32());
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Stats_writes_process_keys_as_hex_strings()
    {
        JsonElement root = Document("stats", TestPaths.Sample, "--json");
        JsonElement live = root.GetProperty("live_handles")[0];
        Assert.Equal(4242, live.GetProperty("pid").GetInt32());
        Assert.Equal(0xFFFF_A000_0000_0000UL + 4242 * 0x1000, HexValue(live.GetProperty("process_key")));
        Assert.Equal(200, live.GetProperty("by_type").GetProperty("Event").GetInt32());
    }

    [Fact]
    public void Stats_modules_writes_bases_as_hex_strings()
    {
        JsonElement[] modules = Document("stats", TestPaths.Sample, "--modules", "--json").GetProperty("modules").EnumerateArray().ToArray();
        JsonElement exe = modules.Single(m => m.GetProperty("path").GetString()!.EndsWith("leakyhandles.exe", StringComparison.Ordinal));
        Assert.Equal(0x7FF6_1230_0000UL, HexValue(exe.GetProperty("base")));
        Assert.Equal(0x2_0000, exe.GetProperty("size").GetInt64());
        Assert.Equal(TraceScript.KernelBase, HexValue(modules[0].GetProperty("base")));
    }

    [Fact]
    public void Every_command_says_lossy_and_counts_the_loss()
    {
        var script = HandleScenarios.LeakyHandles(iterations: 20);
        script.LoseEvents();
        string path = Path.Combine(Path.GetTempPath(), $"handleetw-json-lossy-{Environment.ProcessId}.etl");
        script.WriteTo(path);
        try
        {
            foreach (string[] args in new[]
                     {
                         ["diff", path, "--json"], ["leaks", path, "--json"], ["misuse", path, "--json"],
                         ["history", path, "--pid", "4242", "--handle", "0x40", "--json"], ["stats", path, "--json"],
                         new[] { "stats", path, "--modules", "--json" },
                     })
            {
                JsonElement root = Document(args);
                Assert.True(root.GetProperty("lossy").GetBoolean(), string.Join(' ', args));
                Assert.True(root.GetProperty("damage").GetProperty("lost_events").GetInt64() > 0, string.Join(' ', args));
            }
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Hex_reads_back_what_it_writes_and_nothing_else()
    {
        foreach (ulong value in new[] { 0UL, 0x40UL, SecondObject, ulong.MaxValue })
        {
            string json = JsonSerializer.Serialize(new Hex(value));
            Assert.Equal(value, JsonSerializer.Deserialize<Hex>(json).Value);
        }
        foreach (string bad in new[] { "\"ffff\"", "\"0x\"", "\"0x10000000000000000\"", "\"0xg\"", "12" })
            Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Hex>(bad));
    }

    /// <summary>A command that gains --json must get a document here and a section in docs/json.md.</summary>
    [Fact]
    public void Every_command_with_json_is_documented_and_goes_through_the_contract()
    {
        string[] withJson = HandleEtw.Cli.Commands.CommandCatalog.All()
            .Where(c => c.Options.Any(o => o.Name == "--json")).Select(c => c.Name).ToArray();
        Assert.Equal(["record", "diff", "history", "leaks", "misuse", "compare", "stats"], withJson);
        string doc = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "docs", "json.md"));
        foreach (string name in withJson.Concat(["stats --modules", "stats --methods"]))
            Assert.Contains($"## `{name}`", doc);
        var writers = Directory.EnumerateFiles(Path.Combine(TestPaths.RepoRoot, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Where(f => File.ReadAllText(f).Contains("Utf8JsonWriter", StringComparison.Ordinal))
            .Select(f => Path.GetFileName(f)).Order().ToArray();
        Assert.Equal(["Hex.cs", "JsonContract.cs"], writers); // documents are records, never hand-written writer calls
    }
}
