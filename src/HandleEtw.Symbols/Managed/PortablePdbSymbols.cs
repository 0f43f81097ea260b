using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace HandleEtw.Symbols.Managed;

/// <summary>
/// Managed frames: (method token, IL offset) → `Namespace.Type.Method` and the source line of the nearest sequence
/// point, from an assembly and its portable PDB (System.Reflection.Metadata; works on every OS).
/// </summary>
public sealed class PortablePdbSymbols : IDisposable
{
    private readonly PEReader _assembly;
    private readonly MetadataReader _metadata;
    private readonly MetadataReaderProvider _pdbProvider;
    private readonly MetadataReader _pdb;

    private PortablePdbSymbols(PEReader assembly, MetadataReaderProvider pdbProvider)
    {
        _assembly = assembly;
        _metadata = assembly.GetMetadataReader();
        _pdbProvider = pdbProvider;
        _pdb = pdbProvider.GetMetadataReader();
    }

    /// <summary>Opens an assembly and the portable PDB beside it (or the one its CodeView entry names).</summary>
    /// <exception cref="FileNotFoundException">No portable PDB was found.</exception>
    public static PortablePdbSymbols Open(string assemblyPath, string? pdbPath = null)
    {
        var pe = new PEReader(File.OpenRead(assemblyPath));
        try
        {
            pdbPath ??= Path.ChangeExtension(assemblyPath, ".pdb");
            if (!File.Exists(pdbPath)) throw new FileNotFoundException($"no portable PDB beside {assemblyPath}", pdbPath);
            var identity = PdbIdentityReader.Read(pdbPath);
            var wanted = ImageIdentityReader.TryRead(assemblyPath);
            if (identity.Format != PdbFormat.Portable || wanted is null || !identity.Matches(wanted.Value.Guid, wanted.Value.Age))
                throw new InvalidDataException($"{pdbPath} does not match {assemblyPath}");
            var provider = MetadataReaderProvider.FromPortablePdbStream(File.OpenRead(pdbPath));
            return new PortablePdbSymbols(pe, provider);
        }
        catch
        {
            pe.Dispose();
            throw;
        }
    }

    /// <summary>Method name and source line for a MethodDef token and IL offset; null when the token is not a method here.</summary>
    public ResolvedFrame? Resolve(int methodToken, int ilOffset)
    {
        var handle = MetadataTokens.EntityHandle(methodToken);
        if (handle.Kind != HandleKind.MethodDefinition || MetadataTokens.GetRowNumber(handle) > _metadata.MethodDefinitions.Count)
            return null;
        var methodHandle = (MethodDefinitionHandle)handle;
        var method = _metadata.GetMethodDefinition(methodHandle);
        string name = TypeName(method.GetDeclaringType()) + "." + _metadata.GetString(method.Name);
        var (file, line) = SourceLine(methodHandle, ilOffset);
        return new ResolvedFrame(name, (ulong)ilOffset, file, line);
    }

    private string TypeName(TypeDefinitionHandle handle)
    {
        var type = _metadata.GetTypeDefinition(handle);
        string name = _metadata.GetString(type.Name);
        var outer = type.GetDeclaringType();
        if (!outer.IsNil) return TypeName(outer) + "+" + name;
        string ns = _metadata.GetString(type.Namespace);
        return ns.Length == 0 ? name : ns + "." + name;
    }

    /// <summary>The last visible sequence point at or before the IL offset.</summary>
    private (string? File, int Line) SourceLine(MethodDefinitionHandle method, int ilOffset)
    {
        var info = _pdb.GetMethodDebugInformation(method.ToDebugInformationHandle());
        (string? File, int Line) best = (null, 0);
        foreach (var point in info.GetSequencePoints())
        {
            if (point.Offset > ilOffset) break;
            if (point.IsHidden) continue;
            best = (_pdb.GetString(_pdb.GetDocument(point.Document).Name), point.StartLine);
        }
        return best;
    }

    public void Dispose()
    {
        _pdbProvider.Dispose();
        _assembly.Dispose();
    }
}
