using HandleEtw.Core.Events;
using HandleEtw.Core.Tracking;

namespace HandleEtw.Core.Analysis;

public sealed partial class HistoryCollector
{
    private readonly HashSet<(HandleKind Kind, int Session, uint Value)> _followed = new();

    private string TypeName(in Raw r) => r.HandleKind == HandleKind.Kernel ? _types[r.Type] : Win32kTypes.Name(r.HandleKind, r.Type);

    /// <summary>A GDI/USER value this process owned: its create, owner changes, renames and destroy.</summary>
    public override void OnGuiHandle(in GuiHandleEvent e)
    {
        if (kind is HandleKind k && k != e.Kind) return;
        var key = (e.Kind, e.SessionId, (uint)e.Handle);
        int owner = e.OwnerProcessId > 0 ? e.OwnerProcessId : e.ProcessId;
        bool mine = (uint)e.Handle == handle && owner == pid;
        switch (e.Op)
        {
            case GuiHandleOp.Create when mine:
                _followed.Add(key);
                AddGui("OPEN", e, e.Handle, null);
                break;
            case GuiHandleOp.Destroy when _followed.Remove(key) || mine:
                AddGui("CLOSE", e, e.Handle, null);
                break;
            case GuiHandleOp.OwnerChange when _followed.Contains(key) || mine:
                _followed.Add(key);
                AddGui("OWNER", e, e.Handle, $"owner now pid {owner}");
                break;
            case GuiHandleOp.Transform:
                var renamed = (e.Kind, e.SessionId, (uint)e.NewHandle);
                if (_followed.Remove(key) || mine)
                {
                    _followed.Add(renamed);
                    AddGui("TRANSFORM", e, e.Handle, $"renamed to 0x{e.NewHandle:x}");
                }
                else if ((uint)e.NewHandle == handle && owner == pid)
                {
                    _followed.Add(renamed);
                    AddGui("TRANSFORM", e, e.NewHandle, $"renamed from 0x{e.Handle:x}");
                }
                break;
        }
    }

    private void AddGui(string what, in GuiHandleEvent e, ulong value, string? detail) =>
        _events.Add(new Raw(what, e.Timestamp, e.ThreadId, e.ProcessId, value, HandleTracker.GroupType(e.Type), detail,
            e.StackId, null, e.Kind));
}
