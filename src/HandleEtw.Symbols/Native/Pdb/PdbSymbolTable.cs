namespace HandleEtw.Symbols.Native.Pdb;

/// <summary>
/// What a native PDB says about code addresses, read once: procedures with their sizes (from every module's symbol
/// stream), public function symbols as the fallback for PDBs without private symbols (bounded by their section), and
/// C13 source lines. Module streams are read one at a time, so memory holds the tables and one stream.
/// </summary>
public sealed class PdbSymbolTable
{
    private readonly RangeTable<PdbFunction> _procedures;
    private readonly RangeTable<PdbFunction> _publics;
    private readonly RangeTable<PdbLine> _lines;

    private PdbSymbolTable(List<PdbFunction> procedures, List<(PdbFunction Function, uint SectionEnd)> publics, List<PdbLine> lines)
    {
        _procedures = new RangeTable<PdbFunction>(procedures.Select(p => (p.Start, (uint)Math.Min(uint.MaxValue, (ulong)p.Start + p.Size), p)));
        _publics = new RangeTable<PdbFunction>(PublicRanges(publics));
        _lines = new RangeTable<PdbLine>(lines.Select(l => (l.Start, l.End, l)));
    }

    public int ProcedureCount => _procedures.Count;
    public int PublicCount => _publics.Count;

    /// <exception cref="Core.Records.TraceFormatException">The file is not a PDB or a length or offset in it is damaged.</exception>
    public static PdbSymbolTable Read(string path)
    {
        using var msf = MsfFile.Open(path);
        var dbi = DbiStream.Read(msf);
        var names = PdbNames.Read(msf);
        var procedures = new List<PdbFunction>();
        var lines = new List<PdbLine>();
        foreach (var module in dbi.Modules)
        {
            if (module.SymbolStream < 0) continue;
            var stream = msf.Read(module.SymbolStream);
            long symbolsEnd = module.SymbolBytes, c13Start = symbolsEnd + module.C11Bytes;
            stream.Check(0, c13Start + module.C13Bytes, $"module {module.Name} symbols and lines");
            // The first four bytes are the CodeView signature (4 = C13).
            if (symbolsEnd > 4) CodeViewSymbols.ReadProcedures(stream, 4, symbolsEnd, dbi, procedures);
            if (module.C13Bytes > 0) C13Lines.Read(stream, c13Start, c13Start + module.C13Bytes, dbi, names, lines);
        }
        var publics = new List<(PdbFunction, uint)>();
        if (dbi.SymbolRecordStream >= 0) CodeViewSymbols.ReadPublicFunctions(msf.Read(dbi.SymbolRecordStream), dbi, publics);
        return new PdbSymbolTable(procedures, publics, lines);
    }

    /// <summary>The procedure containing <paramref name="rva"/>, else the nearest public function before it in its section.</summary>
    public PdbFunction? Function(uint rva) => _procedures.Find(rva) ?? _publics.Find(rva);

    /// <summary>The source line of the code at <paramref name="rva"/>; null outside the line tables.</summary>
    public PdbLine? Line(uint rva) => _lines.Find(rva);

    /// <summary>A public function reaches to the next public function or the end of its section, whichever is first.</summary>
    private static IEnumerable<(uint, uint, PdbFunction)> PublicRanges(List<(PdbFunction Function, uint SectionEnd)> publics)
    {
        publics.Sort((a, b) => a.Function.Start.CompareTo(b.Function.Start));
        for (int i = 0; i < publics.Count; i++)
        {
            var (function, end) = publics[i];
            if (i + 1 < publics.Count) end = Math.Min(end, Math.Max(function.Start + 1, publics[i + 1].Function.Start));
            yield return (function.Start, end, function);
        }
    }
}

/// <summary>Values over [start, end) RVA ranges, looked up by binary search; the first of equal starts wins.</summary>
internal sealed class RangeTable<T> where T : struct
{
    private readonly uint[] _starts;
    private readonly uint[] _ends;
    private readonly T[] _values;

    public RangeTable(IEnumerable<(uint Start, uint End, T Value)> ranges)
    {
        var sorted = ranges.Where(r => r.End > r.Start).OrderBy(r => r.Start).ThenByDescending(r => r.End).ToList();
        sorted = sorted.Where((r, i) => i == 0 || sorted[i - 1].Start != r.Start).ToList();
        _starts = sorted.Select(r => r.Start).ToArray();
        _ends = sorted.Select(r => r.End).ToArray();
        _values = sorted.Select(r => r.Value).ToArray();
    }

    public int Count => _starts.Length;

    public T? Find(uint rva)
    {
        int i = Array.BinarySearch(_starts, rva);
        if (i < 0) i = ~i - 1;
        return i >= 0 && rva < _ends[i] ? _values[i] : null;
    }
}
