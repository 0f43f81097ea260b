using HandleEtw.Core.Events;
using HandleEtw.Core.Records;

namespace HandleEtw.Etl.Decoding;

/// <summary>
/// GDI and USER handle events of Microsoft-Windows-Win32k (manifest as dumped for build 18990: tasks
/// GdiHandleOperation 442 / UserHandleOperation 443, keywords 0x10000000000 / 0x20000000000): 452-454 User
/// Create/Destroy/UpdateHandleOwner, 455-457 GDI the same, 458 GDI TransformHandle. Payload: HandleValue ptr,
/// HandleType u32, SessionId u32, OwnerProcessId u32; TransformHandle: PreviousHandleValue ptr, NewHandleValue ptr,
/// then the same three. All versions are read by that layout; fields a later version appends are ignored.
/// </summary>
public static class Win32kPayloads
{
    public static readonly Guid Provider = new("8c416c79-d49b-4f01-a467-e56d3aa8234c");

    public const ushort UserCreate = 452, UserDestroy = 453, UserOwner = 454;
    public const ushort GdiCreate = 455, GdiDestroy = 456, GdiOwner = 457, GdiTransform = 458;

    public static bool IsHandleEvent(in EventRecord r) =>
        !r.IsKernel && r.Header == HeaderKind.EventHeader && r.EventId is >= UserCreate and <= GdiTransform
        && r.ProviderId == Provider;

    public static bool TryRead(in EventRecord r, out GuiHandleEvent e)
    {
        e = default;
        if (!IsHandleEvent(r)) return false;
        bool transform = r.EventId == GdiTransform;
        int pointers = transform ? 2 : 1;
        var reader = new PayloadReader(r.Payload, PointerSize(r.Payload.Length, pointers, r.PointerSize));
        ulong handle = reader.ReadPointer();
        ulong renamed = transform ? reader.ReadPointer() : 0;
        uint type = reader.ReadUInt32();
        int session = reader.ReadInt32();
        int owner = reader.ReadInt32();
        if (reader.Failed) return false;
        e = new GuiHandleEvent
        {
            Kind = r.EventId >= GdiCreate ? HandleKind.Gdi : HandleKind.User,
            Op = Op(r.EventId),
            Timestamp = r.Timestamp, ProcessId = r.ProcessId, ThreadId = r.ThreadId, Cpu = r.Cpu,
            Handle = handle, NewHandle = renamed, Type = type, SessionId = session, OwnerProcessId = owner, StackId = -1,
        };
        return true;
    }

    private static GuiHandleOp Op(ushort id) => id switch
    {
        UserCreate or GdiCreate => GuiHandleOp.Create,
        UserDestroy or GdiDestroy => GuiHandleOp.Destroy,
        UserOwner or GdiOwner => GuiHandleOp.OwnerChange,
        _ => GuiHandleOp.Transform,
    };

    /// <summary>The pointer size the payload was written with: its length fits exactly one of 4 and 8 (pointers + 12
    /// bytes), whatever the header says; otherwise the header's (a longer, later version of the event).</summary>
    internal static int PointerSize(int length, int pointers, int headerPointerSize)
    {
        const int Fixed = 12;
        if (length == Fixed + 4 * pointers) return 4;
        if (length == Fixed + 8 * pointers) return 8;
        return headerPointerSize;
    }
}
