using System.Text.Json;
using HandleEtw.Etl.File;
using HandleEtw.Etl.Statistics;
using HandleEtw.Tests.Cli;

namespace HandleEtw.Tests.Etl;

public class StatsCommandTests
{
    [Fact]
    public void Json_has_every_field_and_the_corpus_counts()
    {
        var (code, output, error) = CliSmokeTests.Run("stats", TestPaths.Corpus("perfview/net.4.5.2.x64.etl"), "--json");
        // Everything is printed, then the missing handle events are said (the corpus has none).
        Assert.Equal(HandleEtw.Cli.ExitCodes.NoHandleEvents, code);
        Assert.Contains("no Object handle events", error);
        using var json = JsonDocument.Parse(output);
        JsonElement root = json.RootElement;
        foreach (string field in new[] { "schema_version", "lossy", "damage", "events", "by_kind", "stacks", "start_utc",
                     "end_utc", "pointer_size", "cpus", "buffers", "compressed_buffers", "os_version", "os_build", "session" })
            Assert.True(root.TryGetProperty(field, out _), field);
        foreach (string field in new[] { "lost_events", "lost_buffers", "damaged_buffers", "damaged_bytes", "skipped_records" })
            Assert.True(root.GetProperty("damage").TryGetProperty(field, out _), field);
        Assert.Equal(179_474, root.GetProperty("events").GetInt64());
        Assert.Equal(360, root.GetProperty("buffers").GetInt64());
        Assert.Equal(359, root.GetProperty("compressed_buffers").GetInt64());
        Assert.Equal(8, root.GetProperty("cpus").GetInt32());
        Assert.Equal(9200, root.GetProperty("os_build").GetInt32());
        Assert.Equal("Relogger", root.GetProperty("session").GetString());
        JsonElement kinds = root.GetProperty("by_kind");
        Assert.Equal(252, kinds.GetProperty("StackWalk/Stack").GetInt64());
        Assert.Equal(1763, kinds.GetProperty("Image/DCStart").GetInt64());
        Assert.Equal(3534, kinds.GetProperty("KernelTraceControl/ImageID/DbgID_RSDS").GetInt64());
        Assert.Equal(root.GetProperty("events").GetInt64(), kinds.EnumerateObject().Sum(p => p.Value.GetInt64()));
    }

    [Fact]
    public void Text_lists_kinds_and_losses()
    {
        var (code, output, _) = CliSmokeTests.Run("stats", TestPaths.Corpus("etl-parser/AMSITrace.etl"));
        Assert.Equal(HandleEtw.Cli.ExitCodes.NoHandleEvents, code);
        Assert.Contains("AMSITraceSession", output);
        Assert.Contains("3 events", output);
        Assert.Contains("8e805eb3-6a8f-4a1e-90fa-a831d94e54a1/0", output);
    }

    [Fact]
    public void Missing_file_is_one_line_and_non_zero()
    {
        var (code, output, error) = CliSmokeTests.Run("stats", "/nonexistent/trace.etl");
        Assert.NotEqual(0, code);
        Assert.Equal("", output);
        Assert.Single(error.Trim().Split('\n'));
        Assert.Contains("trace.etl", error);
    }

    [Fact]
    public void Non_etl_and_empty_files_are_one_line_format_errors()
    {
        foreach (string file in new[] { "perfview/gcevents.baseline.txt", "etwanalyzer/EmptyETL.etl" })
        {
            var (code, output, error) = CliSmokeTests.Run("stats", TestPaths.Corpus(file));
            Assert.Equal(3, code);
            Assert.Equal("", output);
            Assert.Single(error.Trim().Split('\n'));
            Assert.Contains(Path.GetFileName(file), error);
        }
    }

    [Fact]
    public void Record_statistics_count_kernel_and_provider_kinds()
    {
        using var source = EtlFileSource.Open(TestPaths.Corpus("etl-parser/ShutdownPerfDiagLogger.etl"));
        var stats = new RecordStatistics();
        source.Read(stats);
        Assert.Equal(17_078, stats.Events);
        Assert.Equal(6745, stats.Count("Image/DCStart"));
        Assert.Equal(72, stats.Count("Image/Load"));
        Assert.Equal(stats.Events, stats.ByKind().Values.Sum());
    }
}
