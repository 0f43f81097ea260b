namespace HandleEtw.Symbols.Native.Pdb;

/// <summary>A run of code [Start, End) generated from one source line.</summary>
public readonly record struct PdbLine(uint Start, uint End, string? File, int Line);

/// <summary>
/// The C13 line information of one module: DEBUG_S_LINES subsections (code ranges, blocks of offset → line per file)
/// and the DEBUG_S_FILECHKSMS subsection whose entries name the files through the /names table.
/// </summary>
public static class C13Lines
{
    private const uint DebugSLines = 0xF2;
    private const uint DebugSFileChecksums = 0xF4;
    private const uint IgnoredSubsection = 0x8000_0000;
    private const ushort HasColumns = 0x1;
    private const int LinesHeaderSize = 12;  // offset, segment, flags, code size
    private const int BlockHeaderSize = 12;  // file checksum offset, line count, block size
    private const int HiddenLine = 0xFEEFEE; // compiler-generated code with no source line

    public static void Read(MsfStream stream, long start, long end, DbiStream dbi, PdbNames names, List<PdbLine> into)
    {
        stream.Check(start, end - start, "C13 line information");
        long checksums = -1;
        foreach (var (kind, at, length) in Subsections(stream, start, end))
            if (kind == DebugSFileChecksums) checksums = at;
        foreach (var (kind, at, length) in Subsections(stream, start, end))
            if (kind == DebugSLines) ReadLines(stream, at, at + length, checksums, dbi, names, into);
    }

    private static IEnumerable<(uint Kind, long At, long Length)> Subsections(MsfStream stream, long start, long end)
    {
        for (long at = start; at + 8 <= end;)
        {
            uint kind = stream.U32(at), length = stream.U32(at + 4);
            if (at + 8 + length > end) throw stream.Damaged(at, $"C13 subsection of {length} bytes past its module");
            if ((kind & IgnoredSubsection) == 0) yield return (kind, at + 8, length);
            at = DbiStream.Align4(at + 8 + length);
        }
    }

    private static void ReadLines(MsfStream s, long at, long end, long checksums, DbiStream dbi, PdbNames names, List<PdbLine> into)
    {
        if (end - at < LinesHeaderSize) throw s.Damaged(at, "line subsection shorter than its header");
        uint? baseRva = dbi.Rva(s.U16(at + 4), s.U32(at));
        bool columns = (s.U16(at + 6) & HasColumns) != 0;
        uint codeEnd = baseRva is { } b ? (uint)Math.Min(uint.MaxValue, (ulong)b + s.U32(at + 8)) : 0;
        var entries = new List<(uint Start, string? File, int Line)>();
        for (at += LinesHeaderSize; at + BlockHeaderSize <= end;)
        {
            uint count = s.U32(at + 4), size = s.U32(at + 8);
            long needed = BlockHeaderSize + count * (columns ? 12L : 8L);
            if (size < needed || at + size > end) throw s.Damaged(at, $"line block of {count} lines in {size} bytes");
            string? file = FileName(s, checksums, s.U32(at), names);
            for (long line = at + BlockHeaderSize, last = line + 8L * count; line < last; line += 8)
            {
                int number = (int)(s.U32(line + 4) & 0xFFFFFF);
                if (baseRva is { } rva && (ulong)rva + s.U32(line) < codeEnd)
                    entries.Add((rva + s.U32(line), file, number == HiddenLine ? 0 : number));
            }
            at += size;
        }
        entries.Sort((x, y) => x.Start.CompareTo(y.Start));
        for (int i = 0; i < entries.Count; i++)
        {
            uint stop = i + 1 < entries.Count ? entries[i + 1].Start : codeEnd;
            if (stop > entries[i].Start) into.Add(new PdbLine(entries[i].Start, stop, entries[i].File, entries[i].Line));
        }
    }

    /// <summary>The file a line block names: an entry of the checksum subsection, whose first field is a /names offset.</summary>
    private static string? FileName(MsfStream stream, long checksums, uint entry, PdbNames names) =>
        checksums < 0 ? null : names.At(stream.U32(checksums + entry));
}
