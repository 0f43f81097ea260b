namespace HandleEtw.Core.Events;

/// <summary>Which handle table a handle lives in: the kernel's Object Manager tables, GDI's or USER's (win32k).</summary>
public enum HandleKind : byte
{
    Kernel,
    Gdi,
    User,
}

public static class HandleKinds
{
    /// <summary>As the CLI, JSON and Parquet spell it.</summary>
    public static string Name(HandleKind kind) => kind switch
    {
        HandleKind.Gdi => "gdi",
        HandleKind.User => "user",
        _ => "kernel",
    };

    public static bool TryParse(string text, out HandleKind kind)
    {
        kind = text switch { "kernel" => HandleKind.Kernel, "gdi" => HandleKind.Gdi, "user" => HandleKind.User, _ => (HandleKind)255 };
        return kind != (HandleKind)255;
    }
}

/// <summary>Win32k handle operations (Microsoft-Windows-Win32k events 452-458).</summary>
public enum GuiHandleOp : byte
{
    Create,
    Destroy,
    /// <summary>UpdateHandleOwner: the object now belongs to <see cref="GuiHandleEvent.OwnerProcessId"/>.</summary>
    OwnerChange,
    /// <summary>GDI TransformHandle: <see cref="GuiHandleEvent.Handle"/> is renamed <see cref="GuiHandleEvent.NewHandle"/>.</summary>
    Transform,
}

/// <summary>A decoded GDI or USER handle event with its stack. GDI and USER handle values are unique within a
/// session (USER ones are visible to every process of it); each object is owned by one process.</summary>
public readonly record struct GuiHandleEvent
{
    public HandleKind Kind { get; init; }
    public GuiHandleOp Op { get; init; }
    public long Timestamp { get; init; }

    /// <summary>The process that logged the event (whose stack it is); the owner may differ.</summary>
    public int ProcessId { get; init; }
    public int ThreadId { get; init; }
    public ushort Cpu { get; init; }

    /// <summary>HandleValue (Transform: PreviousHandleValue).</summary>
    public ulong Handle { get; init; }

    /// <summary>Transform only: NewHandleValue.</summary>
    public ulong NewHandle { get; init; }

    /// <summary>HandleType as logged (names: <see cref="Tracking.Win32kTypes"/>).</summary>
    public uint Type { get; init; }
    public int SessionId { get; init; }
    public int OwnerProcessId { get; init; }

    /// <summary>Interned stack id; -1 when the event has no stack.</summary>
    public int StackId { get; init; }
}
