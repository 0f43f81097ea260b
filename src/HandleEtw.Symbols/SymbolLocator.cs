using HandleEtw.Core.Records;
using HandleEtw.Core.Stacks;
using Microsoft.Diagnostics.Symbols;

namespace HandleEtw.Symbols;

/// <summary>A PDB found for a module, or why none was.</summary>
/// <param name="Path">The matching PDB; null when none matched.</param>
/// <param name="Mismatches">PDBs with the right name but another identity: each warning names both identities.</param>
public sealed record LocatedPdb(string? Path, PdbIdentity? Identity, IReadOnlyList<string> Mismatches);

/// <summary>
/// Finds the PDB a module needs along a <see cref="SymbolPath"/>: `name.pdb` in plain folders, the symbol-store layout
/// `name.pdb/GUIDAGE/name.pdb` in caches and store folders, and a download only for elements that name an HTTP server.
/// A PDB is used only when its own guid + age equal the module's.
/// </summary>
public sealed class SymbolLocator(SymbolPath path, TextWriter? log = null)
{
    public LocatedPdb Locate(ModuleIdentity module)
    {
        var mismatches = new List<string>();
        if (!module.HasPdbIdentity) return new LocatedPdb(null, null, mismatches);
        string name = ModuleIdentity.FileNameOf(module.PdbName!);
        foreach (var element in path.Elements)
        {
            foreach (string candidate in LocalCandidates(element, name, module.PdbKey))
                if (Check(candidate, module, mismatches) is { } found) return found;
            if (element.IsRemote && Download(element, name, module) is { } downloaded &&
                Check(downloaded, module, mismatches) is { } fromServer)
                return fromServer;
        }
        return new LocatedPdb(null, null, mismatches);
    }

    private static IEnumerable<string> LocalCandidates(SymbolPathElement element, string name, string key)
    {
        switch (element.Kind)
        {
            case SymbolPathKind.Directory:
                yield return Path.Combine(element.Location, name);
                yield return Path.Combine(element.Location, name, key, name);
                break;
            case SymbolPathKind.Cache:
                yield return Path.Combine(element.Location, name, key, name);
                break;
            case SymbolPathKind.Server:
                if (element.CacheDirectory is { } cache) yield return Path.Combine(cache, name, key, name);
                if (!element.IsRemote) yield return Path.Combine(element.Location, name, key, name);
                break;
        }
    }

    private static LocatedPdb? Check(string candidate, ModuleIdentity module, List<string> mismatches)
    {
        if (!File.Exists(candidate)) return null;
        PdbIdentity identity;
        try
        {
            identity = PdbIdentityReader.Read(candidate);
        }
        catch (Exception e) when (e is TraceFormatException or IOException or UnauthorizedAccessException)
        {
            mismatches.Add($"{candidate}: unreadable ({e.Message}); {module.FileName} needs {module.DescribePdb()}");
            return null;
        }
        if (identity.Matches(module.PdbGuid, module.PdbAge)) return new LocatedPdb(candidate, identity, mismatches);
        mismatches.Add($"{candidate} is {ModuleIdentity.DescribePdb(Path.GetFileName(candidate), identity.Guid, identity.Age)}, " +
                       $"but {module.FileName} needs {module.DescribePdb()}: not used");
        return null;
    }

    /// <summary>Fetches into the element's cache through TraceEvent's symbol server client.</summary>
    private string? Download(SymbolPathElement element, string name, ModuleIdentity module)
    {
        string cache = element.CacheDirectory ?? Path.Combine(Path.GetTempPath(), "SymbolCache");
        try
        {
            using var reader = new SymbolReader(log ?? TextWriter.Null, $"SRV*{cache}*{element.Location}");
            reader.SecurityCheck = _ => true; // the user named this server explicitly
            return reader.FindSymbolFilePath(name, module.PdbGuid, module.PdbAge);
        }
        catch (Exception e) when (e is IOException or HttpRequestException or UnauthorizedAccessException or InvalidOperationException)
        {
            log?.WriteLine($"symbol server {element.Location}: {e.Message}");
            return null;
        }
    }
}
