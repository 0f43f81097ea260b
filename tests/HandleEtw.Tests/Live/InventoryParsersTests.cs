using System.Buffers.Binary;
using System.Text;
using HandleEtw.Core.Records;
using HandleEtw.Windows.Inventory;

namespace HandleEtw.Tests.Live;

public class InventoryParsersTests
{
    private static byte[] HandleList(int claimed, params (ulong Obj, int Pid, uint Handle, ushort Type)[] rows)
    {
        var b = new byte[16 + rows.Length * 40];
        BinaryPrimitives.WriteUInt64LittleEndian(b, (ulong)claimed);
        for (int i = 0; i < rows.Length; i++)
        {
            Span<byte> e = b.AsSpan(16 + i * 40);
            BinaryPrimitives.WriteUInt64LittleEndian(e, rows[i].Obj);
            BinaryPrimitives.WriteUInt64LittleEndian(e[8..], (ulong)rows[i].Pid);
            BinaryPrimitives.WriteUInt64LittleEndian(e[16..], rows[i].Handle);
            BinaryPrimitives.WriteUInt32LittleEndian(e[24..], 0x1F0003);
            BinaryPrimitives.WriteUInt16LittleEndian(e[30..], rows[i].Type);
        }
        return b;
    }

    [Fact]
    public void Handle_rows_are_read_at_their_offsets()
    {
        var rows = InventoryParsers.ParseHandles(HandleList(2, (0xffffc283aeea3e60, 1234, 0x44, 16), (0, 4, 0x80000044, 37)));
        Assert.Equal(new InventoryHandle(1234, 0x44, 0xffffc283aeea3e60, 16, 0x1F0003), rows[0]);
        Assert.Equal(4, rows[1].ProcessId);
        Assert.Equal(0x80000044u, rows[1].Handle);
    }

    [Fact]
    public void System_process_rows_get_the_kernel_handle_bit_that_handle_events_carry()
    {
        var rows = InventoryParsers.ParseHandles(HandleList(3, (1, 4, 0x4, 7), (2, 4, 0x80000008, 7), (3, 1234, 0x4, 16)));
        Assert.Equal(0x80000004u, rows[0].Handle);
        Assert.Equal(0x80000008u, rows[1].Handle);
        Assert.Equal(0x4u, rows[2].Handle);
    }

    [Fact]
    public void A_count_larger_than_the_buffer_is_a_format_error()
    {
        Assert.Throws<TraceFormatException>(() => InventoryParsers.ParseHandles(HandleList(3, (1, 1, 4, 1))));
        Assert.Throws<TraceFormatException>(() => InventoryParsers.ParseHandles(new byte[8]));
    }

    private static byte[] TypeList(params (string Name, byte Index)[] types)
    {
        var b = new List<byte>(new byte[8]);
        BinaryPrimitives.WriteUInt32LittleEndian(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(b), (uint)types.Length);
        foreach (var (name, index) in types)
        {
            byte[] chars = Encoding.Unicode.GetBytes(name);
            int max = chars.Length + 2;
            var entry = new byte[104 + ((max + 7) & ~7)];
            BinaryPrimitives.WriteUInt16LittleEndian(entry, (ushort)chars.Length);
            BinaryPrimitives.WriteUInt16LittleEndian(entry.AsSpan(2), (ushort)max);
            entry[90] = index;
            chars.CopyTo(entry, 104);
            b.AddRange(entry);
        }
        return b.ToArray();
    }

    [Fact]
    public void Type_names_are_walked_with_aligned_name_lengths()
    {
        var types = InventoryParsers.ParseObjectTypes(TypeList(("Type", 2), ("Event", 16), ("Key", 44)));
        Assert.Equal("Event", types[16]);
        Assert.Equal("Key", types[44]);
        Assert.Equal(3, types.Count);
        Assert.Equal("Event", InventoryParsers.ParseObjectTypes(TypeList(("Type", 0), ("Event", 0)), osBuildAtLeast81: false)[3]);
    }

    [Fact]
    public void A_type_name_past_the_end_is_a_format_error()
    {
        byte[] list = TypeList(("Event", 16));
        Assert.Throws<TraceFormatException>(() => InventoryParsers.ParseObjectTypes(list.AsSpan(0, list.Length - 16)));
        BinaryPrimitives.WriteUInt32LittleEndian(list, 2);
        Assert.Throws<TraceFormatException>(() => InventoryParsers.ParseObjectTypes(list));
    }
}
