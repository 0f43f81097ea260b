using HandleEtw.Core.Events;
using HandleEtw.Core.Records;

namespace HandleEtw.Etl.Decoding;

/// <summary>
/// Image events: Load arrives as hook 0x030A (Process group, opcode 10) from files and as Image group opcode 10 from
/// live sessions; Unload 2, DCStart 3, DCEnd 4 and KernelBase 33 use the Image group.
/// </summary>
public static class ImagePayloads
{
    public const byte Load = 10;
    public const byte Unload = 2;
    public const byte DCStart = 3;
    public const byte DCEnd = 4;
    public const byte KernelBase = 33;

    public static bool IsImageEvent(in EventRecord r) =>
        (r.Group == KernelGroup.Process && r.Opcode == Load)
        || (r.Group == KernelGroup.Image && r.Opcode is Load or Unload or DCStart or DCEnd or KernelBase);

    /// <summary>Layout of versions 2 and 3. <see cref="ImageEvent.ProcessId"/> is the payload's process.</summary>
    public static bool TryRead(in EventRecord r, out ImageEvent e)
    {
        e = default;
        if (!IsImageEvent(r)) return false;
        var reader = new PayloadReader(r.Payload, r.PointerSize);
        if (r.Opcode == KernelBase)
        {
            ulong kernelBase = reader.ReadPointer();
            e = new ImageEvent
            {
                Op = ImageOp.KernelBase, Timestamp = r.Timestamp, ProcessId = 0, ImageBase = kernelBase, FileName = "",
            };
            return !reader.Failed;
        }
        if (r.Version < 2) return false;
        e = ReadLoadLayout(ref reader, r);
        return !reader.Failed;
    }

    // ImageBase ptr; ImageSize ptr; ProcessId u32; ImageChecksum u32; TimeDateStamp u32; 4 bytes (v3 signature
    // level/type, v2 reserved); DefaultBase ptr; Reserved1..4 u32; FileName UTF-16z.
    private static ImageEvent ReadLoadLayout(ref PayloadReader reader, in EventRecord r)
    {
        ulong imageBase = reader.ReadPointer();
        ulong imageSize = reader.ReadPointer();
        int pid = reader.ReadInt32();
        uint checksum = reader.ReadUInt32();
        uint timeDateStamp = reader.ReadUInt32();
        reader.Skip(4);
        reader.ReadPointer(); // DefaultBase
        reader.Skip(16);
        string fileName = reader.Remaining > 0 ? reader.ReadUtf16String() : "";
        return new ImageEvent
        {
            Op = OpFor(r.Opcode), Timestamp = r.Timestamp, ProcessId = pid, ImageBase = imageBase,
            ImageSize = imageSize, Checksum = checksum, TimeDateStamp = timeDateStamp, FileName = fileName,
        };
    }

    private static ImageOp OpFor(byte opcode) => opcode switch
    {
        Load => ImageOp.Load,
        Unload => ImageOp.Unload,
        DCStart => ImageOp.DCStart,
        _ => ImageOp.DCEnd,
    };
}
