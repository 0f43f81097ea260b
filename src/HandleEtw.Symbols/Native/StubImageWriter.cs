using System.Buffers.Binary;
using System.Text;

namespace HandleEtw.Symbols.Native;

/// <summary>
/// Writes a minimal PE32+ file whose only content is a CodeView debug entry naming a PDB. llvm-symbolizer reads
/// PDBs through the image that references them, and a trace's images are usually not on this machine: the stub stands
/// in for the image, so a PDB alone (symbol cache, symbol server) can be symbolized.
/// </summary>
public static class StubImageWriter
{
    public const ulong ImageBase = 0x1_4000_0000;
    private const int HeadersSize = 0x200;
    private const int SectionRva = 0x1000;
    private const int DebugDirectorySize = 28;

    public static void Write(string stubPath, Guid guid, int age, string pdbPath)
    {
        byte[] pdbName = Encoding.UTF8.GetBytes(Path.GetFullPath(pdbPath));
        int codeViewSize = 4 + 16 + 4 + pdbName.Length + 1;
        int rawSize = Align(DebugDirectorySize + codeViewSize, 0x200);
        var image = new byte[HeadersSize + rawSize];
        var span = image.AsSpan();
        WriteHeaders(span, rawSize, DebugDirectorySize + codeViewSize);
        WriteDebugData(span[HeadersSize..], guid, age, pdbName, codeViewSize);
        File.WriteAllBytes(stubPath, image);
    }

    private static void WriteHeaders(Span<byte> b, int rawSize, int usedSize)
    {
        b[0] = (byte)'M'; b[1] = (byte)'Z';
        U32(b, 0x3C, 0x40);
        "PE\0\0"u8.CopyTo(b[0x40..]);
        int coff = 0x44;
        U16(b, coff, 0x8664);          // AMD64
        U16(b, coff + 2, 1);           // one section
        U16(b, coff + 16, 240);        // PE32+ optional header size
        U16(b, coff + 18, 0x22);       // executable image, large address aware
        int opt = coff + 20;
        U16(b, opt, 0x20B);
        U32(b, opt + 32, 0x1000);      // section alignment
        U32(b, opt + 36, 0x200);       // file alignment
        U16(b, opt + 40, 6);           // OS version 6.0
        U16(b, opt + 48, 6);           // subsystem version 6.0
        BinaryPrimitives.WriteUInt64LittleEndian(b[(opt + 24)..], ImageBase);
        U32(b, opt + 56, (uint)(SectionRva + Align(rawSize, 0x1000))); // size of image
        U32(b, opt + 60, HeadersSize);
        U16(b, opt + 68, 3);           // console subsystem
        U32(b, opt + 108, 16);         // data directory count
        int debugDirectory = opt + 112 + 6 * 8;
        U32(b, debugDirectory, SectionRva);
        U32(b, debugDirectory + 4, DebugDirectorySize);
        int section = opt + 240;
        ".rdata"u8.CopyTo(b[section..]);
        U32(b, section + 8, (uint)usedSize);
        U32(b, section + 12, SectionRva);
        U32(b, section + 16, (uint)rawSize);
        U32(b, section + 20, HeadersSize);
        U32(b, section + 36, 0x4000_0040); // initialized data, readable
    }

    private static void WriteDebugData(Span<byte> b, Guid guid, int age, byte[] pdbName, int codeViewSize)
    {
        U32(b, 12, 2);                 // IMAGE_DEBUG_TYPE_CODEVIEW
        U32(b, 16, (uint)codeViewSize);
        U32(b, 20, SectionRva + DebugDirectorySize);
        U32(b, 24, HeadersSize + DebugDirectorySize);
        var cv = b[DebugDirectorySize..];
        "RSDS"u8.CopyTo(cv);
        guid.TryWriteBytes(cv[4..]);
        U32(cv, 20, (uint)age);
        pdbName.CopyTo(cv[24..]);
    }

    private static int Align(int value, int alignment) => (value + alignment - 1) / alignment * alignment;
    private static void U16(Span<byte> b, int at, ushort v) => BinaryPrimitives.WriteUInt16LittleEndian(b[at..], v);
    private static void U32(Span<byte> b, int at, uint v) => BinaryPrimitives.WriteUInt32LittleEndian(b[at..], v);
}
