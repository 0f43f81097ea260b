namespace HandleEtw.Symbols.Native.Pdb;

/// <summary>One compiland of the DBI module list: where its symbols and C13 line information are.</summary>
public readonly record struct DbiModule(string Name, int SymbolStream, uint SymbolBytes, uint C11Bytes, uint C13Bytes);

/// <summary>A PE section as the PDB records it: segment numbers in symbols are 1-based indexes into these.</summary>
public readonly record struct PdbSection(uint VirtualAddress, uint VirtualSize);

/// <summary>
/// The DBI stream (stream 3): its header names the symbol record stream, the module list says where each compiland's
/// symbols are, and the optional debug header names the stream of section headers that turns segment:offset into RVAs.
/// </summary>
public sealed class DbiStream
{
    public const int StreamIndex = 3;
    private const int HeaderSize = 64;
    private const int ModuleFixedSize = 64;
    private const int SectionHeaderSlot = 5; // in the optional debug header: the stream of IMAGE_SECTION_HEADERs
    private const int SectionHeaderSize = 40;
    private const ushort NoStream = 0xFFFF;

    public required int SymbolRecordStream { get; init; }
    public required IReadOnlyList<DbiModule> Modules { get; init; }
    public required IReadOnlyList<PdbSection> Sections { get; init; }

    public static DbiStream Read(MsfFile msf)
    {
        var dbi = msf.Read(StreamIndex);
        if (dbi.Length == 0) throw dbi.Damaged(0, "no DBI stream (a compiler's type-only PDB, not the linker's)");
        if (dbi.Length < HeaderSize) throw dbi.Damaged(0, $"DBI stream of {dbi.Length} bytes, shorter than its header");
        if (dbi.I32(0) != -1) throw dbi.Damaged(0, "DBI stream without the new-format signature");
        long[] sizes = new long[7]; // modules, section contributions, section map, sources, type servers, EC, debug header
        int[] at = [24, 28, 32, 36, 40, 52, 48];
        for (int i = 0; i < sizes.Length; i++)
        {
            sizes[i] = dbi.I32(at[i]);
            if (sizes[i] < 0) throw dbi.Damaged(at[i], $"negative DBI substream size {sizes[i]}");
        }
        long modules = HeaderSize;
        long debugHeader = HeaderSize + sizes[..6].Sum();
        dbi.Check(modules, sizes[0], "DBI module list");
        dbi.Check(debugHeader, sizes[6], "DBI optional debug header");
        return new DbiStream
        {
            SymbolRecordStream = Stream(dbi.U16(20)),
            Modules = ReadModules(dbi, modules, modules + sizes[0]),
            Sections = ReadSections(msf, dbi, debugHeader, sizes[6]),
        };
    }

    private static int Stream(ushort index) => index == NoStream ? -1 : index;

    private static List<DbiModule> ReadModules(MsfStream dbi, long at, long end)
    {
        var modules = new List<DbiModule>();
        while (at + ModuleFixedSize <= end)
        {
            int stream = Stream(dbi.U16(at + 34));
            uint symbols = dbi.U32(at + 36), c11 = dbi.U32(at + 40), c13 = dbi.U32(at + 44);
            string name = dbi.CString(at + ModuleFixedSize, end);
            long objectName = at + ModuleFixedSize + System.Text.Encoding.UTF8.GetByteCount(name) + 1;
            string obj = dbi.CString(objectName, end);
            modules.Add(new DbiModule(name, stream, symbols, c11, c13));
            at = Align4(objectName + System.Text.Encoding.UTF8.GetByteCount(obj) + 1);
        }
        return modules;
    }

    private static List<PdbSection> ReadSections(MsfFile msf, MsfStream dbi, long debugHeader, long size)
    {
        if (size < 2 * (SectionHeaderSlot + 1)) throw dbi.Damaged(debugHeader, "DBI has no section header stream");
        int index = Stream(dbi.U16(debugHeader + 2 * SectionHeaderSlot));
        if (index < 0) throw dbi.Damaged(debugHeader, "DBI has no section header stream");
        var headers = msf.Read(index);
        var sections = new List<PdbSection>(headers.Length / SectionHeaderSize);
        for (long at = 0; at + SectionHeaderSize <= headers.Length; at += SectionHeaderSize)
            sections.Add(new PdbSection(headers.U32(at + 12), headers.U32(at + 8)));
        return sections;
    }

    /// <summary>The RVA of segment:offset; null when the segment is not a section of the image.</summary>
    public uint? Rva(ushort segment, uint offset) =>
        segment >= 1 && segment <= Sections.Count && (ulong)Sections[segment - 1].VirtualAddress + offset <= uint.MaxValue
            ? Sections[segment - 1].VirtualAddress + offset
            : null;

    /// <summary>The end RVA of the section holding segment, so a public symbol never reaches into the next section.</summary>
    public uint SectionEnd(ushort segment)
    {
        var s = Sections[segment - 1];
        return (uint)Math.Min(uint.MaxValue, (ulong)s.VirtualAddress + s.VirtualSize);
    }

    internal static long Align4(long value) => (value + 3) & ~3L;
}
