namespace HandleEtw.Symbols.Native.Pdb;

/// <summary>A function the PDB knows: start RVA, size in bytes (0 for a public symbol) and name.</summary>
public readonly record struct PdbFunction(uint Start, uint Size, string Name);

/// <summary>
/// Walks CodeView symbol records (2-byte length, 2-byte kind, payload): the procedures of a module symbol stream and
/// the public function symbols of the symbol record stream.
/// </summary>
public static class CodeViewSymbols
{
    private const ushort S_PUB32 = 0x110E;
    private const ushort S_LPROC32 = 0x110F;
    private const ushort S_GPROC32 = 0x1110;
    private const ushort S_LPROC32_ID = 0x1146;
    private const ushort S_GPROC32_ID = 0x1147;
    private const uint PublicIsFunction = 0x2;
    private const int ProcNameAt = 39;   // length, kind, parent, end, next, size, debug start/end, type, offset, segment, flags
    private const int PublicNameAt = 14; // length, kind, flags, offset, segment

    /// <summary>S_GPROC32/S_LPROC32 (and their _ID forms) in [start, end) of a module symbol stream.</summary>
    public static void ReadProcedures(MsfStream stream, long start, long end, DbiStream dbi, List<PdbFunction> into)
    {
        foreach (var (at, kind, recordEnd) in Records(stream, start, end))
        {
            if (kind is not (S_GPROC32 or S_LPROC32 or S_GPROC32_ID or S_LPROC32_ID)) continue;
            if (recordEnd < at + ProcNameAt) throw stream.Damaged(at, $"procedure record of {recordEnd - at} bytes");
            uint size = stream.U32(at + 16);
            uint? rva = dbi.Rva(stream.U16(at + 36), stream.U32(at + 32));
            if (rva is { } r) into.Add(new PdbFunction(r, size, stream.CString(at + ProcNameAt, recordEnd)));
        }
    }

    /// <summary>S_PUB32 records flagged as functions in the symbol record stream, with the end of their section.</summary>
    public static void ReadPublicFunctions(MsfStream stream, DbiStream dbi, List<(PdbFunction Function, uint SectionEnd)> into)
    {
        foreach (var (at, kind, recordEnd) in Records(stream, 0, stream.Length))
        {
            if (kind != S_PUB32) continue;
            if (recordEnd < at + PublicNameAt) throw stream.Damaged(at, $"public symbol record of {recordEnd - at} bytes");
            if ((stream.U32(at + 4) & PublicIsFunction) == 0) continue;
            ushort segment = stream.U16(at + 12);
            if (dbi.Rva(segment, stream.U32(at + 8)) is { } rva)
                into.Add((new PdbFunction(rva, 0, MsvcNames.Undecorate(stream.CString(at + PublicNameAt, recordEnd))), dbi.SectionEnd(segment)));
        }
    }

    /// <summary>Each record's start, kind and end; a record running past <paramref name="end"/> is damage.</summary>
    private static IEnumerable<(long At, ushort Kind, long End)> Records(MsfStream stream, long start, long end)
    {
        stream.Check(start, end - start, "symbol records");
        for (long at = start; at + 4 <= end;)
        {
            ushort length = stream.U16(at);
            long recordEnd = at + 2 + length;
            if (length < 2 || recordEnd > end) throw stream.Damaged(at, $"symbol record of {length} bytes past its stream");
            yield return (at, stream.U16(at + 2), recordEnd);
            at = recordEnd;
        }
    }
}
