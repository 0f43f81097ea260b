using System.Diagnostics;
using HandleEtw.Cli;
using HandleEtw.Parquet;
using HandleEtw.Synthetic.Scale;
using HandleEtw.Tests.Cli;
using HandleEtw.Tests.Parquet;
using HandleEtw.Tests.Synthetic;

namespace HandleEtw.Tests.Damage;

/// <summary>An output directory is always one trace's tables, complete or marked partial; never a mix.</summary>
public class OutputDirectoryTests
{

    [Fact]
    public void A_second_conversion_into_a_locked_directory_fails_in_one_line_and_writes_nothing()
    {
        using var dir = new TempDir();
        using (OutputLock.Acquire(dir.Path))
        {
            var (code, output, error) = CliSmokeTests.Run("convert", TestPaths.Sample, "-o", dir.Path);
            Assert.Equal(ExitCodes.Failure, code);
            Assert.Equal("", output);
            Assert.Single(error.Trim().Split('\n'));
            Assert.Contains("another conversion is writing there", error);
            Assert.Empty(Directory.GetFiles(dir.Path, "*.parquet*"));
        }
        Assert.Equal(0, CliSmokeTests.Run("convert", TestPaths.Sample, "-o", dir.Path).Code);
        Assert.True(File.Exists(Path.Combine(dir.Path, "meta.parquet")));
    }

    [Fact]
    public void Converting_again_replaces_the_whole_set_including_symbols()
    {
        using var dir = new TempDir();
        Assert.Equal(0, CliSmokeTests.Run("convert", TestPaths.Sample, "-o", dir.Path).Code);
        string symbols = Path.Combine(dir.Path, "symbols.parquet");
        File.WriteAllText(symbols, "a previous trace's symbols");
        File.WriteAllText(Path.Combine(dir.Path, "events.parquet.tmp"), "left by a killed conversion");
        Assert.Equal(0, CliSmokeTests.Run("convert", TestPaths.Sample, "-o", dir.Path).Code);
        Assert.False(File.Exists(symbols));
        Assert.False(File.Exists(Path.Combine(dir.Path, "events.parquet.tmp")));
        using var db = new DuckDb();
        db.BindTables(dir.Path);
        Assert.False((bool)db.Scalar("SELECT partial FROM meta")!);
    }

    [Fact]
    public void Two_traces_of_one_host_and_day_keep_their_own_partitions()
    {
        using var dir = new TempDir();
        string first = Path.Combine(dir.Path, "before.etl"), second = Path.Combine(dir.Path, "after.etl");
        File.WriteAllBytes(first, ScenarioTests.Build("LeakyHandles", 0).ToBytes());
        var later = HandleEtw.Synthetic.Scenarios.HandleScenarios.LeakyHandles(iterations: 20, options: new()
        {
            Writer = new HandleEtw.Synthetic.Etl.EtlWriterOptions { StartUtc = new DateTime(2024, 3, 1, 15, 0, 0, DateTimeKind.Utc) },
        });
        File.WriteAllBytes(second, later.ToBytes());
        string root = Path.Combine(dir.Path, "fleet");
        foreach (string trace in new[] { first, second, first })
            Assert.Equal(0, CliSmokeTests.Run("convert", trace, "-o", root, "--partition", "--host", "box").Code);
        string[] partitions = Directory.GetDirectories(Path.Combine(root, "host=box", "date=2024-03-01"), "trace=*");
        Assert.Equal(2, partitions.Length);
        using var db = new DuckDb();
        string glob = Path.Combine(root, "*", "*", "*", "meta.parquet");
        Assert.Equal(2, db.Count($"SELECT count(*) FROM read_parquet('{glob}', hive_partitioning = true) WHERE host = 'box'"));
    }

    [Fact]
    public async Task Sigterm_during_convert_leaves_readable_tables_marked_partial()
    {
        if (OperatingSystem.IsWindows()) return; // SIGTERM is a Unix signal; Ctrl+C is covered by the cancel tests
        using var dir = new TempDir();
        string trace = Path.Combine(dir.Path, "big.etl");
        using (var file = File.Create(trace)) new ScaleGenerator(new ScaleOptions { Events = 3_000_000 }).Write(file);
        string output = Path.Combine(dir.Path, "out");
        using Process child = StartCli("convert", trace, "-o", output);
        Task<string> stderr = child.StandardError.ReadToEndAsync();
        var deadline = Stopwatch.StartNew();
        // Stop once the first row group is on disk (the file holds more than its 4-byte magic), however slow the machine.
        string events = Path.Combine(output, "events.parquet.tmp");
        while (!(File.Exists(events) && new FileInfo(events).Length > 4) && deadline.Elapsed < TimeSpan.FromSeconds(60))
            Thread.Sleep(20);
        Assert.False(child.HasExited, "the conversion ran long enough to be stopped");
        Process.Start("kill", ["-TERM", child.Id.ToString()]).WaitForExit();
        Assert.True(child.WaitForExit(60_000));
        Assert.Equal(ExitCodes.Cancelled, child.ExitCode);
        Assert.Contains("meta.partial = true", await stderr);
        Assert.Empty(Directory.GetFiles(output, "*.tmp"));
        using var db = new DuckDb();
        db.BindTables(output);
        Assert.True((bool)db.Scalar("SELECT partial FROM meta")!);
        Assert.True(db.Count("SELECT count(*) FROM events") > 0);
    }

    [Fact]
    public void Unwritable_standard_output_is_an_error()
    {
        if (!File.Exists("/dev/full")) return; // Linux only
        var start = new ProcessStartInfo("sh") { UseShellExecute = false, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add($"dotnet \"{Dll}\" stats \"{TestPaths.Sample}\" --json > /dev/full");
        using Process full = Process.Start(start)!;
        string error = full.StandardError.ReadToEnd();
        Assert.True(full.WaitForExit(120_000));
        Assert.Equal(ExitCodes.Failure, full.ExitCode);
        Assert.Single(error.Trim().Split('\n'));
        Assert.Contains("cannot write the output", error);
    }

    [Fact]
    public async Task A_fifo_or_a_directory_as_input_is_refused_in_one_line()
    {
        using var dir = new TempDir();
        var (dirCode, _, dirError) = CliSmokeTests.Run("stats", dir.Path);
        Assert.Equal(ExitCodes.ArgumentError, dirCode);
        Assert.Contains("is a directory", dirError);
        if (OperatingSystem.IsWindows()) return;
        string fifo = Path.Combine(dir.Path, "pipe.etl");
        Process.Start("mkfifo", [fifo]).WaitForExit();
        foreach (string command in new[] { "stats", "leaks", "convert" })
        {
            var run = Task.Run(() => command == "convert"
                ? CliSmokeTests.Run(command, fifo, "-o", Path.Combine(dir.Path, "out"))
                : CliSmokeTests.Run(command, fifo));
            Assert.True(await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(30))) == run, $"{command} on a FIFO returned");
            var (code, _, error) = await run;
            Assert.Equal(ExitCodes.ArgumentError, code);
            Assert.Single(error.Trim().Split('\n'));
            Assert.Contains("not a regular file", error);
        }
    }

    private static string Dll => Path.Combine(AppContext.BaseDirectory, "handleetw.dll");

    private static Process StartCli(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Dll);
        foreach (string arg in args) start.ArgumentList.Add(arg);
        return Process.Start(start)!;
    }
}
