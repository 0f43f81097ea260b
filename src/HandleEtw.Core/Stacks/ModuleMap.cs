using HandleEtw.Core.Events;

namespace HandleEtw.Core.Stacks;

/// <summary>
/// Which module covered an address in which process at which time. Kernel modules (kernel-range bases, or images
/// logged for pid 0/4) are shared by all processes. Modules keep their load/unload times, so a base reused by another
/// module after an unload resolves by time.
/// </summary>
public sealed class ModuleMap : TraceConsumer
{
    private readonly int _pointerSize;
    private readonly Dictionary<int, List<Module>> _byProcess = new();
    private readonly List<Module> _kernel = new();

    public ModuleMap(int pointerSize = 8) => _pointerSize = pointerSize;

    private sealed class Module(ulong imageBase, ulong size, string name, long loaded, string path)
    {
        public ulong Base { get; } = imageBase;
        public ulong End { get; } = imageBase + size;
        public string Name { get; } = name;
        public long Loaded { get; } = loaded;
        public long Unloaded { get; set; } = long.MaxValue;
        public string Path { get; } = path;
        public ImageIdentity? Pdb { get; set; }
        public ModuleIdentity? Identity { get; set; }
    }

    /// <summary>DbgID_RSDS identities not yet matched to an image event (they may come first).</summary>
    private readonly Dictionary<(int Pid, ulong Base), ImageIdentity> _pendingPdb = new();

    /// <summary>When set, frames print `module!Function+0xOFFSET` wherever it resolves them.</summary>
    public IFrameSymbolizer? Symbolizer { get; set; }

    /// <summary>Names .NET code from the runtime's method events where no image (or no symbol) does.</summary>
    public ManagedMethodMap Managed { get; } = new();

    public override void OnMethod(in MethodEvent e) => Managed.OnMethod(e);
    public override void OnClrModule(in ClrModuleEvent e) => Managed.OnClrModule(e);
    public override void OnClrNote(in ClrNoteEvent e) => Managed.OnClrNote(e);

    public override void OnImageIdentity(in ImageIdentity e)
    {
        List<Module> list = ListFor(e.ProcessId, e.ImageBase);
        Module? m = Find(list, e.ImageBase, e.Timestamp);
        if (m is not null && m.Base == e.ImageBase) m.Pdb = e;
        else _pendingPdb[(e.ProcessId, e.ImageBase)] = e;
    }

    public bool IsKernelAddress(ulong address) =>
        _pointerSize == 4 ? address >= 0x8000_0000UL && address <= uint.MaxValue : address >= 0xFFFF_0000_0000_0000UL;

    public override void OnImage(in ImageEvent e)
    {
        List<Module> list = ListFor(e.ProcessId, e.ImageBase);
        switch (e.Op)
        {
            case ImageOp.Load:
                Add(list, e, e.Timestamp);
                break;
            case ImageOp.DCStart:
            case ImageOp.KernelBase:
                Add(list, e, long.MinValue);
                break;
            case ImageOp.DCEnd:
                if (Find(list, e.ImageBase, e.Timestamp) is null) Add(list, e, long.MinValue);
                break;
            case ImageOp.Unload:
                if (Find(list, e.ImageBase, e.Timestamp) is { } m && m.Base == e.ImageBase) m.Unloaded = e.Timestamp;
                break;
        }
    }

    /// <summary>A process's modules end with it (its pid may be reused with other modules).</summary>
    public override void OnProcess(in ProcessEvent e)
    {
        Managed.OnProcess(e);
        if (e.Op != ProcessOp.Stop || e.ProcessId is 0 or 4) return;
        if (!_byProcess.TryGetValue(e.ProcessId, out var list)) return;
        foreach (Module m in list)
            if (m.Unloaded == long.MaxValue) m.Unloaded = e.Timestamp;
    }

    private List<Module> ListFor(int pid, ulong imageBase)
    {
        if (pid is 0 or 4 || IsKernelAddress(imageBase)) return _kernel;
        if (!_byProcess.TryGetValue(pid, out var list)) _byProcess[pid] = list = new List<Module>();
        return list;
    }

    private void Add(List<Module> list, in ImageEvent e, long loaded)
    {
        if (e.ImageSize == 0) return;
        var module = new Module(e.ImageBase, e.ImageSize, string.IsNullOrEmpty(e.FileName) ? "?" : FrameText.ModuleName(e.FileName), loaded, e.FileName ?? "");
        if (_pendingPdb.Remove((e.ProcessId, e.ImageBase), out var pdb)) module.Pdb = pdb;
        list.Add(module);
    }

    /// <summary>The module covering <paramref name="address"/> at <paramref name="time"/>: the latest loaded that fits.</summary>
    private static Module? Find(List<Module> list, ulong address, long time)
    {
        Module? best = null;
        foreach (Module m in list)
        {
            if (address < m.Base || address >= m.End) continue;
            if (m.Loaded > time || m.Unloaded <= time) continue;
            if (best is null || m.Loaded >= best.Loaded) best = m;
        }
        return best;
    }

    /// <summary>`module+0xOFFSET` (<see cref="FrameText"/>), or `0x…` when no module covers the address.</summary>
    public string Format(int pid, ulong address, long time)
    {
        List<Module>? list = IsKernelAddress(address) ? _kernel : _byProcess.GetValueOrDefault(pid);
        Module? m = list is null ? null : Find(list, address, time);
        m ??= list == _kernel ? null : Find(_kernel, address, time);
        if (m is null) return Managed.Name(pid, address, time) ?? FrameText.Address(address);
        if (Symbolizer?.Symbolize(IdentityOf(m), address - m.Base) is { } symbolic) return symbolic;
        return Managed.Name(pid, address, time) ?? FrameText.Unsymbolized(m.Name, address - m.Base);
    }

    private static ModuleIdentity IdentityOf(Module m) => m.Identity ??= new ModuleIdentity(
        m.Path, m.Base, m.End - m.Base, m.Pdb?.PdbGuid ?? Guid.Empty, m.Pdb?.PdbAge ?? 0, m.Pdb?.PdbName);

    /// <summary>All frames of an interned stack, innermost first.</summary>
    public IReadOnlyList<string> FormatStack(StackTable stacks, int stackId, int pid, long time)
    {
        if (stackId < 0) return Array.Empty<string>();
        ReadOnlySpan<ulong> frames = stacks.GetFrames(stackId);
        var result = new string[frames.Length];
        for (int i = 0; i < frames.Length; i++) result[i] = Format(pid, frames[i], time);
        return result;
    }
}
