using System.Diagnostics;
using HandleEtw.Core.Records;
using HandleEtw.Core.Stacks;
using HandleEtw.Symbols.Native;

namespace HandleEtw.Symbols;

/// <summary>
/// Resolves (module, offset) to `module!Function+0xOFFSET` from PDBs found along a symbol path. Each PDB is located
/// and verified once per identity; each (PDB, offset) is resolved once. Modules without usable symbols return null
/// (the caller prints `module+0xOFFSET`) and are listed once in <see cref="Warnings"/> with the identity they need.
/// </summary>
public sealed class SymbolResolver : IFrameSymbolizer, IDisposable
{
    private readonly SymbolLocator _locator;
    private readonly Dictionary<string, IPdbSymbols?> _modules = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<(string Key, ulong Offset), ResolvedFrame?> _frames = new();
    private readonly List<string> _mismatches = new();
    private readonly SortedDictionary<string, string> _missing = new(StringComparer.OrdinalIgnoreCase);
    private readonly Stopwatch _time = new();
    private Microsoft.Diagnostics.Symbols.SymbolReader? _diaReader;

    public SymbolResolver(SymbolPath path, TextWriter? log = null)
    {
        _locator = new SymbolLocator(path, log);
    }

    /// <summary>Time spent locating PDBs and resolving frames (for --verbose).</summary>
    public TimeSpan ResolutionTime => _time.Elapsed;
    public long Lookups { get; private set; }
    public long CacheHits { get; private set; }
    public int ModulesWithSymbols => _modules.Values.Count(m => m is not null);

    /// <summary>Mismatched PDBs (both identities named), then one line listing modules left without symbols.</summary>
    public IReadOnlyList<string> Warnings
    {
        get
        {
            var all = new List<string>(_mismatches);
            if (_missing.Count > 0)
                all.Add($"no symbols for {_missing.Count} module(s), frames stay module+0xOFFSET: " +
                        string.Join(", ", _missing.Select(m => $"{m.Key} (needs {m.Value})")));
            return all;
        }
    }

    public string? Symbolize(ModuleIdentity module, ulong offset) => Resolve(module, offset)?.Format(module.ModuleName);

    /// <summary>The function, offset from its start and source line for an offset inside a module; null without symbols.</summary>
    public ResolvedFrame? Resolve(ModuleIdentity module, ulong offset)
    {
        Lookups++;
        string key = module.HasPdbIdentity ? module.PdbKey + "/" + module.PdbName : "image/" + module.Path;
        if (_frames.TryGetValue((key, offset), out var cached))
        {
            CacheHits++;
            return cached;
        }
        _time.Start();
        try
        {
            var frame = offset > uint.MaxValue ? null : ModuleFor(key, module)?.Resolve((uint)offset);
            _frames[(key, offset)] = frame;
            return frame;
        }
        finally
        {
            _time.Stop();
        }
    }

    private IPdbSymbols? ModuleFor(string key, ModuleIdentity module)
    {
        if (_modules.TryGetValue(key, out var known)) return known;
        var opened = Open(module);
        _modules[key] = opened;
        return opened;
    }

    private IPdbSymbols? Open(ModuleIdentity module)
    {
        // A raw kernel trace has no DbgID_RSDS: on the recording machine the image file itself names its PDB.
        module = ImageIdentityReader.Complete(module);
        if (!module.HasPdbIdentity)
        {
            _missing[module.FileName] = "a PDB identity (no DbgID_RSDS event and no readable image file)";
            return null;
        }
        var located = _locator.Locate(module);
        _mismatches.AddRange(located.Mismatches);
        if (located.Path is null || located.Identity is null)
        {
            _missing[module.FileName] = module.DescribePdb();
            return null;
        }
        if (located.Identity.Format == PdbFormat.Portable)
        {
            _missing[module.FileName] = module.DescribePdb() + " is a portable PDB (IL only: JIT frames are named from the runtime's " +
                "events; ReadyToRun code needs the image's native .ni.pdb)";
            return null;
        }
        if (OperatingSystem.IsWindows() && OpenWithDia(located.Path) is { } dia) return dia;
        try
        {
            return NativePdbSymbols.Open(located.Path);
        }
        catch (Exception e) when (e is TraceFormatException or IOException or UnauthorizedAccessException)
        {
            // A damaged PDB costs this module's names only: its frames stay module+0xOFFSET.
            _missing[module.FileName] = $"{module.DescribePdb()}, which failed to read ({e.Message})";
            return null;
        }
    }

    [System.Runtime.Versioning.SupportedOSPlatform("windows")]
    private IPdbSymbols? OpenWithDia(string pdbPath)
    {
        _diaReader ??= new Microsoft.Diagnostics.Symbols.SymbolReader(TextWriter.Null, "");
        return DiaPdbSymbols.TryOpen(_diaReader, pdbPath);
    }

    public void Dispose()
    {
        _diaReader?.Dispose();
    }
}
