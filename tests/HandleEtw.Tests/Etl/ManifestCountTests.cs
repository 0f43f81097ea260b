namespace HandleEtw.Tests.Etl;

/// <summary>Counts MANIFEST.md (and etl-format.md §5.1) gives for the corpus files, from independent surveys.</summary>
public class ManifestCountTests
{
    [Theory]
    [InlineData("etl-parser/ShutdownPerfDiagLogger.etl",
        "Image/DCStart=6745 Image/DCStop=2145 Image/Unload=4791 Image/Load=72 Thread/DCStart=1175 Thread/DCStop=501 " +
        "Thread/Start=350 Thread/Stop=1032 Process/DCStart=94 Process/DCStop=37 Process/Stop=60 Process/Terminate=60 Process/Defunct=5")]
    [InlineData("perfview/net.4.5.2.x64.etl",
        "StackWalk/Stack=252 StackWalk/StackKeyKernel=2061 StackWalk/StackKeyUser=7046 StackWalk/KeyDelete=1909 " +
        "StackWalk/KeyRundown=1012 PerfInfo/Sample=79528 KernelTraceControl/ImageID=3590 " +
        "KernelTraceControl/ImageID/DbgID_RSDS=3534 KernelTraceControl/ImageID/FileVersion=705")]
    [InlineData("perfview/net.4.5.2.x86.etl",
        "StackWalk/Stack=229 StackWalk/StackKeyKernel=3640 StackWalk/StackKeyUser=8532 StackWalk/KeyDelete=3049 StackWalk/KeyRundown=1024")]
    [InlineData("perfview/diaghub-dotnetcore3.1-win-x64-diagsession/diaghub.kernel.1.etl",
        "Process/Start=18 Process/Stop=3 Process/DCStart=223 Process/DCStop=223 Process/Defunct=9 " +
        "Image/Load=87 Image/Unload=143 Image/DCStart=187 Image/DCStop=15017")]
    [InlineData("etwanalyzer/TraceLoggingTester.etl",
        "Image/DCStop=23367 Thread/DCStop=6719 Process/DCStop=360 Process/Defunct=126")]
    [InlineData("etl-parser/AMSITrace.etl", "8e805eb3-6a8f-4a1e-90fa-a831d94e54a1/0=19")]
    [InlineData("etl-parser/lxcore_kernel.etl", "0cd1c309-0878-4515-83db-749843b3f5c9/0=2")]
    [InlineData("perfview/primitive-types.etl", "d3dd3dd4-aac2-4e2a-8dd4-a8fb61b77615/0=5")]
    public void Kind_counts_equal_the_manifest(string file, string expected)
    {
        var (_, entries) = RecordLog.Read(TestPaths.Corpus(file));
        var ours = entries.GroupBy(e => e.Kind).ToDictionary(g => g.Key, g => g.Count());
        foreach (string pair in expected.Split(' '))
        {
            string[] kv = pair.Split('=');
            Assert.True(ours.GetValueOrDefault(kv[0]) == int.Parse(kv[1]), $"{kv[0]}: expected {kv[1]}, reader {ours.GetValueOrDefault(kv[0])}");
        }
    }

    [Theory]
    [InlineData("perfview/diaghub-dotnetcore3.1-win-x64-diagsession/diaghub.etl", "", 62_378)]
    [InlineData("perfview/diaghub-dotnetcore3.1-win-x64-diagsession/diaghub.user_paged.1.etl", "", 22_034)]
    [InlineData("perfview/diaghub-dotnetcore3.1-win-x64-diagsession/diaghub.user_injected.1.etl", "", 3)]
    [InlineData("perfview/gcevents.etl", "Microsoft-Windows-DotNETRuntime/", 69)]
    [InlineData("perfview/gcrundownevents.etl", "Microsoft-Windows-DotNETRuntimeRundown/", 110)]
    public void Provider_totals_equal_the_manifest(string file, string kindPrefix, int expected)
    {
        var (_, entries) = RecordLog.Read(TestPaths.Corpus(file));
        int count = entries.Count(e => e.Kind != "EventTrace" && e.Kind.StartsWith(kindPrefix, StringComparison.Ordinal)
            && !e.Kind.StartsWith("EventTrace/", StringComparison.Ordinal));
        Assert.Equal(expected, count);
    }

    [Fact]
    public void Header_events_lost_is_reported()
    {
        var (info, _) = RecordLog.Read(TestPaths.Corpus("etl-parser/AMSITrace.etl"));
        Assert.Equal(3, info.EventsLost);
        Assert.True(info.Lossy);
    }
}
