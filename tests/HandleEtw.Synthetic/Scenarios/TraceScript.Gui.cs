using HandleEtw.Synthetic.Etl;

namespace HandleEtw.Synthetic.Scenarios;

/// <summary>A GDI or USER object of a script: who owns it now, its type, and the function whose create stack made it.</summary>
public sealed class GuiFact
{
    public bool Gdi { get; init; }
    public ulong Value { get; set; }
    public uint Type { get; init; }
    public int Session { get; init; }
    public int OwnerPid { get; set; }
    public int CreatorPid { get; init; }
    public string CreateFunction { get; init; } = "";
    public bool Open { get; set; } = true;
}

/// <summary>GDI and USER handles in a script (Win32k events with their stacks as extended items).</summary>
public sealed partial class TraceScript
{
    private uint _nextGuiIndex = 0x100;
    private readonly Dictionary<(bool Gdi, ulong Value), GuiFact> _guiLive = new();

    public List<GuiFact> GuiObjects { get; } = [];

    /// <summary>Creates a GDI object (type: the GDI type byte, e.g. 0x10 brush, 0x0a font) or USER object (1 window,
    /// 2 menu, 3 cursor ...) owned by <paramref name="owner"/> (default: the creating process). Its value carries the
    /// type in bits 16-23 for GDI, as GDI handles do.</summary>
    public ulong GuiCreate(ScriptThread thread, bool gdi, uint type, string[]? user, ScriptProcess? owner = null,
                           string[]? kernel = null)
    {
        uint index = _nextGuiIndex++;
        ulong value = gdi ? ((index >> 16 & 0xFF) << 24) | ((type & 0xFF) << 16) | (index & 0xFFFF) : (index & 0xFFFF) | 0x0001_0000u * (1 + (index >> 16));
        var fact = new GuiFact
        {
            Gdi = gdi, Value = value, Type = type, Session = thread.Process.Info.SessionId,
            OwnerPid = (owner ?? thread.Process).Pid, CreatorPid = thread.Process.Pid, CreateFunction = OwnFunction(user),
        };
        GuiObjects.Add(fact);
        _guiLive[(gdi, value)] = fact;
        string[] k = kernel ?? (gdi ? ["GreCreateObject", "NtGdiCreateObject", "KiSystemServiceCopyEnd"] : ["HMAllocObject", "NtUserCreateObject", "KiSystemServiceCopyEnd"]);
        WriteGui(thread, fact, Win32kEventWriter.Op.Create, value, 0, k, user);
        return value;
    }

    public void GuiDestroy(ScriptThread thread, bool gdi, ulong value, string[]? user = null)
    {
        GuiFact fact = _guiLive[(gdi, value)];
        _guiLive.Remove((gdi, value));
        fact.Open = false;
        WriteGui(thread, fact, Win32kEventWriter.Op.Destroy, value, 0, gdi ? ["GreDeleteObject", "NtGdiDeleteObjectApp", "KiSystemServiceCopyEnd"] : ["HMFreeObject", "NtUserDestroyObject", "KiSystemServiceCopyEnd"], user);
    }

    /// <summary>UpdateHandleOwner: the object now belongs to <paramref name="newOwner"/>.</summary>
    public void GuiReassign(ScriptThread thread, bool gdi, ulong value, ScriptProcess newOwner, string[]? user = null)
    {
        GuiFact fact = _guiLive[(gdi, value)];
        fact.OwnerPid = newOwner.Pid;
        WriteGui(thread, fact, Win32kEventWriter.Op.Owner, value, 0, ["HMChangeOwnerThread", "NtUserSetObjectOwner", "KiSystemServiceCopyEnd"], user);
    }

    /// <summary>GDI TransformHandle: the object's value changes; returns the new value.</summary>
    public ulong GdiTransform(ScriptThread thread, ulong value, string[]? user = null)
    {
        GuiFact fact = _guiLive[(true, value)];
        ulong renamed = value + 0x0100_0000; // a new uniqueness byte, same index and type
        _guiLive.Remove((true, value));
        _guiLive[(true, renamed)] = fact;
        fact.Value = renamed;
        WriteGui(thread, fact, Win32kEventWriter.Op.Transform, value, renamed, ["GreMakeObjectPublic", "NtGdiTransformObject", "KiSystemServiceCopyEnd"], user);
        return renamed;
    }

    /// <summary>A process's exit takes its GDI and USER objects with it, without destroy events.</summary>
    internal void ReleaseGuiOf(ScriptProcess process)
    {
        foreach (var (key, fact) in _guiLive.Where(kv => kv.Value.OwnerPid == process.Pid).ToList())
        {
            fact.Open = false;
            _guiLive.Remove(key);
        }
    }

    private void WriteGui(ScriptThread thread, GuiFact fact, Win32kEventWriter.Op op, ulong value, ulong renamed, string[] kernel, string[]? user)
    {
        CallStack? stack = Stack(thread.Process, kernel, user);
        ulong[]? frames = stack is null ? null : [.. stack.Kernel, .. stack.User];
        int pointerSize = Options.Win32kPointerSize;
        int? itemSize = Options.Win32kStackItemSize;
        int pid = thread.Process.Pid, tid = thread.Tid;
        Add(CpuOf(tid), tid, pid, pointerSize, null, (k, cpu, t) => Win32kEventWriter.Write(k.Writer, fact.Gdi, op, cpu, t, pid, tid,
            value, renamed, fact.Type, fact.Session, fact.OwnerPid, frames, pointerSize, itemSize, Options.Win32kEventVersion));
    }

    private static string OwnFunction(string[]? user) =>
        user?.Select(f => f.Contains('!') ? (IsSystemModule(f[..f.IndexOf('!')]) ? "" : f[(f.IndexOf('!') + 1)..]) : f)
            .FirstOrDefault(f => f.Length > 0) ?? "";
}
