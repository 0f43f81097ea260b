namespace HandleEtw.Windows.Inventory;

/// <summary>One open handle found by the start-of-run inventory.</summary>
public readonly record struct InventoryHandle(int ProcessId, uint Handle, ulong Object, ushort ObjectType, uint GrantedAccess);

/// <summary>
/// What was open when recording started, independent of any kernel rundown: every process's handles and the object
/// type table. <see cref="TimestampBefore"/>/<see cref="TimestampAfter"/> bracket the (non-atomic) walk in session
/// clock ticks.
/// </summary>
public sealed class HandleInventory
{
    public required IReadOnlyList<InventoryHandle> Handles { get; init; }
    public required IReadOnlyDictionary<ushort, string> ObjectTypes { get; init; }
    public long TimestampBefore { get; init; }
    public long TimestampAfter { get; init; }

    /// <summary>False when every object address came back 0 (no SeDebugPrivilege on 24H2): join by (pid, handle) only.</summary>
    public bool HasObjectAddresses => Handles.Any(h => h.Object != 0);

    public static HandleInventory Empty { get; } = new() { Handles = [], ObjectTypes = new Dictionary<ushort, string>() };
}

/// <summary>Takes the inventory (live: native queries; tests: a fixed one).</summary>
public interface IInventoryProvider
{
    HandleInventory Take();
}
