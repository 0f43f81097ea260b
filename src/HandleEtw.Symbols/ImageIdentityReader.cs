using System.Reflection.PortableExecutable;
using HandleEtw.Core.Stacks;

namespace HandleEtw.Symbols;

/// <summary>The PDB an image file was built with (CodeView debug directory entry), for traces without DbgID_RSDS events.</summary>
public static class ImageIdentityReader
{
    /// <summary>
    /// Guid, age and PDB path from the image's CodeView entry; null when the file is absent, not a PE or has none. A
    /// ReadyToRun image has two: its native code's PDB (`NAME.ni.pdb`) and the IL's portable PDB, which names no native
    /// code; the native one is taken whatever their order, as the kernel's DbgID_RSDS does.
    /// </summary>
    public static (Guid Guid, int Age, string PdbPath)? TryRead(string imagePath)
    {
        try
        {
            using var stream = File.OpenRead(imagePath);
            using var pe = new PEReader(stream);
            (Guid, int, string)? portable = null;
            foreach (var entry in pe.ReadDebugDirectory())
            {
                if (entry.Type != DebugDirectoryEntryType.CodeView) continue;
                var codeView = pe.ReadCodeViewDebugDirectoryData(entry);
                if (!entry.IsPortableCodeView) return (codeView.Guid, codeView.Age, codeView.Path);
                portable ??= (codeView.Guid, codeView.Age, codeView.Path);
            }
            return portable;
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
