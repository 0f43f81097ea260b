using System.Buffers.Binary;
using HandleEtw.Windows.Native;

namespace HandleEtw.Windows.Ring;

/// <summary>
/// Flattens EVENT_HEADER_EXTENDED_DATA_ITEMs into ring bytes in the .etl file's form, which the shared decoder
/// (StackWalkPayloads.TryReadExtendedStack) reads: per item an 8-byte header {Reserved u16, ExtType u16, Linkage u16
/// (bit 0: another item follows), DataSize u16}, then the data padded to 8 bytes. Without the padding and the
/// Linkage bit a stack item after a TS_ID or SID item would not be found.
/// </summary>
public static unsafe class ExtendedItems
{
    private const int ItemHeader = 8;

    public static int PackedLength(ReadOnlySpan<EventHeaderExtendedDataItem> items)
    {
        int total = 0;
        foreach (EventHeaderExtendedDataItem item in items) total += ItemHeader + Padded(item.DataSize);
        return total;
    }

    /// <summary>Writes the items (data read through their DataPtr) into exactly <see cref="PackedLength"/> bytes.</summary>
    public static void Pack(ReadOnlySpan<EventHeaderExtendedDataItem> items, Span<byte> target)
    {
        int offset = 0;
        for (int i = 0; i < items.Length; i++)
        {
            EventHeaderExtendedDataItem item = items[i];
            Span<byte> header = target.Slice(offset, ItemHeader);
            BinaryPrimitives.WriteUInt16LittleEndian(header, 0);
            BinaryPrimitives.WriteUInt16LittleEndian(header[2..], item.ExtType);
            BinaryPrimitives.WriteUInt16LittleEndian(header[4..], (ushort)(i + 1 < items.Length ? 1 : 0));
            BinaryPrimitives.WriteUInt16LittleEndian(header[6..], item.DataSize);
            Span<byte> data = target.Slice(offset + ItemHeader, Padded(item.DataSize));
            if (item.DataSize > 0 && item.DataPtr != 0)
                new ReadOnlySpan<byte>((void*)item.DataPtr, item.DataSize).CopyTo(data);
            else
                data[..item.DataSize].Clear();
            data[item.DataSize..].Clear();
            offset += ItemHeader + data.Length;
        }
    }

    private static int Padded(int size) => (size + 7) & ~7;
}
