using HandleEtw.Synthetic.Etl;

namespace HandleEtw.Synthetic.Scenarios;

/// <summary>
/// A compact way to state a handle scenario: processes with images and named functions, threads, handle
/// operations with stacks, exits. Records what it expects in <see cref="Facts"/> and writes a real .etl file.
/// Operations happen at <see cref="Now"/>, which advances by <see cref="ScriptOptions.Step"/> after each one.
/// </summary>
public sealed partial class TraceScript
{
    public const ulong KernelBase = 0xFFFF_F800_0000_0000;

    /// <summary>Where the kernel lies in a 32-bit trace (above 2 GB, the x86 kernel/user split).</summary>
    public const ulong KernelBase32 = 0x8200_0000;
    private const long RundownTicks = 1_000;

    private readonly List<Op> _ops = [];
    private readonly List<ScriptProcess> _processes = [];
    private readonly Dictionary<string, CallStack> _stacks = [];
    private ulong _nextObject;
    private int _relocatedImages;

    public TraceScript(ScriptOptions? options = null)
    {
        Options = options ?? new ScriptOptions();
        _nextObject = Is32BitTrace ? 0x8500_0000 : 0xFFFF_C000_0100_0000;
        Kernel = new ScriptModule("ntoskrnl.exe", Is32BitTrace ? KernelBase32 : KernelBase, 0x0100_0000, @"\SystemRoot\system32\ntoskrnl.exe");
        DefineKernelFunctions(Kernel);
        KernelModules = [Kernel];
        System = new ScriptProcess(this, new ProcessInfo(4, 0, "System", "") { SessionId = 0, SidSubAuthorities = [18], PointerSize = TracePointerSize },
            atStart: true, kernelTable: true);
        _processes.Add(System);
        System.Thread(8);
        Now = 10_000;
    }

    public ScriptOptions Options { get; }

    /// <summary>The trace's pointer size (<see cref="EtlWriterOptions.PointerSize"/>): in a 32-bit trace every process,
    /// the kernel, objects and stack keys are 32-bit.</summary>
    public int TracePointerSize => Options.Writer.PointerSize;
    public bool Is32BitTrace => TracePointerSize == 4;
    public TraceFacts Facts { get; } = new();
    public ScriptModule Kernel { get; }
    public IReadOnlyList<ScriptModule> KernelModules { get; }
    public ScriptProcess System { get; }
    public IReadOnlyList<ScriptProcess> Processes => _processes;

    /// <summary>Logical time in 100-ns ticks since the trace start.</summary>
    public long Now { get; private set; }

    public TraceScript Advance(TimeSpan span)
    {
        Now += span.Ticks;
        return this;
    }

    /// <summary>Adds a process. Present at start: announced by rundown; otherwise Process/Start logged by the parent.</summary>
    public ScriptProcess AddProcess(int pid, string imageName, string? commandLine = null, int parentPid = 700,
        bool is32Bit = false, bool atStart = true, bool standardModules = true)
    {
        var info = new ProcessInfo(pid, parentPid, imageName, commandLine ?? $@"C:\apps\{imageName}") { PointerSize = is32Bit || Is32BitTrace ? 4 : 8 };
        var process = new ScriptProcess(this, info, atStart);
        _processes.Add(process);
        if (!atStart)
        {
            ScriptProcess? parent = _processes.FirstOrDefault(p => p.Pid == parentPid);
            int parentTid = parent?.Threads.FirstOrDefault()?.Tid ?? 0;
            Add(CpuOf(parentTid), -1, pid, 8, null, (k, cpu, t) => k.Process(LifeEvent.Start, cpu, t, info, parentPid, parentTid));
        }
        if (standardModules) AddStandardModules(process);
        return process;
    }

    /// <summary>Ends a process: the kernel sweeps its handle table (CloseHandle per open handle with an exit stack),
    /// then Thread/Stop for each thread and Process/Stop.</summary>
    public void Exit(ScriptProcess process, int exitCode = 0)
    {
        ScriptThread last = process.Threads.LastOrDefault() ?? throw new InvalidOperationException("a process needs a thread to exit");
        string[]? user = process.Modules.Any(m => m.Has("RtlExitUserProcess")) ? ["ntdll!NtTerminateProcess", "ntdll!RtlExitUserProcess", "kernel32!ExitProcess"] : null;
        CallStack? sweep = Stack(process, ["ExSweepHandleTable", "ObKillProcess", "PspRundownSingleProcess", "PspExitThread", "NtTerminateProcess", "KiSystemServiceCopyEnd"], user);
        foreach (HandleFact fact in process.Open.Values.OrderBy(f => f.Handle).ToList())
        {
            CloseTracked(process, fact.Handle, last.Tid, CloseKind.ProcessExit, out _);
            WriteClose(last, fact.Handle, fact.Type, fact.Object, "", sweep);
        }
        var info = process.Info with { ExitStatus = exitCode };
        foreach (ScriptThread thread in process.Threads)
            Add(CpuOf(thread.Tid), thread.Tid, process.Pid, process.PointerSize, null,
                (k, cpu, t) => k.Thread(LifeEvent.Stop, cpu, t, process.Pid, thread.Tid, 0, process.Pid, thread.Tid, process.PointerSize));
        Add(CpuOf(last.Tid), last.Tid, process.Pid, process.PointerSize, null,
            (k, cpu, t) => k.Process(LifeEvent.Stop, cpu, t, info, process.Pid, last.Tid));
        process.Exited = true;
        ReleaseGuiOf(process);
    }

    /// <summary>Creates a child that inherits <paramref name="inherited"/>: one DuplicateHandle per handle (parent to
    /// parent, same value) logged by the creating thread before the child's Process/Start (windows-live.md §1.13).</summary>
    public ScriptProcess SpawnInheriting(ScriptThread creator, int childPid, string imageName, params uint[] inherited)
    {
        ScriptProcess parent = creator.Process;
        CallStack? stack = Stack(parent, ["ExpDuplicateSingleHandle", "ExDupHandleTable", "PspAllocateProcess", "NtCreateUserProcess", "KiSystemServiceCopyEnd"],
            ["ntdll!NtCreateUserProcess", "kernelbase!CreateProcessW"]);
        var sources = inherited.Select(h => parent.Open.GetValueOrDefault(h) ?? throw new InvalidOperationException($"0x{h:X} is not open")).ToList();
        foreach (HandleFact source in sources)
            WriteDuplicate(creator, parent.Pid, source.Handle, parent.Pid, source.Handle, source, stack, advance: true);
        ScriptProcess child = AddProcess(childPid, imageName, parentPid: parent.Pid, atStart: false);
        foreach (HandleFact source in sources)
        {
            child.Reserve(source.Handle);
            Track(child, new HandleFact
            {
                Pid = childPid, Handle = source.Handle, Type = source.Type, Object = source.Object,
                CreatorTid = creator.Tid, CreateTicks = Now, Origin = "Inherited",
            });
        }
        return child;
    }

    /// <summary>A lost-event record (and the buffer's EVENTS_LOST flag) on a processor.</summary>
    public void LoseEvents(int cpu = 0) => Add(cpu, -1, -1, 8, null, (k, c, t) => k.LostEvents(c, t));

    /// <summary>A handle present before the trace: counted open, announced only by handle rundown if enabled.</summary>
    public uint Preexisting(ScriptProcess process, string type, string name = "")
    {
        uint value = process.AllocateValue();
        Track(process, new HandleFact
        {
            Pid = process.Pid, Handle = value, Type = ObjectTypes.Index(type), Object = NewObject(),
            CreatorTid = 0, CreateTicks = 0, Origin = "Rundown",
        });
        _preexistingNames[(process.Pid, value)] = name;
        return value;
    }

    /// <summary>The interned stack for kernel function names plus user frames of a process (innermost first).</summary>
    public CallStack? Stack(ScriptProcess process, string[] kernel, string[]? user)
    {
        if (Options.Stacks == StackMode.None) return null;
        // Keyed by addresses: a frame name moves when its method is compiled again (re-JIT).
        ulong[] u = user is null || process.Pid == 4 ? [] : user.Select(process.Resolve).ToArray();
        string key = $"{process.Pid}|{string.Join(',', kernel)}|{string.Join(',', u)}";
        if (_stacks.TryGetValue(key, out CallStack? stack)) return stack;
        ulong[] k = kernel.Select(Kernel.Address).ToArray();
        return _stacks[key] = new CallStack(k, u);
    }

    /// <summary>Writes the trace. Can be called more than once; <see cref="TraceFacts.Records"/> holds the counts.</summary>
    public void WriteTo(Stream stream)
    {
        using var writer = new EtlWriter(stream, Options.Writer, leaveOpen: true);
        Write(writer, cuts: [], atCut: null);
    }

    /// <summary>Every record of the script; before the first operation at or after each of <paramref name="cuts"/>,
    /// <paramref name="atCut"/> (cut index, time) switches files.</summary>
    private void Write(EtlWriter writer, long[] cuts, Action<int, long, KernelEventWriter>? atCut)
    {
        var events = new KernelEventWriter(writer);
        var stacks = new StackWriter(events, Options.Stacks, Options.StackCacheSize, eviction: Options.StackCacheEviction);
        WriteStartRundown(events);
        int next = 0;
        foreach (Op op in _ops)
        {
            for (; next < cuts.Length && op.Ticks >= cuts[next]; next++) atCut?.Invoke(next, cuts[next], events);
            if (op.Tid >= 0) stacks.BeforeEvent(op.Ticks, op.Tid, op.Cpu);
            op.Write(events, op.Cpu, op.Ticks);
            if (op.Stack is not null) stacks.Attach(op.Cpu, op.Ticks, op.Pid, op.Tid, op.Stack, op.PointerSize);
        }
        long end = Now + RundownTicks;
        stacks.Finish(end);
        WriteEndRundown(events, end);
        Facts.DurationTicks = end;
        Facts.Records = writer.Counts;
    }

    public void WriteTo(string path)
    {
        using var file = new FileStream(path, FileMode.Create, FileAccess.ReadWrite);
        WriteTo(file);
    }

    public byte[] ToBytes()
    {
        using var memory = new MemoryStream();
        WriteTo(memory);
        return memory.ToArray();
    }

    internal IEnumerable<ScriptModule> AllModules(ScriptProcess process) => process.Modules.Concat(KernelModules);

    internal ScriptModule ModuleFor(ScriptProcess process, string name) =>
        AllModules(process).FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase)
            || string.Equals(Path.GetFileNameWithoutExtension(m.Name), name, StringComparison.OrdinalIgnoreCase))
        ?? throw new KeyNotFoundException($"{process.Info.ImageFileName} has no module {name}");

    internal int CpuOf(int tid) => (tid / 4) % Options.Writer.Processors;

    internal ulong NewObject() => _nextObject += 0x60;

    /// <summary>A 32-bit process has no room for an image placed above 2 GB: such images go one after another from
    /// 256 MB, in 16 MB steps and never at the same place twice in a trace (so an address names one image).</summary>
    internal ulong RelocateBelow2GB() => 0x1000_0000 + (ulong)_relocatedImages++ * 0x0100_0000;

    private delegate void OpWrite(KernelEventWriter events, int cpu, long ticks);

    private sealed record Op(long Ticks, int Cpu, int Tid, int Pid, int PointerSize, CallStack? Stack, OpWrite Write);

    private void Add(int cpu, int tid, int pid, int pointerSize, CallStack? stack, OpWrite write, bool advance = true)
    {
        _ops.Add(new Op(Now, cpu, tid, pid, pointerSize, stack, write));
        if (advance) Now += Options.Step;
    }
}
