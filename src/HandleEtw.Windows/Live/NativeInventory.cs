using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using HandleEtw.Windows.Inventory;
using HandleEtw.Windows.Native;
using HandleEtw.Windows.Recording;

namespace HandleEtw.Windows.Live;

/// <summary>Every process's handle table (class 64) and the object type table (class 3), taken while events flow.</summary>
[SupportedOSPlatform("windows")]
public sealed unsafe class NativeInventory : IInventoryProvider
{
    private const int MaxBytes = 1 << 30;

    public HandleInventory Take()
    {
        long before = Stopwatch.GetTimestamp();
        byte[] types = Query((buffer, length, returned) => Nt.NtQueryObject(0, Nt.ObjectTypesInformation, buffer, length, returned), 4096);
        byte[] handles = Query((buffer, length, returned) => Nt.NtQuerySystemInformation(Nt.SystemExtendedHandleInformation, buffer, length, returned), 64 * 1024);
        long after = Stopwatch.GetTimestamp();
        bool win81 = Environment.OSVersion.Version >= new Version(6, 3);
        return new HandleInventory
        {
            Handles = InventoryParsers.ParseHandles(handles),
            ObjectTypes = InventoryParsers.ParseObjectTypes(types, win81),
            TimestampBefore = before,
            TimestampAfter = after,
        };
    }

    private delegate int NtQuery(void* buffer, uint length, uint* returned);

    /// <summary>Grows the buffer on length mismatch (the handle count changes between calls: add slack).</summary>
    private static byte[] Query(NtQuery query, int initial)
    {
        int size = initial;
        for (int attempt = 0; attempt < 16; attempt++)
        {
            byte[] buffer = new byte[size];
            uint returned = 0;
            int status;
            fixed (byte* p = buffer) status = query(p, (uint)buffer.Length, &returned);
            if (status >= 0) return buffer;
            if (status is not (Nt.StatusInfoLengthMismatch or Nt.StatusBufferOverflow or Nt.StatusBufferTooSmall))
                throw new RecordingException($"inventory query failed with NTSTATUS 0x{status:X8}", RecordingError.SessionFailed);
            long next = Math.Max((long)size * 2, (long)returned + returned / 4 + 4096);
            if (next > MaxBytes) break;
            size = (int)next;
        }
        throw new RecordingException("inventory query kept growing past 1 GB", RecordingError.SessionFailed);
    }

    internal static int EntrySize => Marshal.SizeOf<SystemHandleTableEntryInfoEx>();
}
