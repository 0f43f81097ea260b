using System.Buffers.Binary;
using HandleEtw.Synthetic.Etl;

namespace HandleEtw.Tests.Synthetic;

/// <summary>One record as the test walker saw it.</summary>
internal sealed record WalkedRecord(int BufferIndex, int Cpu, long Sequence, int Offset, RecordHeaderType Type, ushort Hook,
    byte Version, int Pid, int Tid, long Timestamp, Guid Guid, byte Opcode, byte[] Payload);

internal sealed record WalkedBuffer(long FileOffset, int BufferSize, int SavedOffset, int Cpu, long Sequence, ushort Flags, ushort Type, uint State, byte[] Data);

/// <summary>
/// A deliberately plain walk over the file per etl-format.md §2.1-§2.2, checking framing on the way; the product's
/// reader is tested separately. Used to check what the synthetic writer produced.
/// </summary>
internal static class TestEtlWalker
{
    public static List<WalkedBuffer> Buffers(byte[] file)
    {
        var buffers = new List<WalkedBuffer>();
        for (long offset = 0; offset < file.Length;)
        {
            var b = file.AsSpan((int)offset);
            int size = BinaryPrimitives.ReadInt32LittleEndian(b);
            int saved = BinaryPrimitives.ReadInt32LittleEndian(b[4..]);
            ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(b[0x34..]);
            Assert.InRange(size, EtlConstants.BufferHeaderSize, file.Length - offset);
            Assert.True(saved >= EtlConstants.BufferHeaderSize);
            byte[] data;
            if ((flags & EtlConstants.FlagCompressed) != 0)
            {
                data = new byte[saved];
                b[..EtlConstants.BufferHeaderSize].CopyTo(data);
                TestXpressDecoder.Decode(b[EtlConstants.BufferHeaderSize..size], saved - EtlConstants.BufferHeaderSize)
                    .CopyTo(data, EtlConstants.BufferHeaderSize);
            }
            else
            {
                Assert.True(saved <= size);
                data = b[..size].ToArray();
            }
            buffers.Add(new WalkedBuffer(offset, size, saved, BinaryPrimitives.ReadUInt16LittleEndian(b[0x28..]) & 0x7FF,
                BinaryPrimitives.ReadInt64LittleEndian(b[0x18..]), flags, BinaryPrimitives.ReadUInt16LittleEndian(b[0x36..]),
                BinaryPrimitives.ReadUInt32LittleEndian(b[0x2C..]), data));
            offset += size;
        }
        return buffers;
    }

    public static List<WalkedRecord> Records(byte[] file)
    {
        var records = new List<WalkedRecord>();
        List<WalkedBuffer> buffers = Buffers(file);
        for (int i = 0; i < buffers.Count; i++)
        {
            WalkedBuffer buffer = buffers[i];
            for (int offset = EtlConstants.BufferHeaderSize; offset < buffer.SavedOffset;)
            {
                Assert.Equal(0, offset % 8);
                WalkedRecord record = Parse(buffer, i, offset, out int size);
                records.Add(record);
                offset += (size + 7) & ~7;
                Assert.True(offset <= buffer.SavedOffset, "record spans past SavedOffset");
            }
        }
        return records;
    }

    private static WalkedRecord Parse(WalkedBuffer buffer, int index, int offset, out int size)
    {
        ReadOnlySpan<byte> r = buffer.Data.AsSpan(offset);
        var type = (RecordHeaderType)r[2];
        Assert.Equal(0xC0, r[3]);
        int headerSize;
        ushort hook = 0;
        byte version = 0, opcode = 0;
        int pid = -1, tid = -1;
        long ts;
        Guid guid = Guid.Empty;
        switch (type)
        {
            case RecordHeaderType.System32 or RecordHeaderType.System64 or RecordHeaderType.Compact32 or RecordHeaderType.Compact64:
                headerSize = type is RecordHeaderType.System32 or RecordHeaderType.System64 ? 32 : 24;
                size = BinaryPrimitives.ReadUInt16LittleEndian(r[4..]);
                hook = BinaryPrimitives.ReadUInt16LittleEndian(r[6..]);
                version = r[0];
                tid = BinaryPrimitives.ReadInt32LittleEndian(r[8..]);
                pid = BinaryPrimitives.ReadInt32LittleEndian(r[12..]);
                ts = BinaryPrimitives.ReadInt64LittleEndian(r[16..]);
                break;
            case RecordHeaderType.PerfInfo32 or RecordHeaderType.PerfInfo64:
                headerSize = 16;
                size = BinaryPrimitives.ReadUInt16LittleEndian(r[4..]);
                hook = BinaryPrimitives.ReadUInt16LittleEndian(r[6..]);
                version = r[0];
                ts = BinaryPrimitives.ReadInt64LittleEndian(r[8..]);
                break;
            case RecordHeaderType.FullHeader32 or RecordHeaderType.FullHeader64 or RecordHeaderType.EventHeader64:
                bool full = type != RecordHeaderType.EventHeader64;
                headerSize = full ? 48 : 80;
                size = BinaryPrimitives.ReadUInt16LittleEndian(r);
                tid = BinaryPrimitives.ReadInt32LittleEndian(r[8..]);
                pid = BinaryPrimitives.ReadInt32LittleEndian(r[12..]);
                ts = BinaryPrimitives.ReadInt64LittleEndian(r[16..]);
                guid = new Guid(r.Slice(24, 16));
                opcode = full ? r[4] : r[45];
                break;
            default:
                throw new InvalidDataException($"unknown header type {type} at {offset}");
        }
        Assert.InRange(size, headerSize, buffer.SavedOffset - offset);
        return new WalkedRecord(index, buffer.Cpu, buffer.Sequence, offset, type, hook, version, pid, tid, ts, guid, opcode,
            r[headerSize..size].ToArray());
    }
}
