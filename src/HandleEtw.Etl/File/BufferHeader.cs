using System.Buffers.Binary;

namespace HandleEtw.Etl.File;

/// <summary>WMI_BUFFER_HEADER: the 0x48 bytes in front of every .etl buffer (etl-format.md §2.1).</summary>
internal readonly struct BufferHeader
{
    public const int Size = 0x48;
    public const ushort FlagProcessorIndex = 0x20;
    public const ushort FlagCompressed = 0x40;
    public const ushort TypeHeader = 4;

    /// <summary>Bytes the buffer occupies in the file (the compressed size for compressed buffers).</summary>
    public uint BufferSize { get; init; }

    /// <summary>End of used data, header included; for compressed buffers 0x48 + decompressed size.</summary>
    public uint SavedOffset { get; init; }
    public long SequenceNumber { get; init; }
    public ushort Processor { get; init; }
    public uint State { get; init; }
    public ushort Flags { get; init; }
    public ushort BufferType { get; init; }

    public bool IsCompressed => (Flags & FlagCompressed) != 0;

    /// <summary>Bytes of event data once decompressed.</summary>
    public int DataLength => (int)(SavedOffset - Size);

    public static BufferHeader Parse(ReadOnlySpan<byte> bytes)
    {
        ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(bytes[0x34..]);
        ushort context = BinaryPrimitives.ReadUInt16LittleEndian(bytes[0x28..]);
        return new BufferHeader
        {
            BufferSize = BinaryPrimitives.ReadUInt32LittleEndian(bytes),
            SavedOffset = BinaryPrimitives.ReadUInt32LittleEndian(bytes[4..]),
            SequenceNumber = BinaryPrimitives.ReadInt64LittleEndian(bytes[0x18..]),
            Processor = (flags & FlagProcessorIndex) != 0 ? (ushort)(context & 0x07FF) : (ushort)(context & 0xFF),
            State = BinaryPrimitives.ReadUInt32LittleEndian(bytes[0x2C..]),
            Flags = flags,
            BufferType = BinaryPrimitives.ReadUInt16LittleEndian(bytes[0x36..]),
        };
    }
}
