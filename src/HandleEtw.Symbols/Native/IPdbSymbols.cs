namespace HandleEtw.Symbols.Native;

/// <summary>One opened native PDB: RVA → function, offset from its start and source line.</summary>
public interface IPdbSymbols
{
    ResolvedFrame? Resolve(uint rva);
}
