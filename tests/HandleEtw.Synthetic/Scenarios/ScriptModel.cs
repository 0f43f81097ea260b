using HandleEtw.Synthetic.Etl;

namespace HandleEtw.Synthetic.Scenarios;

/// <summary>A loaded image with named functions (address ranges), so stack frames fall inside named code.</summary>
public sealed class ScriptModule(string name, ulong imageBase, ulong size, string path)
{
    /// <summary>Frames point this far into a function (a call site), e.g. fun4 at RVA 0x1A00 → +0x1A2B.</summary>
    public const uint CallSiteOffset = 0x2B;

    private readonly Dictionary<string, (uint Rva, uint Size)> _functions = new(StringComparer.OrdinalIgnoreCase);

    public string Name { get; } = name;
    public ulong Base { get; } = imageBase;
    public ulong Size { get; } = size;
    public string Path { get; } = path;
    public PdbIdentity? Pdb { get; init; }

    public ScriptModule Function(string function, uint rva, uint size = 0x100)
    {
        if (rva + size > Size) throw new ArgumentOutOfRangeException(nameof(rva), $"{function} lies outside {Name}");
        _functions[function] = (rva, size);
        return this;
    }

    public bool Has(string function) => _functions.ContainsKey(function);

    /// <summary>The function an RVA falls in and the offset into it (what a PDB lookup answers), or null.</summary>
    public (string Name, uint Offset)? FunctionAt(ulong rva)
    {
        foreach (var (name, f) in _functions)
            if (rva >= f.Rva && rva < f.Rva + f.Size) return (name, (uint)(rva - f.Rva));
        return null;
    }

    /// <summary>Address of a call site inside the function.</summary>
    public ulong Address(string function) =>
        _functions.TryGetValue(function, out var f) ? Base + f.Rva + Math.Min(CallSiteOffset, f.Size - 1)
            : throw new KeyNotFoundException($"{Name}!{function} is not defined");

    /// <summary>"module+0xrva" of that call site, as a symbol-less stack shows it (WinDbg style: no extension).</summary>
    public string FrameText(string function)
    {
        int dot = Name.LastIndexOf('.');
        return $"{(dot > 0 ? Name[..dot] : Name)}+0x{Address(function) - Base:x}";
    }

    public ImageInfo ToImage() => new(Base, Size, Path);
}

/// <summary>Object type indexes of one boot (type index → name), as type rundown reports them.</summary>
public static class ObjectTypes
{
    public static readonly IReadOnlyDictionary<ushort, string> Default = new Dictionary<ushort, string>
    {
        [3] = "Directory", [5] = "Token", [6] = "Job", [8] = "Process", [9] = "Thread", [16] = "Event",
        [17] = "Mutant", [19] = "Semaphore", [20] = "Timer", [34] = "IoCompletion", [37] = "File",
        [42] = "Section", [44] = "Key", [46] = "ALPC Port", [47] = "EtwRegistration", [48] = "WmiGuid",
    };

    public static ushort Index(string name)
    {
        foreach ((ushort index, string n) in Default)
            if (string.Equals(n, name, StringComparison.OrdinalIgnoreCase)) return index;
        throw new KeyNotFoundException($"unknown object type {name}");
    }
}

public enum CloseKind : byte
{
    Explicit,
    /// <summary>Closed by the kernel's handle-table sweep when the process exited.</summary>
    ProcessExit,
    /// <summary>Closed by DuplicateHandle with DUPLICATE_CLOSE_SOURCE.</summary>
    DuplicateCloseSource,
    /// <summary>The close was never logged: a later create reused the value.</summary>
    Lost,
}

/// <summary>One handle instance as the scenario created it: ground truth for tests.</summary>
public sealed class HandleFact
{
    public required int Pid { get; init; }
    public required uint Handle { get; init; }
    public required ushort Type { get; init; }
    public required ulong Object { get; init; }
    public required int CreatorTid { get; init; }
    public required long CreateTicks { get; init; }

    /// <summary>Innermost user function of the creating stack ("fun4"), empty without a stack.</summary>
    public string CreateFunction { get; init; } = "";

    /// <summary>How the handle came to be: Create, Duplicate, Inherited, Rundown.</summary>
    public string Origin { get; init; } = "Create";

    public long? CloseTicks { get; set; }
    public int? CloserTid { get; set; }
    public CloseKind? ClosedBy { get; set; }

    public string TypeName => ObjectTypes.Default.GetValueOrDefault(Type, "?");
    public bool OpenAtEnd => ClosedBy is null;
    public override string ToString() => $"pid {Pid} 0x{Handle:X} {TypeName} {Origin} {CreateFunction} closed={ClosedBy}";
}

/// <summary>What a scenario is expected to produce: every handle instance plus record counts once written.</summary>
public sealed class TraceFacts
{
    public List<HandleFact> Handles { get; } = [];
    public int Creates { get; internal set; }
    public int Closes { get; internal set; }
    public int Duplicates { get; internal set; }

    /// <summary>Closes of values the trace never showed created (no rundown).</summary>
    public int UnmatchedCloses { get; internal set; }
    public long DurationTicks { get; internal set; }

    /// <summary>Counts of records by kind, filled in by the last write.</summary>
    public RecordCounts? Records { get; internal set; }

    public IEnumerable<HandleFact> OpenAtEnd => Handles.Where(h => h.OpenAtEnd);
    public int LeaksFrom(string function) => OpenAtEnd.Count(h => h.CreateFunction == function);
}
