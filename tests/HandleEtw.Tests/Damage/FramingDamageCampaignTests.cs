using System.Diagnostics;
using System.Text.Json.Nodes;
using HandleEtw.Cli;
using HandleEtw.Tests.Synthetic;
using Xunit.Abstractions;

namespace HandleEtw.Tests.Damage;

/// <summary>
/// A seeded campaign of framing damage over the scenario traces (every scenario, plain, compressed, and 4 processors
/// with cached stacks). For every mutant: no crash, no hang, at most one line on stderr, and either the original's
/// answers (leaks, diff, misuse) or answers that say `lossy: true`.
/// </summary>
public class FramingDamageCampaignTests(ITestOutputHelper output)
{
    private const int MutantsPerTrace = 24;
    private static readonly string[][] Commands = [["leaks", "--json"], ["diff", "--json"], ["misuse", "--json"]];
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    [Fact]
    public void Every_mutant_gives_the_same_answer_or_says_it_is_lossy()
    {
        var counts = new CampaignCounts();
        var failures = new List<string>();
        string directory = Directory.CreateTempSubdirectory("handleetw-damage-").FullName;
        var watch = Stopwatch.StartNew();
        try
        {
            foreach (object[] row in ScenarioTests.Cases())
            {
                string name = (string)row[0];
                int variant = (int)row[1];
                byte[] trace = ScenarioTests.Build(name, variant).ToBytes();
                string path = Path.Combine(directory, $"{name}-{variant}.etl");
                File.WriteAllBytes(path, trace);
                Answer original = Answer.Of(path);
                Assert.True(original.Code == 0, $"{name}/{variant}: the original must read: {original.Error}");
                if (original.Lossy) continue; // a scenario of lost events: every mutant is lossy already

                var random = new Random(19 * 1000 + variant * 100 + name.Sum(c => c)); // string hashes vary per process
                Mutate($"{name}/{variant}", trace, original, path, random, MutantsPerTrace, counts, failures);
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
        output.WriteLine($"{counts} in {watch.Elapsed.TotalSeconds:F1} s");
        Assert.True(failures.Count == 0, $"{failures.Count} of {counts.Mutants} mutants failed:\n" + string.Join("\n", failures.Take(25)));
    }

    /// <summary>The scenarios fit in a few buffers, so they are read on demand; these traces (a few thousand events
    /// with cached stacks from a 16-key cache, in 4 KB buffers) are read with read-ahead, on 4 streams and on 12
    /// (the heap merge).</summary>
    [Theory]
    [InlineData(false, 4)]
    [InlineData(true, 4)]
    [InlineData(true, 12)]
    public void Every_mutant_of_a_many_buffer_trace_gives_the_same_answer_or_says_it_is_lossy(bool compress, int processors)
    {
        var counts = new CampaignCounts();
        var failures = new List<string>();
        using var folder = new Parquet.TempDir();
        string path = Path.Combine(folder.Path, "scale.etl");
        byte[] trace = ReadAheadDamageTests.ManyBufferTrace(compress, processors);
        File.WriteAllBytes(path, trace);
        Answer original = Answer.Of(path);
        Assert.True(original.Code == 0 && !original.Lossy, $"the original must read clean: {original.Error}");
        Mutate($"scale/{compress}/{processors}", trace, original, path, new Random(26 + processors), MutantsPerTrace, counts, failures);
        output.WriteLine(counts.ToString());
        Assert.True(counts.Lossy > 0, "no mutant was lossy");
        Assert.True(failures.Count == 0, $"{failures.Count} of {counts.Mutants} mutants failed:\n" + string.Join("\n", failures.Take(25)));
    }

    private static void Mutate(string name, byte[] trace, Answer original, string path, Random random, int mutants,
        CampaignCounts counts, List<string> failures)
    {
        var mutator = new FramingMutator(trace);
        for (int run = 0; run < mutants; run++)
        {
            byte[] mutant = mutator.Mutate(random, out string what);
            File.WriteAllBytes(path, mutant);
            string? failure = Check(original, Answer.Of(path), counts);
            if (failure != null) failures.Add($"{name} run {run} ({what}): {failure}");
        }
    }

    private static string CliStats(string path)
    {
        var stdout = new StringWriter();
        Program.Run(["stats", path], stdout, new StringWriter());
        return stdout.ToString();
    }

    private static string? Check(Answer original, Answer mutant, CampaignCounts counts)
    {
        counts.Mutants++;
        if (mutant.Code != 0)
        {
            counts.Errors++;
            // Damage that leaves no handle event readable is refused like a bad file, never answered as clean.
            if (mutant.Code is not (ExitCodes.FormatError or ExitCodes.NoHandleEvents)) return $"rc {mutant.Code}: {mutant.Error}";
            if (mutant.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length != 1) return $"not one line: {mutant.Error}";
            return null;
        }
        if (mutant.Lossy)
        {
            counts.Lossy++;
            return null;
        }
        if (mutant.Text == original.Text)
        {
            counts.Same++;
            return null;
        }
        return "a different answer with lossy false";
    }

    private sealed class CampaignCounts
    {
        public int Mutants, Same, Lossy, Errors;
        public override string ToString() => $"{Mutants} mutants: {Same} same answer, {Lossy} lossy, {Errors} one-line errors";
    }

    /// <summary>What the three analyses answer for one file (JSON without lossy and damage), or the error.</summary>
    private sealed record Answer(int Code, bool Lossy, string Text, string Error)
    {
        public static Answer Of(string path)
        {
            var text = new System.Text.StringBuilder();
            bool lossy = false;
            foreach (string[] command in Commands)
            {
                var (code, stdout, stderr) = RunGuarded([command[0], path, .. command[1..]]);
                bool warningsOnly = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).All(l => l.StartsWith("warning: ", StringComparison.Ordinal));
                if (code != 0 || !warningsOnly) return new Answer(code, false, "", stderr.Trim());
                JsonObject json = JsonNode.Parse(stdout)!.AsObject();
                lossy |= json["lossy"]!.GetValue<bool>();
                json.Remove("lossy");
                json.Remove("damage"); // the counts behind lossy; the answer is the rest
                text.AppendLine(json.ToJsonString());
            }
            return new Answer(0, lossy, text.ToString(), "");
        }

        private static (int Code, string Out, string Err) RunGuarded(string[] args)
        {
            var run = Task.Run(() =>
            {
                var stdout = new StringWriter();
                var stderr = new StringWriter();
                int code = Program.Run(args, stdout, stderr);
                return (code, stdout.ToString(), stderr.ToString());
            });
            if (!run.Wait(HangGuard)) throw new TimeoutException($"{string.Join(' ', args)} did not finish in {HangGuard}");
            return run.Result;
        }
    }
}
