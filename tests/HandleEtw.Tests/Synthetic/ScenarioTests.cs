using System.Buffers.Binary;
using HandleEtw.Synthetic.Etl;
using HandleEtw.Synthetic.Scale;
using HandleEtw.Synthetic.Scenarios;

namespace HandleEtw.Tests.Synthetic;

public class ScenarioTests
{
    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (string name in Scripts.Keys)
            for (int variant = 0; variant < 3; variant++) data.Add(name, variant);
        return data;
    }

    private static readonly Dictionary<string, Func<ScriptOptions, TraceScript>> Scripts = new()
    {
        ["LeakyHandles"] = o => HandleScenarios.LeakyHandles(iterations: 50, options: o),
        ["ProcessExitsHoldingHandles"] = HandleScenarios.ProcessExitsHoldingHandles,
        ["DuplicateIntoOtherProcess"] = HandleScenarios.DuplicateIntoOtherProcess,
        ["DuplicateWithCloseSource"] = HandleScenarios.DuplicateWithCloseSource,
        ["HandleValueReuse"] = o => HandleScenarios.HandleValueReuse(options: o),
        ["LostClose"] = HandleScenarios.LostClose,
        ["NoRundown"] = HandleScenarios.NoRundown,
        ["WithHandleRundown"] = HandleScenarios.WithHandleRundown,
        ["InheritedHandles"] = HandleScenarios.InheritedHandles,
        ["KernelHandles"] = HandleScenarios.KernelHandles,
        ["DoubleClose"] = HandleScenarios.DoubleClose,
        ["HandOver"] = o => HandleScenarios.HandOver(options: o),
        ["Wow64Process"] = HandleScenarios.Wow64Process,
        ["FlatHolderAndLeaks"] = HandleScenarios.FlatHolderAndLeaks,
        ["InheritedAndKept"] = HandleScenarios.InheritedAndKept,
        ["PulledWithCloseSource"] = HandleScenarios.PulledWithCloseSource,
        ["GdiPaintLeak"] = o => HandleScenarios.GdiPaintLeak(paints: 20, options: o),
    };

    public static TraceScript Build(string name, int variant) => Scripts[name](Variant(variant));

    private static ScriptOptions Variant(int variant) => variant switch
    {
        0 => new ScriptOptions(),
        1 => new ScriptOptions { Writer = new EtlWriterOptions { Compress = true, BufferSize = 2048 } },
        _ => new ScriptOptions { Stacks = StackMode.Cached, StackCacheSize = 4, Writer = new EtlWriterOptions { Processors = 4, BufferSize = 1024 } },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ScenarioWritesWellFramedRecordsInTimeOrder(string name, int variant)
    {
        TraceScript script = Build(name, variant);
        List<WalkedRecord> records = TestEtlWalker.Records(script.ToBytes());
        RecordCounts counts = script.Facts.Records!;
        Assert.Equal(counts.Total + 1, records.Count); // + the header event
        foreach (var hook in records.Where(r => r.Guid == Guid.Empty && r.BufferIndex > 0).GroupBy(r => r.Hook))
            Assert.Equal(counts.Hook(hook.Key), hook.Count());
        Assert.Equal(script.Facts.Creates, records.Count(r => r.Hook == Hooks.CreateHandle));
        Assert.Equal(script.Facts.Closes, records.Count(r => r.Hook == Hooks.CloseHandle));
        foreach (var cpu in records.Skip(1).GroupBy(r => r.Cpu))
        {
            var ordered = cpu.OrderBy(r => r.Sequence).ThenBy(r => r.Offset).Select(r => r.Timestamp).ToList();
            Assert.Equal(ordered.Order(), ordered);
        }
        AssertStacksTargetEvents(records, script.Options.Stacks);
    }

    private static void AssertStacksTargetEvents(List<WalkedRecord> records, StackMode mode)
    {
        var events = records.Where(r => r.Hook is Hooks.CreateHandle or Hooks.CloseHandle or Hooks.DuplicateHandle)
            .Select(r => (r.Timestamp, r.Tid)).ToHashSet();
        var keysDefined = new HashSet<ulong>();
        foreach (WalkedRecord r in records.Where(r => r.Type is RecordHeaderType.PerfInfo32 or RecordHeaderType.PerfInfo64))
        {
            if (r.Hook is Hooks.StackWalk or Hooks.StackKeyKernel or Hooks.StackKeyUser)
            {
                long target = BinaryPrimitives.ReadInt64LittleEndian(r.Payload);
                int tid = BinaryPrimitives.ReadInt32LittleEndian(r.Payload.AsSpan(12));
                Assert.Contains((target, tid), events);
                Assert.True(r.Timestamp >= target);
            }
            if (r.Hook is Hooks.StackKeyDelete or Hooks.StackKeyRundown)
                keysDefined.Add(BinaryPrimitives.ReadUInt64LittleEndian(r.Payload));
        }
        int references = records.Count(r => r.Hook is Hooks.StackKeyKernel or Hooks.StackKeyUser);
        if (mode == StackMode.Cached) Assert.True(references > 0 && keysDefined.Count > 0);
        else Assert.Equal(0, references);
    }

    [Fact]
    public void LeakyHandlesLeaksOneEventPerIterationFromFun4()
    {
        TraceScript script = HandleScenarios.LeakyHandles(iterations: 200);
        Assert.Equal(200, script.Facts.LeaksFrom("fun4"));
        Assert.Equal(0, script.Facts.LeaksFrom("fun3"));
        Assert.All(script.Facts.OpenAtEnd, h => Assert.Equal("Event", h.TypeName));
        Assert.All(script.Facts.Handles, h => Assert.Equal(0u, h.Handle % 4));
        ScriptProcess p = script.Processes.Single(x => x.Pid == HandleScenarios.LeakyPid);
        Assert.Equal("leakyhandles+0x1a2b", p.FrameText("fun4"));
        Assert.Equal("ntoskrnl+0x20802b", p.FrameText("ntoskrnl!ObpCreateHandle"));
        // values are reused LIFO as Windows does: fun4 gets the value fun3 just closed
        var fun3 = script.Facts.Handles.Where(h => h.CreateFunction == "fun3").Select(h => h.Handle);
        var fun4 = script.Facts.Handles.Where(h => h.CreateFunction == "fun4").Select(h => h.Handle);
        Assert.Equal(fun3, fun4);
    }

    [Fact]
    public void ScenarioFactsDescribeOwnership()
    {
        TraceFacts dc = HandleScenarios.DoubleClose().Facts;
        Assert.Equal(3, dc.Handles.Count);
        Assert.Equal(5124, dc.Handles[1].CreatorTid);
        Assert.Equal(5120, dc.Handles[1].CloserTid);
        Assert.Empty(dc.OpenAtEnd);

        TraceFacts inherited = HandleScenarios.InheritedHandles().Facts;
        Assert.Equal(2, inherited.Handles.Count(h => h.Origin == "Inherited" && h.Pid == 6000 && h.ClosedBy == CloseKind.Explicit));

        TraceFacts kernel = HandleScenarios.KernelHandles().Facts;
        Assert.All(kernel.Handles, h => Assert.Equal(4, h.Pid));
        Assert.Single(kernel.OpenAtEnd);

        TraceFacts exit = HandleScenarios.ProcessExitsHoldingHandles().Facts;
        Assert.Equal(6, exit.Handles.Count(h => h.ClosedBy == CloseKind.ProcessExit));

        TraceFacts lost = HandleScenarios.LostClose().Facts;
        Assert.Equal(CloseKind.Lost, lost.Handles[0].ClosedBy);

        TraceFacts source = HandleScenarios.DuplicateWithCloseSource().Facts;
        Assert.Equal(CloseKind.DuplicateCloseSource, source.Handles[0].ClosedBy);
    }

    [Fact]
    public void DuplicateWithCloseSourceLogsTheCloseAtTheSameTimeOnTheSameThread()
    {
        List<WalkedRecord> records = TestEtlWalker.Records(HandleScenarios.DuplicateWithCloseSource().ToBytes());
        WalkedRecord dup = records.Single(r => r.Hook == Hooks.DuplicateHandle);
        WalkedRecord close = records.Single(r => r.Hook == Hooks.CloseHandle);
        Assert.Equal((dup.Timestamp, dup.Tid, dup.Pid), (close.Timestamp, close.Tid, close.Pid));
    }

    [Fact]
    public void ScaleGeneratorStreamsAMixWithLeaks()
    {
        using var memory = new MemoryStream();
        ScaleResult result = new ScaleGenerator(new ScaleOptions { Events = 20_000, Compress = true, CachedStacks = true, Processes = 8 }).Write(memory);
        Assert.Equal(20_000, result.HandleEvents);
        Assert.True(result.Leaks > 0 && result.Duplicates > 0 && result.Closes > result.Leaks);
        List<WalkedRecord> records = TestEtlWalker.Records(memory.ToArray());
        Assert.Equal(result.Records + 1, records.Count);
        Assert.Equal(result.Creates, records.Count(r => r.Hook == Hooks.CreateHandle));
    }

    [Fact]
    public void CommittedSampleIsTheLeakyHandlesScenario()
    {
        string sample = TestPaths.Sample;
        byte[] expected = HandleScenarios.LeakyHandles(iterations: 200, duration: TimeSpan.FromSeconds(60)).ToBytes();
        Assert.Equal(expected, File.ReadAllBytes(sample));
    }
}
