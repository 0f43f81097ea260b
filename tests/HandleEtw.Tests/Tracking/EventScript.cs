using HandleEtw.Cli.Commands;
using HandleEtw.Core.Analysis;
using HandleEtw.Core.Events;
using HandleEtw.Core.Records;
using HandleEtw.Core.Stacks;
using HandleEtw.Core.Tracking;

namespace HandleEtw.Tests.Tracking;

/// <summary>Builds a decoded event stream by hand: 1 tick = 100 ns, trace start at 0.</summary>
internal sealed class EventScript
{
    private readonly List<Action<TraceConsumer>> _events = new();
    private long _now;
    private bool _hold;

    public TraceInfo Info { get; } = new() { ClockFrequency = 10_000_000, StartTimestamp = 0, StartUtc = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc) };
    public StackTable Stacks { get; } = new();

    public long Now => _now;

    /// <summary>Moves the clock to <paramref name="seconds"/> from trace start.</summary>
    public EventScript At(double seconds) { _now = (long)(seconds * 10_000_000); _hold = true; return this; }

    /// <summary>The next event has the same timestamp as the previous one.</summary>
    public EventScript Same() { _hold = true; return this; }

    private long Tick()
    {
        if (!_hold) _now++;
        _hold = false;
        return _now;
    }

    private int Stack(ulong[] frames) => frames.Length == 0 ? -1 : Stacks.Intern(frames);

    public EventScript Handle(HandleOp op, int pid, int tid, uint handle, ulong obj, ushort type, ulong[] frames, string? name = null)
    {
        var e = new HandleEvent { Op = op, Timestamp = Tick(), ProcessId = pid, ThreadId = tid, Handle = handle, Object = obj, ObjectType = type, StackId = Stack(frames), Name = name };
        _events.Add(c => c.OnHandle(e));
        return this;
    }

    public EventScript Create(int pid, int tid, uint handle, ulong obj, ushort type = 1, params ulong[] frames) =>
        Handle(HandleOp.Create, pid, tid, handle, obj, type, frames);

    public EventScript Close(int pid, int tid, uint handle, ulong obj, ushort type = 1, params ulong[] frames) =>
        Handle(HandleOp.Close, pid, tid, handle, obj, type, frames);

    public EventScript Rundown(int pid, uint handle, ulong obj, ushort type = 1) =>
        Handle(HandleOp.RundownStart, pid, 0, handle, obj, type, []);

    public EventScript Duplicate(int actorPid, int tid, int sourcePid, uint source, int targetPid, uint target, ulong obj, ushort type = 1, params ulong[] frames)
    {
        var e = new HandleEvent
        {
            Op = HandleOp.Duplicate, Timestamp = Tick(), ProcessId = actorPid, ThreadId = tid, Handle = source, Object = obj,
            ObjectType = type, SourceProcessId = sourcePid, TargetProcessId = targetPid, TargetHandle = target, StackId = Stack(frames),
        };
        _events.Add(c => c.OnHandle(e));
        return this;
    }

    public EventScript Process(ProcessOp op, int pid, int parent = 0, string name = "app.exe")
    {
        var e = new ProcessEvent { Op = op, Timestamp = Tick(), ProcessId = pid, ParentId = parent, ImageFileName = name, CommandLine = name, StackId = -1 };
        _events.Add(c => c.OnProcess(e));
        return this;
    }

    public EventScript Start(int pid, int parent = 0, string name = "app.exe") => Process(ProcessOp.Start, pid, parent, name);
    public EventScript Stop(int pid) => Process(ProcessOp.Stop, pid);

    public EventScript Image(int pid, ulong imageBase, ulong size, string file, ImageOp op = ImageOp.Load)
    {
        var e = new ImageEvent { Op = op, Timestamp = Tick(), ProcessId = pid, ImageBase = imageBase, ImageSize = size, FileName = file };
        _events.Add(c => c.OnImage(e));
        return this;
    }

    public EventScript Type(ushort index, string name)
    {
        long t = Tick();
        _events.Add(c => c.OnObjectType(t, index, name));
        return this;
    }

    public EventScript Loss(long events)
    {
        var e = new LossEvent { Timestamp = Tick(), Events = events };
        _events.Add(c => c.OnLoss(e));
        return this;
    }

    public void Feed(TraceConsumer consumer)
    {
        foreach (var e in _events) e(consumer);
        consumer.OnEnd(_now);
    }

    public HandleTracker Track()
    {
        var tracker = new HandleTracker(Info);
        Feed(tracker);
        return tracker;
    }

    public TraceInput Input() => new(Info, c => { Feed(c); return Stacks; });

    public StackContext Context(ModuleMap? modules = null) => new(Stacks, modules ?? new ModuleMap());
}
