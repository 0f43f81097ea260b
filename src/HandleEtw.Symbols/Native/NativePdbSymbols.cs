using HandleEtw.Symbols.Native.Pdb;

namespace HandleEtw.Symbols.Native;

/// <summary>A native PDB read by the managed reader: function, offset from its start and source line for an RVA.</summary>
public sealed class NativePdbSymbols(PdbSymbolTable table) : IPdbSymbols
{
    /// <exception cref="Core.Records.TraceFormatException">The PDB is damaged.</exception>
    public static NativePdbSymbols Open(string pdbPath) => new(PdbSymbolTable.Read(pdbPath));

    /// <summary>Null when the PDB has no function at <paramref name="rva"/>.</summary>
    public ResolvedFrame? Resolve(uint rva)
    {
        if (table.Function(rva) is not { } function) return null;
        var line = table.Line(rva) is { Line: > 0 } known ? known : (PdbLine?)null;
        return new ResolvedFrame(function.Name, rva - function.Start, line?.File, line?.Line ?? 0);
    }
}
