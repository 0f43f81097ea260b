using HandleEtw.Core.Events;
using HandleEtw.Core.Records;
using HandleEtw.Core.Stacks;
using HandleEtw.Parquet;

namespace HandleEtw.Tests.Parquet;

/// <summary>
/// A small trace pushed straight into consumers: two processes, a leak of Event handles from one create stack in
/// pid 100 (LeakCount handles, one every second), balanced File handles, one duplicate, a named close.
/// </summary>
internal sealed class ParquetScenario
{
    public const int LeakPid = 100;
    public const int OtherPid = 200;
    public const ushort EventType = 16;
    public const ushort FileType = 37;
    public const int LeakCount = 30;
    public const int BalancedPairs = 50;

    public TraceInfo Info { get; } = new()
    {
        Source = "/traces/scenario.etl",
        HostName = "WKS-01",
        StartUtc = new DateTime(2026, 3, 14, 9, 26, 53, DateTimeKind.Utc),
        StartTimestamp = 1_000_000,
        ClockFrequency = 10_000_000,
        OsBuild = 26100,
    };

    public StackTable Stacks { get; } = new();
    public int LeakStack { get; private set; }
    public int EventsPushed { get; private set; }
    public long Seconds(double s) => Info.StartTimestamp + (long)(s * Info.ClockFrequency);

    /// <summary>Pushes the whole scenario; stops early (as a cancelled reader would) after <paramref name="stopAfter"/> handle events.</summary>
    public void Push(TraceConsumer consumer, int stopAfter = int.MaxValue)
    {
        LeakStack = Stacks.Intern([0x7ff8_0000_1000, 0x7ff8_0000_2000, 0x7ff7_1234_0000]);
        int fileStack = Stacks.Intern([0x7ff8_0000_1000, 0x7ff8_0000_3000]);
        consumer.OnObjectType(Seconds(0), EventType, "Event");
        consumer.OnObjectType(Seconds(0), FileType, "File");
        consumer.OnProcess(new ProcessEvent { Op = ProcessOp.DCStart, Timestamp = Seconds(0), ProcessId = LeakPid, UniqueProcessKey = 0xffff_a000_0000_1000, ParentId = 4, ImageFileName = "leaky.exe", CommandLine = "leaky.exe --serve" });
        consumer.OnProcess(new ProcessEvent { Op = ProcessOp.Start, Timestamp = Seconds(0.5), ProcessId = OtherPid, UniqueProcessKey = 0xffff_a000_0000_2000, ParentId = LeakPid, ImageFileName = "worker.exe", CommandLine = "worker.exe" });
        consumer.OnImage(new ImageEvent { Op = ImageOp.DCStart, Timestamp = Seconds(0), ProcessId = LeakPid, ImageBase = 0x7ff7_1230_0000, ImageSize = 0x10_0000, FileName = @"C:\app\leaky.exe" });
        consumer.OnImageIdentity(new ImageIdentity { Timestamp = Seconds(0), ProcessId = LeakPid, ImageBase = 0x7ff7_1230_0000, PdbGuid = Guid.Parse("0b6e3c9a-5f0e-4c1d-9a39-2f1f5b8f6d11"), PdbAge = 2, PdbName = "leaky.pdb" });
        consumer.OnImage(new ImageEvent { Op = ImageOp.Load, Timestamp = Seconds(0.6), ProcessId = OtherPid, ImageBase = 0x7ff8_0000_0000, ImageSize = 0x20_0000, FileName = @"C:\Windows\System32\ntdll.dll" });

        _stopAfter = stopAfter;
        for (int i = 0; i < BalancedPairs; i++)
        {
            if (EventsPushed >= stopAfter) return;
            double t = 1 + i;
            if (i < LeakCount)
                Handle(consumer, new HandleEvent { Op = HandleOp.Create, Timestamp = Seconds(t), ProcessId = LeakPid, ThreadId = 11, Handle = (uint)(0x400 + 4 * i), Object = 0xffff_c000_0000_0000 + (ulong)i * 0x40, ObjectType = EventType, StackId = LeakStack });
            uint file = (uint)(0x1000 + 4 * i);
            Handle(consumer, new HandleEvent { Op = HandleOp.Create, Timestamp = Seconds(t + 0.1), ProcessId = OtherPid, ThreadId = 22, Cpu = 1, Handle = file, Object = 0xffff_d000_0000_0000 + (ulong)i * 0x40, ObjectType = FileType, StackId = fileStack });
            Handle(consumer, new HandleEvent { Op = HandleOp.Close, Timestamp = Seconds(t + 0.2), ProcessId = OtherPid, ThreadId = 22, Cpu = 1, Handle = file, Object = 0xffff_d000_0000_0000 + (ulong)i * 0x40, ObjectType = FileType, Name = i == 0 ? @"\Device\HarddiskVolume3\log.txt" : null, StackId = -1 });
        }
        if (EventsPushed >= stopAfter) return;
        Handle(consumer, new HandleEvent { Op = HandleOp.Duplicate, Timestamp = Seconds(90), ProcessId = LeakPid, ThreadId = 11, Handle = 0x400, TargetHandle = 0x2000, TargetProcessId = OtherPid, SourceProcessId = LeakPid, Object = 0xffff_c000_0000_0000, ObjectType = EventType, StackId = LeakStack });
        consumer.OnImage(new ImageEvent { Op = ImageOp.Unload, Timestamp = Seconds(95), ProcessId = OtherPid, ImageBase = 0x7ff8_0000_0000, ImageSize = 0x20_0000, FileName = @"C:\Windows\System32\ntdll.dll" });
        consumer.OnProcess(new ProcessEvent { Op = ProcessOp.Stop, Timestamp = Seconds(96), ProcessId = OtherPid, UniqueProcessKey = 0xffff_a000_0000_2000, ExitStatus = 0, ImageFileName = "worker.exe", CommandLine = "worker.exe" });
        consumer.OnEnd(Seconds(100));
    }

    /// <summary>Handle events written by a full push: leak creates, pairs, one duplicate.</summary>
    public static int TotalHandleEvents => LeakCount + 2 * BalancedPairs + 1;

    private int _stopAfter = int.MaxValue;

    private void Handle(TraceConsumer consumer, HandleEvent e)
    {
        if (EventsPushed >= _stopAfter) return;
        consumer.OnHandle(e);
        EventsPushed++;
    }
}

/// <summary>A minimal open-handle table for feeding live_handles in tests (creates add, closes remove).</summary>
internal sealed class TestLiveHandles : TraceConsumer, ILiveHandleSource
{
    private readonly Dictionary<(int, uint), LiveHandleRow> _open = new();

    public override void OnHandle(in HandleEvent e)
    {
        switch (e.Op)
        {
            case HandleOp.Create:
                _open[(e.ProcessId, e.Handle)] = Row(e, e.ProcessId, e.Handle, LiveHandleOrigin.Created);
                break;
            case HandleOp.Duplicate:
                _open[(e.TargetProcessId, e.TargetHandle)] = Row(e, e.TargetProcessId, e.TargetHandle, LiveHandleOrigin.Duplicated);
                break;
            case HandleOp.Close:
                _open.Remove((e.ProcessId, e.Handle));
                break;
        }
    }

    public IEnumerable<LiveHandleRow> LiveHandles() => _open.Values;

    private static LiveHandleRow Row(in HandleEvent e, int pid, uint handle, LiveHandleOrigin origin) => new()
    {
        ProcessId = pid, Handle = handle, Object = e.Object, ObjectType = e.ObjectType, CreateTimestamp = e.Timestamp,
        ThreadId = e.ThreadId, StackId = e.StackId, Origin = origin,
    };
}
