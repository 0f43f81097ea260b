namespace HandleEtw.Core.Tracking;

/// <summary>Where a live handle came from.</summary>
public enum HandleOrigin : byte
{
    /// <summary>A create event inside the trace.</summary>
    Created,
    /// <summary>DuplicateHandle into this table; the origin names the source (pid, handle).</summary>
    Duplicated,
    /// <summary>Open when the trace started (handle rundown).</summary>
    Rundown,
    /// <summary>Inherited from the parent at process creation.</summary>
    Inherited,
}

/// <summary>
/// One live handle. Kept at 48 bytes: type and create stack live in the leak group the entry points to, the name is
/// an interned reference (null when unknown).
/// </summary>
internal struct HandleEntry
{
    public ulong Object;
    public long CreateTime;
    public string? Name;
    public uint Handle;
    public int Thread;
    /// <summary>Index of the (process, type, create stack) group in <see cref="LeakGroups"/>.</summary>
    public int Group;
    /// <summary>Created: the process that logged the create (differs for kernel handles); Duplicated/Inherited: the source pid.</summary>
    public int OriginPid;
    public uint OriginHandle;
    public HandleOrigin Origin;
}

public static class Origins
{
    /// <summary>The origin as the JSON and Parquet outputs spell it.</summary>
    public static string Name(HandleOrigin origin) => origin switch
    {
        HandleOrigin.Created => "created",
        HandleOrigin.Duplicated => "duplicated",
        HandleOrigin.Rundown => "rundown",
        _ => "inherited",
    };
}

/// <summary>A copy of a live handle handed to analyses.</summary>
public readonly record struct LiveHandle(
    int Pid, string Process, uint Handle, ulong Object, ushort Type, string? Name, long CreateTime, int Thread, int StackId,
    HandleOrigin Origin, int OriginPid, uint OriginHandle, Events.HandleKind Kind = Events.HandleKind.Kernel);
