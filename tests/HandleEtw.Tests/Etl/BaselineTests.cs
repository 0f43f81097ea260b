using System.Globalization;
using HandleEtw.Core.Records;

namespace HandleEtw.Tests.Etl;

/// <summary>
/// The reader against TraceEvent's own decoding (perfview GeneralParsing baselines): counts, first events and the
/// trace header. TraceLog drops idle CPU samples and bookkeeping events, so PerfInfo/Sample is not compared by count.
/// </summary>
public class BaselineTests
{
    private const double ToleranceMs = 0.0005 + 1e-9; // "n3" rounds midpoints away from zero
    private const string Kernel = "Windows Kernel/";
    private const string Control = "KernelTraceControl/";

    public static TheoryData<string> Baselines() =>
        ["net.4.5.2.x64", "net.4.5.2.x86", "gcevents", "gcrundownevents", "primitive-types"];

    [Theory]
    [MemberData(nameof(Baselines))]
    public void Kernel_counts_equal_the_baseline(string name)
    {
        var (baseline, _, entries) = Load(name);
        var ours = entries.GroupBy(e => e.Kind).ToDictionary(g => g.Key, g => (long)g.Count());
        int compared = 0;
        foreach (var (kind, count) in baseline.Counts)
        {
            string? mine = OurKind(kind);
            if (mine is null || mine == "PerfInfo/Sample") continue;
            Assert.True(ours.GetValueOrDefault(mine) == count, $"{kind}: baseline {count}, reader {ours.GetValueOrDefault(mine)}");
            compared++;
        }
        Assert.True(compared >= 1);
    }

    [Theory]
    [MemberData(nameof(Baselines))]
    public void First_events_match_time_cpu_length_and_ids(string name)
    {
        var (baseline, info, entries) = Load(name);
        var byKind = entries.GroupBy(e => e.Kind).ToDictionary(g => g.Key, g => g.ToList());
        var seen = new Dictionary<string, int>();
        foreach (BaselineEvent ev in baseline.Events)
        {
            string? kind = OurKind(ev.Name);
            if (kind == "PerfInfo/Sample" || ev.Name.StartsWith("MSNT_SystemTrace/", StringComparison.Ordinal)) continue;
            if (kind is null)
            {
                // Manifest/TraceLogging events: our kinds are provider/id, so find the record by time and ids.
                Assert.True(entries.Exists(e => Matches(ev, info, e, checkIds: true)),
                    $"{ev.Name} at {ev.RelativeMs} ms cpu {ev.Fields["ProceNum"]} len {ev.Fields["DataLen"]} not found");
                continue;
            }
            int n = seen[kind] = seen.GetValueOrDefault(kind) + 1;
            Assert.True(byKind.TryGetValue(kind, out var list) && list.Count >= n, $"{ev.Name} #{n} missing");
            // TraceEvent takes PID/TID from the payload for most kernel events; the header ones are compared here.
            bool ids = kind is "EventTrace" or "Image/Load";
            var entry = list![n - 1];
            Assert.True(Matches(ev, info, entry, ids), $"{ev.Name} #{n} at {ev.RelativeMs} ms: reader has {Describe(info, entry)}");
        }
    }

    [Theory]
    [MemberData(nameof(Baselines))]
    public void Header_fields_equal_the_baseline_event_trace_line(string name)
    {
        var (baseline, info, _) = Load(name);
        BaselineEvent header = baseline.Events.First(e => e.Name == "Windows Kernel/EventTrace");
        Assert.Equal(header.Number("BufferSize"), info.BufferSize);
        long version = header.Number("Version");
        Assert.Equal(new Version((int)(version & 0xFF), (int)((version >> 8) & 0xFF)), info.OsVersion);
        Assert.Equal(header.Number("ProviderVersion"), info.OsBuild);
        Assert.Equal(header.Number("NumberOfProcessors"), info.Processors);
        Assert.Equal(header.Number("LogFileMode"), info.LogFileMode);
        Assert.Equal(header.Number("PointerSize"), info.PointerSize);
        Assert.Equal(header.Number("EventsLost"), info.EventsLost);
        Assert.Equal(header.Number("PerfFreq"), info.ClockFrequency);
        Assert.Equal(header.Number("ReservedFlags"), info.ClockType);
        Assert.Equal(header.Number("BuffersLost"), info.BuffersLost);
        Assert.StartsWith(Untruncated(header.Fields["SessionName"]), info.SessionName);
        Assert.StartsWith(Untruncated(header.Fields["StartTime"]), Format(info.StartUtc));
        Assert.StartsWith(Untruncated(header.Fields["EndTime"]), Format(info.EndUtc));
        Assert.Equal(header.Number("BuffersWritten"), info.Buffers);
    }

    /// <summary>Baseline values longer than 20 characters are cut and end in "...".</summary>
    private static string Untruncated(string value) => value.EndsWith("...", StringComparison.Ordinal) ? value[..^3] : value;

    private static string Format(DateTime utc) => utc.ToString("yy/MM/dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture);

    /// <summary>Baseline event name → our kind name, for the kernel and KernelTraceControl kinds; null for others.</summary>
    internal static string? OurKind(string baselineName)
    {
        if (baselineName.StartsWith(Kernel, StringComparison.Ordinal)) return baselineName[Kernel.Length..];
        if (baselineName.StartsWith(Control, StringComparison.Ordinal)) return baselineName;
        return null;
    }

    private static bool Matches(BaselineEvent ev, TraceInfo info, RecordLog.Entry e, bool checkIds) =>
        Math.Abs(RelativeMs(info, e) - ev.RelativeMs) <= ToleranceMs
        && e.Cpu == ev.Number("ProceNum")
        && e.DataLen == ev.Number("DataLen")
        && (!checkIds || (e.Pid == ev.Number("PID") && e.Tid == ev.Number("TID")));

    private static double RelativeMs(TraceInfo info, RecordLog.Entry e) => info.ToRelativeNanoseconds(e.Timestamp) / 1e6;

    private static string Describe(TraceInfo info, RecordLog.Entry e) =>
        $"{RelativeMs(info, e):F4} ms cpu {e.Cpu} len {e.DataLen} pid {e.Pid} tid {e.Tid}";

    private static (Baseline, TraceInfo, List<RecordLog.Entry>) Load(string name)
    {
        var baseline = Baseline.Load(TestPaths.Corpus($"perfview/{name}.baseline.txt"));
        var (info, entries) = RecordLog.Read(TestPaths.Corpus($"perfview/{name}.etl"));
        return (baseline, info, entries);
    }
}
