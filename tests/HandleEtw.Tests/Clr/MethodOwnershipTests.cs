using HandleEtw.Core.Events;
using HandleEtw.Core.Records;
using HandleEtw.Core.Stacks;
using HandleEtw.Etl;
using HandleEtw.Etl.Decoding;
using HandleEtw.Etl.File;

namespace HandleEtw.Tests.Clr;

/// <summary>
/// Whose are the 290 MethodLoadVerbose events of net.4.5.2.x64.etl? The baseline counts them for the whole trace; a
/// method event's payload names no process, so the header's pid is the only owner, and everything else in the records
/// agrees with it: 288 are Test.x64's (pid 3676) and 2 are PerfView's own JIT (pid 3988), logged after Test.x64 had
/// exited. The CLR rundown is logged by each runtime for itself, and only PerfView's ran (at the stop, after
/// Test.x64's exit), so no event names a method of 3676 on its behalf.
/// </summary>
public class MethodOwnershipTests
{
    private sealed record Load(int Pid, byte PointerSize, ushort ClrInstance, ulong ModuleId, ulong Start, long Time);

    private sealed class Collector : TraceConsumer, IRecordSink
    {
        public List<Load> Loads { get; } = [];
        public List<(int Pid, byte PointerSize)> RundownRecords { get; } = [];
        public List<MethodEvent> RundownMethods { get; } = [];
        public List<ClrModuleEvent> Modules { get; } = [];
        public long TestExit { get; private set; } = long.MaxValue;
        /// <summary>The raw record: its header's pid and pointer size beside the decoded payload.</summary>
        public void OnRecord(in EventRecord r)
        {
            if (r.ProviderId == ClrPayloads.RundownProvider) RundownRecords.Add((r.ProcessId, r.PointerSize));
            if (ClrPayloads.Classify(r) == ClrPayloads.Kind.Method && ClrPayloads.TryReadMethod(r, out MethodEvent e) && e.Op == MethodOp.Load)
                Loads.Add(new Load(r.ProcessId, r.PointerSize, e.ClrInstanceId, e.ModuleId, e.Start, e.Timestamp));
        }

        public override void OnMethod(in MethodEvent e)
        {
            if (e.Op == MethodOp.DCEnd) RundownMethods.Add(e);
        }

        public override void OnClrModule(in ClrModuleEvent e) => Modules.Add(e);

        public override void OnProcess(in ProcessEvent e)
        {
            if (e.Op == ProcessOp.Stop && e.ProcessId == 3676) TestExit = e.Timestamp;
        }
    }

    private static Collector Read()
    {
        var collector = new Collector();
        using var source = EtlFileSource.Open(TestPaths.Corpus("perfview/net.4.5.2.x64.etl"));
        TracePipeline.Run(source, collector, new StackTable(), inline: true, rawRecords: collector);
        return collector;
    }

    [Fact]
    public void Two_loads_of_the_290_are_PerfViews_own_jit_not_the_test_programs()
    {
        Collector c = Read();
        Assert.Equal(290, c.Loads.Count);
        List<Load> test = c.Loads.Where(l => l.Pid == 3676).ToList();
        List<Load> other = c.Loads.Where(l => l.Pid != 3676).ToList();
        Assert.Equal(288, test.Count);
        Assert.Equal(2, other.Count);
        Assert.All(other, l => Assert.Equal(3988, l.Pid));

        // Test.x64 is a 64-bit process, CLR instance 9; PerfView a 32-bit one, CLR instance 11 (its rundown's).
        Assert.All(test, l => Assert.Equal((8, 9), (l.PointerSize, l.ClrInstance)));
        Assert.All(other, l => Assert.Equal((4, 11), (l.PointerSize, l.ClrInstance)));
        Assert.All(other, l => Assert.True(l.Start < 1UL << 32, $"0x{l.Start:x} is a 64-bit address"));
        // Their module is PerfView's 32-bit mscorlib, as PerfView's own module rundown names it.
        ClrModuleEvent corlib = Assert.Single(c.Modules, m => m.ModuleId == other[0].ModuleId);
        Assert.Equal((3988, ClrModuleOp.DCEnd), (corlib.ProcessId, corlib.Op));
        Assert.Contains(@"\GAC_32\mscorlib\", corlib.ILPath);
        Assert.All(other, l => Assert.Equal(corlib.ModuleId, l.ModuleId));
        // And they were compiled after Test.x64 had exited.
        Assert.NotEqual(long.MaxValue, c.TestExit);
        Assert.All(other, l => Assert.True(l.Time > c.TestExit));
        Assert.All(test, l => Assert.True(l.Time < c.TestExit));
    }

    [Fact]
    public void No_rundown_event_speaks_for_the_test_program()
    {
        Collector c = Read();
        Assert.NotEmpty(c.RundownRecords);
        Assert.All(c.RundownRecords, r => Assert.Equal((3988, 4), (r.Pid, r.PointerSize)));
        var testModules = c.Modules.Where(m => m.ProcessId == 3676).Select(m => m.ModuleId).ToHashSet();
        Assert.Equal(2, testModules.Count); // mscorlib and Test.x64.exe, loaded and unloaded at its exit
        Assert.Equal(16702, c.RundownMethods.Count);
        Assert.DoesNotContain(c.RundownMethods, m => testModules.Contains(m.ModuleId));
        Assert.All(c.RundownMethods, m => Assert.True(m.Timestamp > c.TestExit));
    }
}

