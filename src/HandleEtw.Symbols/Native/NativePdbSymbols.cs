namespace HandleEtw.Symbols.Native;

/// <summary>A native PDB symbolized through llvm-symbolizer (names, lines) and its function table (function starts).</summary>
public sealed class NativePdbSymbols : IPdbSymbols
{
    private readonly LlvmSymbolizerProcess _symbolizer;
    private readonly string _stubPath;
    private readonly PdbFunctionTable? _functions;

    private NativePdbSymbols(LlvmSymbolizerProcess symbolizer, string stubPath, PdbFunctionTable? functions)
    {
        _symbolizer = symbolizer;
        _stubPath = stubPath;
        _functions = functions;
    }

    /// <param name="stubDirectory">A folder this process owns, for the stand-in image that names the PDB.</param>
    public static NativePdbSymbols Open(LlvmSymbolizerProcess symbolizer, string pdbPath, PdbIdentity identity, string stubDirectory)
    {
        string stub = Path.Combine(stubDirectory, $"{identity.Guid:N}{identity.Age:X}.exe");
        StubImageWriter.Write(stub, identity.Guid, identity.Age, pdbPath);
        return new NativePdbSymbols(symbolizer, stub, PdbFunctionTable.TryLoad(pdbPath));
    }

    /// <summary>Function, offset from its start, and source line for an RVA; null when the PDB has no function there.</summary>
    public ResolvedFrame? Resolve(uint rva)
    {
        var code = _symbolizer.Query(_stubPath, StubImageWriter.ImageBase + rva);
        var function = _functions?.Find(rva);
        string? name = code.Function ?? function?.Name;
        if (name is null) return null;
        // The table's start is trusted only for the function llvm-symbolizer named (or when it named none).
        bool sameFunction = function is { } f && (code.Function is null || NamesMatch(f.Name, code.Function));
        ulong? offset = sameFunction ? rva - function!.Value.Start : null;
        return new ResolvedFrame(name, offset, code.File, code.Line);
    }

    private static bool NamesMatch(string tableName, string symbolizerName) =>
        tableName == symbolizerName || tableName.EndsWith(symbolizerName, StringComparison.Ordinal) ||
        symbolizerName.EndsWith(tableName, StringComparison.Ordinal);
}
