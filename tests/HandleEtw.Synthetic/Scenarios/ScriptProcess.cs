using HandleEtw.Synthetic.Etl;

namespace HandleEtw.Synthetic.Scenarios;

/// <summary>A process of a script: its images, threads and handle table (values reused LIFO, multiples of 4).</summary>
public sealed class ScriptProcess
{
    private readonly Stack<uint> _freeValues = new();
    private uint _nextValue;
    private readonly uint _valueFlag;

    internal ScriptProcess(TraceScript script, ProcessInfo info, bool atStart, bool kernelTable = false)
    {
        Script = script;
        Info = info;
        AtStart = atStart;
        _nextValue = kernelTable ? 0x04u : 0x40u;
        _valueFlag = kernelTable ? 0x8000_0000u : 0;
    }

    public TraceScript Script { get; }
    public ProcessInfo Info { get; }
    public int Pid => Info.Pid;
    public int PointerSize => Info.PointerSize;
    public bool AtStart { get; }
    public bool Exited { get; internal set; }
    public List<ScriptModule> Modules { get; } = [];
    public List<ScriptThread> Threads { get; } = [];

    /// <summary>JIT-compiled code a stack can name: "Module!Type.Method" → a call site in its current code.</summary>
    internal Dictionary<string, ulong> ManagedFrames { get; } = [];

    /// <summary>Managed modules and methods loaded now (for the end rundown).</summary>
    internal List<Etl.ClrModule> ClrModules { get; } = [];
    internal List<Etl.ClrMethod> LiveMethods { get; } = [];

    /// <summary>Open handles by value.</summary>
    internal Dictionary<uint, HandleFact> Open { get; } = [];

    public ScriptModule Module(string name, ulong imageBase, ulong size, string? path = null, PdbIdentity? pdb = null)
    {
        if (PointerSize == 4 && imageBase + size > 0x8000_0000) imageBase = Script.RelocateBelow2GB();
        var module = new ScriptModule(name, imageBase, size, path ?? $@"\Device\HarddiskVolume3\Windows\System32\{name}") { Pdb = pdb };
        Modules.Add(module);
        if (!AtStart) Script.LoadImage(this, module);
        return module;
    }

    /// <summary>Adds a thread; a process present at start gets it by rundown, otherwise by Thread/Start.</summary>
    public ScriptThread Thread(int tid)
    {
        var thread = new ScriptThread(this, tid);
        Threads.Add(thread);
        if (!AtStart) Script.StartThread(thread);
        return thread;
    }

    public ScriptModule ModuleNamed(string name) =>
        Modules.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new KeyNotFoundException($"{Info.ImageFileName} has no module {name}");

    /// <summary>Resolves "module!function" or a bare function name to a call-site address in this process.</summary>
    public ulong Resolve(string frame)
    {
        if (ManagedFrames.TryGetValue(frame, out ulong managed)) return managed;
        int bang = frame.IndexOf('!');
        if (bang >= 0) return Script.ModuleFor(this, frame[..bang]).Address(frame[(bang + 1)..]);
        foreach (ScriptModule m in Modules)
            if (m.Has(frame)) return m.Address(frame);
        throw new KeyNotFoundException($"no module of {Info.ImageFileName} defines {frame}");
    }

    /// <summary>"module+0xrva" for a frame name, as tests expect it in a symbol-less report (no extension, as WinDbg).</summary>
    public string FrameText(string frame)
    {
        ulong address = Resolve(frame);
        ScriptModule m = Modules.Concat(Script.KernelModules).First(x => address >= x.Base && address < x.Base + x.Size);
        int dot = m.Name.LastIndexOf('.');
        return $"{(dot > 0 ? m.Name[..dot] : m.Name)}+0x{address - m.Base:x}";
    }

    internal uint AllocateValue()
    {
        uint value = _freeValues.Count > 0 ? _freeValues.Pop() : (_nextValue += 4) - 4;
        return value | _valueFlag;
    }

    internal void ReleaseValue(uint value) => _freeValues.Push(value & ~_valueFlag);

    /// <summary>Keeps the allocator from handing out a value the script placed explicitly.</summary>
    internal void Reserve(uint value)
    {
        uint plain = value & ~_valueFlag;
        if (plain >= _nextValue) _nextValue = plain + 4;
    }
}
