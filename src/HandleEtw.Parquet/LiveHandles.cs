namespace HandleEtw.Parquet;

/// <summary>How a live handle came to be open.</summary>
public enum LiveHandleOrigin : byte
{
    /// <summary>A create event was seen during the trace.</summary>
    Created,
    /// <summary>The target side of a duplicate seen during the trace.</summary>
    Duplicated,
    /// <summary>Open when the trace started (handle rundown); its create time and stack are unknown.</summary>
    Rundown,
    /// <summary>Inherited from the parent when the process started.</summary>
    Inherited,
}

/// <summary>One open handle in a handle table at a point in time.</summary>
public readonly record struct LiveHandleRow
{
    public int ProcessId { get; init; }
    public ulong ProcessKey { get; init; }
    public uint Handle { get; init; }
    public ulong Object { get; init; }
    public ushort ObjectType { get; init; }
    public string? Name { get; init; }

    /// <summary>Raw timestamp of the create (or duplicate); null when open since before the trace.</summary>
    public long? CreateTimestamp { get; init; }
    public int ThreadId { get; init; }

    /// <summary>Stack id of the create, -1 when none.</summary>
    public int StackId { get; init; }
    public LiveHandleOrigin Origin { get; init; }

    /// <summary>Kernel handle, GDI or USER object.</summary>
    public Core.Events.HandleKind Kind { get; init; }
}

/// <summary>
/// Whoever tracks open handles (the handle tracker) hands its current table to the writer at a snapshot and at
/// the end. In a composite consumer, put the tracker before the writer so it has seen the same events.
/// </summary>
public interface ILiveHandleSource
{
    IEnumerable<LiveHandleRow> LiveHandles();
}
