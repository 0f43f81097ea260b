using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using HandleEtw.Core.Events;
using HandleEtw.Core.Records;
using HandleEtw.Core.Tracking;
using HandleEtw.Windows.Native;

namespace HandleEtw.Windows.Inventory;

/// <summary>
/// Parses the raw answers of NtQuerySystemInformation(SystemExtendedHandleInformation) and
/// NtQueryObject(ObjectTypesInformation) (x64 layouts, windows-live.md §4.1-4.2). Every count and length is checked
/// against the buffer: the OS answer is trusted no more than a file.
/// </summary>
public static class InventoryParsers
{
    private static readonly int EntrySize = Unsafe.SizeOf<SystemHandleTableEntryInfoEx>();
    private static readonly int TypeInfoSize = Unsafe.SizeOf<ObjectTypeInformation>();

    public static List<InventoryHandle> ParseHandles(ReadOnlySpan<byte> buffer)
    {
        const int header = SystemHandleTableEntryInfoEx.ListHeaderSize;
        if (buffer.Length < header) throw new TraceFormatException("handle list shorter than its header", 0);
        ulong count = BinaryPrimitives.ReadUInt64LittleEndian(buffer);
        ulong fits = (ulong)((buffer.Length - header) / EntrySize);
        if (count > fits) throw new TraceFormatException($"handle list claims {count} entries, buffer holds {fits}", 0);
        var handles = new List<InventoryHandle>((int)count);
        for (int i = 0; i < (int)count; i++)
        {
            var e = MemoryMarshalRead<SystemHandleTableEntryInfoEx>(buffer, header + i * EntrySize);
            int pid = (int)e.UniqueProcessId;
            handles.Add(new InventoryHandle(pid, EtwHandleValue(pid, e.HandleValue), e.Object, e.ObjectTypeIndex, e.GrantedAccess));
        }
        return handles;
    }

    /// <summary>
    /// The handle value as ETW logs it. The System process's table is the kernel handle table: class 64 lists its
    /// values without bit 31 (0x4, 0x8, ...), while handle events carry kernel handles with 0x80000000 set
    /// (ETW_KERNEL_HANDLE_MASK), so without the bit no later close of a kernel handle would match its row.
    /// </summary>
    public static uint EtwHandleValue(int processId, ulong handleValue) =>
        processId == HandleTracker.KernelPid ? (uint)handleValue | HandleEvent.KernelHandleBit : (uint)handleValue;

    /// <summary>Type index → name. <paramref name="osBuildAtLeast81"/> false: the index is position + 2 (pre-8.1).</summary>
    public static Dictionary<ushort, string> ParseObjectTypes(ReadOnlySpan<byte> buffer, bool osBuildAtLeast81 = true)
    {
        if (buffer.Length < 8) throw new TraceFormatException("type list shorter than its header", 0);
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(buffer);
        var types = new Dictionary<ushort, string>();
        int offset = 8; // ALIGN_UP(sizeof(ULONG), pointer)
        for (uint i = 0; i < count; i++)
        {
            if (offset > buffer.Length - TypeInfoSize)
                throw new TraceFormatException($"type entry {i} runs past the buffer", offset);
            var info = MemoryMarshalRead<ObjectTypeInformation>(buffer, offset);
            int nameStart = offset + TypeInfoSize;
            int maxLength = info.TypeName.MaximumLength;
            if (info.TypeName.Length > maxLength || nameStart > buffer.Length - maxLength)
                throw new TraceFormatException($"type entry {i} name runs past the buffer", nameStart);
            string name = System.Text.Encoding.Unicode.GetString(buffer.Slice(nameStart, info.TypeName.Length & ~1));
            ushort index = osBuildAtLeast81 ? info.TypeIndex : (ushort)(i + 2);
            types[index] = name;
            offset = nameStart + AlignUp(maxLength, 8);
        }
        return types;
    }

    private static int AlignUp(int value, int alignment) => (value + alignment - 1) & ~(alignment - 1);

    private static T MemoryMarshalRead<T>(ReadOnlySpan<byte> buffer, int offset) where T : unmanaged =>
        System.Runtime.InteropServices.MemoryMarshal.Read<T>(buffer.Slice(offset, Unsafe.SizeOf<T>()));
}
