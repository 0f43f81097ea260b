using System.Reflection.PortableExecutable;
using HandleEtw.Core.Stacks;

namespace HandleEtw.Symbols;

/// <summary>The PDB an image file was built with (CodeView debug directory entry), for traces without DbgID_RSDS events.</summary>
public static class ImageIdentityReader
{
    /// <summary>Guid, age and PDB path from the image's CodeView entry; null when the file is absent, not a PE or has none.</summary>
    public static (Guid Guid, int Age, string PdbPath)? TryRead(string imagePath)
    {
        try
        {
            using var stream = File.OpenRead(imagePath);
            using var pe = new PEReader(stream);
            foreach (var entry in pe.ReadDebugDirectory())
            {
                if (entry.Type != DebugDirectoryEntryType.CodeView) continue;
                var codeView = pe.ReadCodeViewDebugDirectoryData(entry);
                return (codeView.Guid, codeView.Age, codeView.Path);
            }
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or BadImageFormatException)
        {
            return null;
        }
    }

    /// <summary>Fills in the PDB identity of a module from its image file when the trace did not carry one.</summary>
    public static ModuleIdentity Complete(ModuleIdentity module, Func<string, string?>? mapPath = null)
    {
        if (module.HasPdbIdentity) return module;
        string? local = mapPath is null ? module.Path : mapPath(module.Path);
        if (local is null || TryRead(local) is not { } found) return module;
        return module with { PdbGuid = found.Guid, PdbAge = found.Age, PdbName = found.PdbPath };
    }
}
