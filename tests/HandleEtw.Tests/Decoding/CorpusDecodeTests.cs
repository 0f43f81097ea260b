using System.Globalization;
using HandleEtw.Core.Events;
using HandleEtw.Etl;
using HandleEtw.Etl.File;

namespace HandleEtw.Tests.Decoding;

/// <summary>
/// Decodes the PerfView net.4.5.2 traces end to end and compares with TraceEvent's baselines: per-kind counts, and
/// the payload fields of the first events of each kind (the baselines keep 5 per kind, values cut to 20 chars).
/// </summary>
public class CorpusDecodeTests
{
    private sealed class Collector : TraceConsumer
    {
        public List<ProcessEvent> Processes { get; } = new();
        public List<ImageEvent> Images { get; } = new();
        public List<ThreadEvent> Threads { get; } = new();
        public List<ImageIdentity> Identities { get; } = new();

        public override void OnProcess(in ProcessEvent e) => Processes.Add(e);
        public override void OnImage(in ImageEvent e) => Images.Add(e);
        public override void OnThread(in ThreadEvent e) => Threads.Add(e);
        public override void OnImageIdentity(in ImageIdentity e) => Identities.Add(e);
    }

    private static (Collector Events, PipelineResult Result, Baseline Baseline) Decode(string name)
    {
        var collector = new Collector();
        using var source = EtlFileSource.Open(TestPaths.Corpus($"perfview/{name}.etl"));
        PipelineResult result = TracePipeline.Run(source, collector);
        return (collector, result, Baseline.Load(TestPaths.Corpus($"perfview/{name}.baseline.txt")));
    }

    [Theory]
    [InlineData("net.4.5.2.x64")]
    [InlineData("net.4.5.2.x86")]
    public void CountsPerKind_EqualBaseline(string name)
    {
        var (events, result, baseline) = Decode(name);
        Assert.Equal(0, result.Counters.MalformedPayloads);
        Assert.Equal(baseline.Count("Windows Kernel/Process/DCStart"), events.Processes.Count(e => e.Op == ProcessOp.DCStart));
        Assert.Equal(baseline.Count("Windows Kernel/Process/DCStop"), events.Processes.Count(e => e.Op == ProcessOp.DCEnd));
        Assert.Equal(baseline.Count("Windows Kernel/Process/Start"), events.Processes.Count(e => e.Op == ProcessOp.Start));
        Assert.Equal(baseline.Count("Windows Kernel/Process/Stop"), events.Processes.Count(e => e.Op == ProcessOp.Stop));
        Assert.Equal(baseline.Count("Windows Kernel/Process/Defunct"), events.Processes.Count(e => e.Op == ProcessOp.Defunct));
        Assert.Equal(baseline.Count("Windows Kernel/Image/Load"), events.Images.Count(e => e.Op == ImageOp.Load));
        Assert.Equal(baseline.Count("Windows Kernel/Image/Unload"), events.Images.Count(e => e.Op == ImageOp.Unload));
        Assert.Equal(baseline.Count("Windows Kernel/Image/DCStart"), events.Images.Count(e => e.Op == ImageOp.DCStart));
        Assert.Equal(baseline.Count("Windows Kernel/Image/DCStop"), events.Images.Count(e => e.Op == ImageOp.DCEnd));
        Assert.Equal(baseline.Count("Windows Kernel/Thread/Start"), events.Threads.Count(e => e.Op == ThreadOp.Start));
        Assert.Equal(baseline.Count("Windows Kernel/Thread/Stop"), events.Threads.Count(e => e.Op == ThreadOp.Stop));
        Assert.Equal(baseline.Count("KernelTraceControl/ImageID/DbgID_RSDS"), events.Identities.Count);
    }

    [Theory]
    [InlineData("net.4.5.2.x64")]
    [InlineData("net.4.5.2.x86")]
    public void FirstEventsPayloadFields_EqualBaseline(string name)
    {
        var (events, _, baseline) = Decode(name);
        foreach (var (ops, kind) in new[] { (ProcessOp.DCStart, "DCStart"), (ProcessOp.Start, "Start") })
        {
            var expected = baseline.First($"Windows Kernel/Process/{kind}");
            var actual = events.Processes.Where(e => e.Op == ops).Take(expected.Count).ToList();
            Assert.Equal(expected.Count, actual.Count);
            for (int i = 0; i < expected.Count; i++)
            {
                Baseline.Fields f = expected[i];
                Assert.Equal(f.Int("ProcessID"), actual[i].ProcessId);
                Assert.Equal(f.Int("ParentID"), actual[i].ParentId);
                Assert.Equal(f.Int("ExitStatus"), actual[i].ExitStatus);
                Assert.Equal(f.Hex("UniqueProcessKey"), actual[i].UniqueProcessKey);
                f.AssertText("ImageFileName", actual[i].ImageFileName);
                f.AssertText("CommandLine", actual[i].CommandLine);
            }
        }

        var loads = baseline.First("Windows Kernel/Image/Load");
        var ourLoads = events.Images.Where(e => e.Op == ImageOp.Load).Take(loads.Count).ToList();
        for (int i = 0; i < loads.Count; i++)
        {
            Assert.Equal(loads[i].Hex("ImageBase"), ourLoads[i].ImageBase);
            Assert.Equal((ulong)loads[i].Long("ImageSize"), ourLoads[i].ImageSize);
            Assert.Equal((uint)loads[i].Long("ImageChecksum"), ourLoads[i].Checksum);
            Assert.Equal((uint)loads[i].Int("TimeDateStamp"), ourLoads[i].TimeDateStamp);
            // FileName is not compared: TraceEvent rewrites kernel device paths into drive-letter paths.
            Assert.NotEmpty(ourLoads[i].FileName);
        }

        var rsds = baseline.First("KernelTraceControl/ImageID/DbgID_RSDS");
        for (int i = 0; i < rsds.Count; i++)
        {
            Assert.Equal(rsds[i].Hex("ImageBase"), events.Identities[i].ImageBase);
            Assert.Equal(rsds[i].Int("Age"), events.Identities[i].PdbAge);
            rsds[i].AssertText("GuidSig", events.Identities[i].PdbGuid.ToString());
            rsds[i].AssertText("PDBFileName", events.Identities[i].PdbName);
        }
    }

    [Fact]
    public void StackJoin_AttachesAllButThreeLateStacks_AndResolvesEveryKey()
    {
        var (_, result, _) = Decode("net.4.5.2.x64");
        // 252 Stack and 9107 StackKey records. Every target exists in the file, but three stack records arrive
        // 5129, 4976 and 2068 events after their target: beyond the 2048-event window (TraceEvent's too), so orphans.
        Assert.Equal(3, result.Counters.OrphanStacks);
        Assert.Equal(0, result.Counters.UnresolvedStackKeys);
        Assert.Equal(1909 + 1012, result.Counters.StackKeyDefinitions);
        Assert.True(result.Counters.EventsWithStacks > 0);
    }

    /// <summary>The baseline's EVENT lines (first 5 per name) and COUNT lines.</summary>
    private sealed class Baseline
    {
        private readonly Dictionary<string, List<Fields>> _events = new();
        private readonly Dictionary<string, int> _counts = new();

        public static Baseline Load(string path)
        {
            var b = new Baseline();
            foreach (string line in File.ReadLines(path))
            {
                if (line.StartsWith("COUNT ", StringComparison.Ordinal))
                {
                    int colon = line.LastIndexOf(':');
                    b._counts[line[6..colon]] = int.Parse(line[(colon + 1)..], CultureInfo.InvariantCulture);
                }
                else if (line.StartsWith("EVENT ", StringComparison.Ordinal))
                {
                    int nameStart = line.IndexOf(": ", StringComparison.Ordinal) + 2;
                    int nameEnd = line.IndexOf(' ', nameStart);
                    string name = line[nameStart..nameEnd];
                    var fields = new Fields(line[(nameEnd + 1)..].Split("; ", StringSplitOptions.RemoveEmptyEntries)
                        .Select(kv => kv.Split('=', 2)).Where(kv => kv.Length == 2)
                        .GroupBy(kv => kv[0]).ToDictionary(g => g.Key, g => g.First()[1].TrimEnd(';')));
                    if (!b._events.TryGetValue(name, out var list)) b._events[name] = list = new();
                    list.Add(fields);
                }
            }
            return b;
        }

        public int Count(string name) => _counts.GetValueOrDefault(name);

        public List<Fields> First(string name) => _events.GetValueOrDefault(name) ?? new();

        public sealed class Fields(Dictionary<string, string> values)
        {
            public int Int(string key) => (int)Long(key);
            public long Long(string key) => long.Parse(values[key].Replace(",", ""), CultureInfo.InvariantCulture);
            public ulong Hex(string key) => ulong.Parse(values[key].AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);

            /// <summary>Text values are cut to 20 characters followed by "...".</summary>
            public void AssertText(string key, string actual)
            {
                string expected = values[key];
                if (expected.EndsWith("...", StringComparison.Ordinal) && expected.Length == 23)
                    Assert.StartsWith(expected[..20], actual, StringComparison.Ordinal);
                else
                    Assert.Equal(expected, actual);
            }
        }
    }
}
