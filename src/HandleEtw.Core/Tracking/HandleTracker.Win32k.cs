using HandleEtw.Core.Events;

namespace HandleEtw.Core.Tracking;

/// <summary>
/// GDI and USER handles (Win32k provider), in tables of their own beside the kernel ones. A value is unique within
/// its session and kind, and belongs to one owning process at a time: an index by (kind, session, value) finds it
/// wherever it lives, so a destroy logged by another process, an owner change or a rename finds the right table.
/// Entries keep their create stack (and the process that logged the create, whose modules name the frames) when
/// ownership moves or the value is renamed. There is no rundown of these tables: an object created before the trace
/// shows up only when it is destroyed (counted), moved or renamed (then it is held as open since the start).
/// </summary>
public sealed partial class HandleTracker
{
    private readonly record struct GuiKey(HandleKind Kind, int Session, uint Value);

    private readonly Dictionary<GuiKey, ProcessState> _guiOwners = new();

    /// <summary>True once any GDI or USER handle event was seen.</summary>
    public bool HasGuiEvents => Counters.GuiEvents > 0;

    public override void OnGuiHandle(in GuiHandleEvent e)
    {
        if (e.Kind is not (HandleKind.Gdi or HandleKind.User)) return;
        LastTimestamp = e.Timestamp;
        ExpireGrace(e.Timestamp);
        Counters.GuiEvents++;
        if (e.Kind == HandleKind.Gdi) Counters.GdiEvents++;
        switch (e.Op)
        {
            case GuiHandleOp.Create: GuiCreate(e); break;
            case GuiHandleOp.Destroy: GuiDestroy(e); break;
            case GuiHandleOp.OwnerChange: GuiOwnerChange(e); break;
            case GuiHandleOp.Transform: GuiTransform(e); break;
        }
    }

    /// <summary>A name for a group's type in its own kind's vocabulary.</summary>
    public string TypeName(HandleKind kind, ushort type) =>
        kind == HandleKind.Kernel ? Types[type] : Win32kTypes.Name(kind, type);

    /// <summary>HandleType is a u32; groups keep 16 bits. The GDILoObjType form (type in bits 16-23) folds to its byte.</summary>
    public static ushort GroupType(uint type) =>
        type <= 0xFFFF ? (ushort)type : (type & 0xFFFF) == 0 && type >> 16 <= 0xFFFF ? (ushort)(type >> 16) : ushort.MaxValue;

    private int OwnerOf(in GuiHandleEvent e) => e.OwnerProcessId > 0 ? e.OwnerProcessId : e.ProcessId;

    private void GuiCreate(in GuiHandleEvent e)
    {
        var key = new GuiKey(e.Kind, e.SessionId, (uint)e.Handle);
        if (_guiOwners.TryGetValue(key, out ProcessState? stale))
        {
            // The value was handed out again: its destroy was not seen.
            Counters.GuiLostDestroys++;
            GuiRetire(stale, key);
        }
        GuiOpen(GetProcess(OwnerOf(e)), key, e.Handle, e, HandleOrigin.Created, e.ProcessId, e.StackId, e.Timestamp);
        Counters.GuiCreates++;
    }

    private void GuiDestroy(in GuiHandleEvent e)
    {
        var key = new GuiKey(e.Kind, e.SessionId, (uint)e.Handle);
        if (!_guiOwners.TryGetValue(key, out ProcessState? owner))
        {
            // Created before the trace (no rundown exists for these tables), or its create was lost.
            Counters.GuiUnknownDestroys++;
            return;
        }
        if (owner.Exiting) Counters.GuiExitSweepDestroys++;
        GuiRetire(owner, key);
    }

    private void GuiOwnerChange(in GuiHandleEvent e)
    {
        Counters.GuiOwnerChanges++;
        var key = new GuiKey(e.Kind, e.SessionId, (uint)e.Handle);
        ProcessState target = GetProcess(OwnerOf(e));
        if (!_guiOwners.TryGetValue(key, out ProcessState? owner))
        {
            GuiOpenUnknown(target, key, e.Handle, e);
            return;
        }
        if (owner == target) return;
        GuiMove(owner, target, key, key, e.Handle);
    }

    private void GuiTransform(in GuiHandleEvent e)
    {
        Counters.GuiTransforms++;
        var from = new GuiKey(e.Kind, e.SessionId, (uint)e.Handle);
        var to = new GuiKey(e.Kind, e.SessionId, (uint)e.NewHandle);
        if (_guiOwners.TryGetValue(to, out ProcessState? stale) && from != to)
        {
            Counters.GuiLostDestroys++;
            GuiRetire(stale, to);
        }
        ProcessState target = GetProcess(OwnerOf(e));
        if (!_guiOwners.TryGetValue(from, out ProcessState? owner))
        {
            GuiOpenUnknown(target, to, e.NewHandle, e);
            return;
        }
        GuiMove(owner, owner, from, to, e.NewHandle);
    }

    /// <summary>Moves a live entry to another table (owner change) or another value (transform), keeping its
    /// create time, thread, stack and origin.</summary>
    private void GuiMove(ProcessState from, ProcessState to, GuiKey oldKey, GuiKey newKey, ulong newValue)
    {
        HandleTable table = from.TableOf(oldKey.Kind);
        int index = table.Find(oldKey.Value);
        if (index < 0) return; // the index and the tables always agree; never trust that blindly
        HandleEntry entry = _pool[index];
        LeakGroups.Group group = _groups[entry.Group];
        GuiRetire(from, oldKey);
        var origin = new GuiHandleEvent { Kind = newKey.Kind, ThreadId = entry.Thread, Type = group.Type, SessionId = newKey.Session };
        GuiOpen(to, newKey, newValue, origin, entry.Origin, entry.OriginPid, group.StackId, entry.CreateTime);
    }

    /// <summary>An object the trace never saw created: held as open since before the trace, without a create stack.</summary>
    private void GuiOpenUnknown(ProcessState owner, GuiKey key, ulong value, in GuiHandleEvent e)
    {
        Counters.GuiPredatingTrace++;
        GuiOpen(owner, key, value, e with { ThreadId = -1 }, HandleOrigin.Rundown, e.ProcessId, -1, e.Timestamp);
    }

    private void GuiOpen(ProcessState owner, GuiKey key, ulong value, in GuiHandleEvent e, HandleOrigin origin,
                         int originPid, int stackId, long created)
    {
        int index = _pool.Allocate();
        ref HandleEntry entry = ref _pool[index];
        entry.Handle = key.Value;
        entry.Object = value;
        entry.CreateTime = created;
        entry.Name = null;
        entry.Thread = e.ThreadId;
        entry.Origin = origin;
        entry.OriginPid = originPid;
        entry.OriginHandle = (uint)key.Session; // GUI entries keep their session here (they have no origin handle)
        entry.Group = _groups.Get(owner, key.Kind, GroupType(e.Type), stackId);
        _groups.Opened(entry.Group);
        owner.TableOf(key.Kind).Add(index);
        _guiOwners[key] = owner;
    }

    private void GuiRetire(ProcessState owner, GuiKey key)
    {
        _guiOwners.Remove(key);
        HandleTable table = owner.TableOf(key.Kind);
        int index = table.Find(key.Value);
        if (index < 0) return;
        _groups.Closed(_pool[index].Group);
        table.Remove(key.Value);
        _pool.Free(index);
    }

    /// <summary>An exited process's GDI and USER tables go with it; the index forgets the values they held.</summary>
    private void ReleaseGui(ProcessState state)
    {
        foreach (HandleKind kind in (ReadOnlySpan<HandleKind>)[HandleKind.Gdi, HandleKind.User])
        {
            HandleTable table = state.TableOf(kind);
            foreach (int index in table.Entries())
            {
                HandleEntry entry = _pool[index];
                var key = new GuiKey(kind, (int)entry.OriginHandle, entry.Handle);
                if (_guiOwners.TryGetValue(key, out ProcessState? owner) && owner == state) _guiOwners.Remove(key);
                _pool.Free(index);
            }
            table.Clear();
        }
    }
}
