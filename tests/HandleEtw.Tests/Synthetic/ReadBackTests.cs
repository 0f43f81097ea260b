using HandleEtw.Core.Records;
using HandleEtw.Etl.File;
using HandleEtw.Synthetic.Etl;
using HandleEtw.Synthetic.Scenarios;

namespace HandleEtw.Tests.Synthetic;

/// <summary>Every scenario, in every layout, reads back through the product's .etl reader.</summary>
public class ReadBackTests
{
    public static TheoryData<string, int> Cases() => ScenarioTests.Cases();

    [Theory]
    [MemberData(nameof(Cases))]
    public void ScenarioReadsBackThroughEtlFileSource(string name, int variant)
    {
        TraceScript script = ScenarioTests.Build(name, variant);
        using var stream = new MemoryStream(script.ToBytes());
        using EtlFileSource source = EtlFileSource.Open(stream, name);
        var sink = new CountingSink(script);
        source.Read(sink);

        RecordCounts counts = script.Facts.Records!;
        Assert.Equal(counts.Total, sink.Total);
        foreach ((ushort hook, long count) in counts.ByHook)
            Assert.Equal(count, sink.ByHook.GetValueOrDefault(hook));
        Assert.Equal(script.Options.Writer.Processors, source.Info.Processors);
        Assert.Equal(script.Options.Writer.StartUtc, source.Info.StartUtc);
        Assert.Equal(script.Options.Writer.Compress, source.Info.CompressedBuffers > 0);
        Assert.Empty(sink.Problems);
        Assert.Equal(counts.Header(RecordHeaderType.System32) + counts.Header(RecordHeaderType.Compact32) + counts.Header(RecordHeaderType.PerfInfo32),
            sink.NarrowRecords);
        Assert.Equal(name == "Wow64Process", sink.NarrowRecords > 0);
    }

    private sealed class CountingSink(TraceScript script) : IRecordSink
    {
        private long _last = long.MinValue;

        public long Total { get; private set; }
        public Dictionary<ushort, long> ByHook { get; } = [];
        public List<string> Problems { get; } = [];

        public void OnRecord(in EventRecord record)
        {
            if (record.Group == KernelGroup.Header && record.Opcode == 0) return; // the EventTrace header event
            Total++;
            if (record.IsKernel)
            {
                ushort hook = (ushort)((ushort)record.Group << 8 | record.Opcode);
                if (hook == 0x140A) hook = Hooks.ImageLoad; // the reader may report Image/Load under the Image group
                ByHook[hook] = ByHook.GetValueOrDefault(hook) + 1;
            }
            if (record.Timestamp < _last) Problems.Add($"time goes back at {record.Timestamp}");
            _last = record.Timestamp;
            if (record.PointerSize == 4) NarrowRecords++;
            int pid = record.ProcessId;
            bool narrowProcess = script.Processes.Any(p => p.Pid == pid && p.PointerSize == 4);
            if (record.Header is HeaderKind.System or HeaderKind.Compact && record.PointerSize != (narrowProcess ? 4 : 8))
                Problems.Add($"pointer size {record.PointerSize} for {record.Group}/{record.Opcode} of pid {record.ProcessId}");
        }

        public long NarrowRecords { get; private set; }
    }
}
