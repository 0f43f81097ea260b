using System.Runtime.Versioning;
using Microsoft.Diagnostics.Symbols;

namespace HandleEtw.Symbols.Native;

/// <summary>Windows: a native PDB read through TraceEvent's NativeSymbolModule (DIA).</summary>
[SupportedOSPlatform("windows")]
public sealed class DiaPdbSymbols(NativeSymbolModule module) : IPdbSymbols
{
    public static DiaPdbSymbols? TryOpen(SymbolReader reader, string pdbPath)
    {
        try
        {
            return reader.OpenNativeSymbolFile(pdbPath) is { } module ? new DiaPdbSymbols(module) : null;
        }
        catch (Exception e) when (e is IOException or System.Runtime.InteropServices.COMException or DllNotFoundException)
        {
            return null;
        }
    }

    public ResolvedFrame? Resolve(uint rva)
    {
        uint start = 0;
        string name = module.FindNameForRva(rva, ref start);
        if (string.IsNullOrEmpty(name)) return null;
        var source = module.SourceLocationForRva(rva);
        return new ResolvedFrame(name, start != 0 && start <= rva ? rva - start : null,
            source?.SourceFile?.BuildTimeFilePath, source?.LineNumber ?? 0);
    }
}
