using HandleEtw.Core.Events;

namespace HandleEtw.Core.Stacks;

/// <summary>
/// Which .NET method's native code covered an address in which process at which time, from the runtime's method and
/// module events (JIT loads and unloads, rundown). The frame formatter asks it for frames no image names:
/// `Module!Namespace.Type.Method+0xOFF`, the module being the IL image's file name without extension. A method unloaded
/// (or compiled again elsewhere) later never names an address used earlier, and a range reused by another method names
/// each by time. At most <see cref="MaxRanges"/> ranges are kept; later ones are counted, and their frames stay
/// addresses.
/// </summary>
public sealed class ManagedMethodMap : TraceConsumer
{
    public const int MaxRanges = 1_000_000;
    private const int MaxInterned = 200_000;

    private readonly Dictionary<int, MethodRanges> _byProcess = new();
    private readonly Dictionary<(int Pid, ulong ModuleId), List<ClrModule>> _modules = new();
    private readonly Dictionary<string, string> _strings = new(StringComparer.Ordinal);
    private readonly Dictionary<int, long> _loadsByProcess = new();
    private readonly Dictionary<int, ulong> _processKeys = new();
    private int _ranges;

    private sealed class ClrModule(string name, string ilPath, long loaded, bool readyToRun)
    {
        public string Name { get; } = name;
        public string ILPath { get; } = ilPath;
        public long Loaded { get; } = loaded;
        public long Unloaded { get; set; } = long.MaxValue;
        public bool ReadyToRun { get; } = readyToRun;
    }

    public ManagedMethodCounters Counters { get; } = new();

    public override void OnMethod(in MethodEvent e)
    {
        if (e.Op == MethodOp.R2REntryPoint)
        {
            Counters.ReadyToRunEntryPoints++;
            return;
        }
        Counters.Count(e.Op);
        if (e.Op == MethodOp.Load) _loadsByProcess[e.ProcessId] = _loadsByProcess.GetValueOrDefault(e.ProcessId) + 1;
        if (e.Size == 0 || e.Start == 0) return; // nothing to name
        MethodRanges ranges = RangesOf(e.ProcessId);
        MethodRange? live = ranges.Live(e.MethodId, e.Start);
        switch (e.Op)
        {
            case MethodOp.Load:
                if (live is not null) ranges.Unload(live, e.Timestamp); // compiled again at the same place
                Keep(ranges, e, e.Timestamp, long.MaxValue, loadUnknown: false);
                break;
            case MethodOp.Unload:
                if (live is not null) ranges.Unload(live, e.Timestamp);
                else Keep(ranges, e, long.MinValue, e.Timestamp, loadUnknown: true); // loaded before the trace
                break;
            case MethodOp.DCStart:
                if (live is null) Keep(ranges, e, long.MinValue, long.MaxValue, loadUnknown: false);
                break;
            case MethodOp.DCEnd:
                if (live is null) Keep(ranges, e, long.MinValue, long.MaxValue, loadUnknown: true);
                break;
        }
    }

    public override void OnClrModule(in ClrModuleEvent e)
    {
        var key = (e.ProcessId, e.ModuleId);
        if (!_modules.TryGetValue(key, out var list)) _modules[key] = list = new List<ClrModule>(1);
        ClrModule? open = list.LastOrDefault(m => m.Unloaded == long.MaxValue);
        switch (e.Op)
        {
            case ClrModuleOp.Load:
                if (open is not null) open.Unloaded = e.Timestamp;
                list.Add(NewModule(e, e.Timestamp));
                break;
            case ClrModuleOp.DCStart:
            case ClrModuleOp.DCEnd:
                if (open is null) list.Add(NewModule(e, long.MinValue));
                break;
            case ClrModuleOp.Unload:
                if (open is not null) open.Unloaded = e.Timestamp;
                else
                {
                    ClrModule gone = NewModule(e, long.MinValue);
                    gone.Unloaded = e.Timestamp;
                    list.Add(gone);
                }
                break;
        }
    }

    public override void OnClrNote(in ClrNoteEvent e) => Counters.Count(e.Kind);

    /// <summary>A process's methods end with it (its pid may be reused).</summary>
    public override void OnProcess(in ProcessEvent e)
    {
        if ((e.Op is ProcessOp.Start or ProcessOp.DCStart) && e.UniqueProcessKey != 0) _processKeys[e.ProcessId] = e.UniqueProcessKey;
        if (e.Op != ProcessOp.Stop) return;
        if (_byProcess.TryGetValue(e.ProcessId, out var ranges)) ranges.UnloadAll(e.Timestamp);
        foreach (var (key, list) in _modules)
            if (key.Pid == e.ProcessId)
                foreach (ClrModule m in list)
                    if (m.Unloaded == long.MaxValue) m.Unloaded = e.Timestamp;
    }

    /// <summary>The method whose code covered the address then, or null.</summary>
    public MethodRange? Find(int pid, ulong address, long time) =>
        _byProcess.TryGetValue(pid, out var ranges) ? ranges.Find(address, time) : null;

    /// <summary>`Module!Namespace.Type.Method+0xOFF`, or null when no method's code covered the address then.</summary>
    public string? Name(int pid, ulong address, long time)
    {
        MethodRange? m = Find(pid, address, time);
        return m is null ? null : $"{ModuleName(m, time)}!{m.FullName}+0x{address - m.Start:x}";
    }

    /// <summary>The module file name without extension (`System.Data`), `?` when no module event named it.</summary>
    public string ModuleName(MethodRange m, long time) => ModuleOf(m, time)?.Name ?? "?";

    /// <summary>The module's IL path as the runtime reported it, or null.</summary>
    public string? ModulePath(MethodRange m, long time) => ModuleOf(m, time)?.ILPath;

    /// <summary>MethodLoadVerbose events the process logged.</summary>
    public long LoadsOf(int pid) => _loadsByProcess.GetValueOrDefault(pid);

    /// <summary>Process ids with at least one method range.</summary>
    public IEnumerable<int> Processes => _byProcess.Where(p => p.Value.Count > 0).Select(p => p.Key).Order();

    /// <summary>A process's ranges by start address.</summary>
    public IEnumerable<MethodRange> Methods(int pid) =>
        _byProcess.TryGetValue(pid, out var ranges) ? ranges.All : Enumerable.Empty<MethodRange>();

    private ClrModule? ModuleOf(MethodRange m, long time)
    {
        if (!_modules.TryGetValue((m.ProcessId, m.ModuleId), out var list) || list.Count == 0) return null;
        long at = m.Loaded == long.MinValue ? time : m.Loaded;
        ClrModule? best = null;
        foreach (ClrModule c in list)
            if (c.Loaded <= at && (best is null || c.Loaded >= best.Loaded)) best = c;
        return best ?? list[0];
    }

    private ClrModule NewModule(in ClrModuleEvent e, long loaded)
    {
        string path = string.IsNullOrEmpty(e.ILPath) ? e.NativePath ?? "" : e.ILPath;
        return new ClrModule(Intern(FileStem(path)), Intern(path), loaded, (e.Flags & ClrModuleEvent.ReadyToRunFlag) != 0);
    }

    private void Keep(MethodRanges ranges, in MethodEvent e, long loaded, long unloaded, bool loadUnknown)
    {
        if (_ranges >= MaxRanges)
        {
            Counters.NotKept++;
            return;
        }
        _ranges++;
        ranges.Add(new MethodRange
        {
            ProcessId = e.ProcessId, ProcessKey = _processKeys.GetValueOrDefault(e.ProcessId), MethodId = e.MethodId,
            ModuleId = e.ModuleId, Start = e.Start, Size = e.Size,
            Flags = e.Flags, Namespace = Intern(e.Namespace ?? ""), Name = e.Name ?? "", Signature = Intern(e.Signature ?? ""),
            ReJitId = e.ReJitId, Loaded = loaded, Unloaded = unloaded, Source = e.Op,
        }, loadUnknown);
    }

    private MethodRanges RangesOf(int pid)
    {
        if (!_byProcess.TryGetValue(pid, out var ranges)) _byProcess[pid] = ranges = new MethodRanges();
        return ranges;
    }

    private string Intern(string s)
    {
        if (_strings.TryGetValue(s, out string? kept)) return kept;
        if (_strings.Count < MaxInterned) _strings[s] = s;
        return s;
    }

    /// <summary>`C:\app\System.Data.dll` → `System.Data` (either separator).</summary>
    public static string FileStem(string path)
    {
        int slash = Math.Max(path.LastIndexOf('\\'), path.LastIndexOf('/'));
        string file = slash >= 0 ? path[(slash + 1)..] : path;
        int dot = file.LastIndexOf('.');
        string stem = dot > 0 ? file[..dot] : file;
        return stem.Length == 0 ? "?" : stem;
    }
}

/// <summary>What the method map saw: events by kind, and ranges it could not keep (the bound).</summary>
public sealed class ManagedMethodCounters
{
    public long Loads { get; set; }
    public long Unloads { get; set; }
    public long RundownStarts { get; set; }
    public long RundownEnds { get; set; }
    public long ReadyToRunEntryPoints { get; set; }
    public long ILToNativeMaps { get; set; }
    public long EndRundownsBegun { get; set; }
    public long EndRundownsCompleted { get; set; }
    public long StartRundownsBegun { get; set; }
    public long StartRundownsCompleted { get; set; }
    public long NotKept { get; set; }

    internal void Count(MethodOp op)
    {
        switch (op)
        {
            case MethodOp.Load: Loads++; break;
            case MethodOp.Unload: Unloads++; break;
            case MethodOp.DCStart: RundownStarts++; break;
            case MethodOp.DCEnd: RundownEnds++; break;
        }
    }

    internal void Count(ClrNoteKind kind)
    {
        switch (kind)
        {
            case ClrNoteKind.ILToNativeMap: ILToNativeMaps++; break;
            case ClrNoteKind.StartInit: StartRundownsBegun++; break;
            case ClrNoteKind.StartComplete: StartRundownsCompleted++; break;
            case ClrNoteKind.EndInit: EndRundownsBegun++; break;
            case ClrNoteKind.EndComplete: EndRundownsCompleted++; break;
        }
    }
}
