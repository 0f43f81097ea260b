namespace HandleEtw.Core.Json;

// The JSON documents of `stats` and `stats --modules`: what the trace is, rather than what its handles did.

/// <param name="StartUtc">ISO-8601 UTC with 100-ns digits; "" when the trace does not say.</param>
/// <param name="Events">Records read (every provider, not only handle events).</param>
/// <param name="Stacks">Events that had a stack walk attached.</param>
public sealed record StatsJson(bool Lossy, DamageJson Damage, string File, string Session, string StartUtc, string EndUtc,
                               int PointerSize, int Cpus, string OsVersion, int OsBuild, long Events, long Stacks,
                               long Buffers, long CompressedBuffers, IReadOnlyDictionary<string, long> ByKind,
                               IReadOnlyList<LiveHandlesJson> LiveHandles, IReadOnlyList<string> Files,
                               IReadOnlyList<GapJson> Gaps)
    : TraceDocument(Lossy, Damage)
{
    /// <summary>Object handle events (rundowns included): the count the report shows too.</summary>
    public long HandleEvents { get; init; }

    /// <summary>The trace's span in seconds, under the definition every command uses (<see cref="Records.TraceSpan"/>).</summary>
    public double SpanSeconds { get; init; }

    /// <summary>GDI and USER handle events (Win32k provider).</summary>
    public long GdiEvents { get; init; }
    public long UserEvents { get; init; }

    /// <summary>GDI and USER objects owned by each running process at the end, by type (GetGuiResources' counts).</summary>
    public IReadOnlyList<LiveHandlesJson> LiveGdiObjects { get; init; } = [];
    public IReadOnlyList<LiveHandlesJson> LiveUserObjects { get; init; } = [];
}

/// <summary>Time between two files of a sequence that no file covers (a lossy interval), seconds from the trace start.</summary>
public sealed record GapJson(double FromS, double ToS, string Before, string After);

/// <summary>Handles open at the end in one running process, by type (`!handle 0 0`'s summary).</summary>
/// <param name="ProcessKey">The kernel's process key (EPROCESS address); null when the trace did not give it.</param>
public sealed record LiveHandlesJson(int Pid, Hex? ProcessKey, string Process, int Total, IReadOnlyDictionary<string, int> ByType);

public sealed record ModulesJson(bool Lossy, DamageJson Damage, IReadOnlyList<ModuleJson> Modules) : TraceDocument(Lossy, Damage);

/// <param name="PdbGuid">8-4-4-4-12 lower case; null (with <paramref name="PdbAge"/>) when the image has no PDB identity.</param>
/// <param name="LoadTime">Seconds from trace start; null when loaded before the trace (rundown) or never seen.</param>
public sealed record ModuleJson(int Pid, Hex Base, ulong Size, string Path, string? PdbGuid, int? PdbAge, string? PdbName,
                                double? LoadTime, double? UnloadTime);
