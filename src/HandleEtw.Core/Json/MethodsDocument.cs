namespace HandleEtw.Core.Json;

// The JSON document of `stats --methods`: the .NET methods whose native code the trace shows, per process.

/// <param name="RangesNotKept">Method ranges dropped over the per-process limit (the listing is then incomplete).</param>
public sealed record MethodsJson(bool Lossy, DamageJson Damage, long MethodLoads, long MethodUnloads,
                                 long RundownStartMethods, long RundownEndMethods, long R2rEntryPoints, long IlToNativeMaps,
                                 long EndRundownsBegun, long EndRundownsCompleted, long RangesNotKept,
                                 IReadOnlyList<MethodProcessJson> Processes)
    : TraceDocument(Lossy, Damage);

/// <param name="Methods">Ranges listed for the process.</param>
/// <param name="Loaded">MethodLoadVerbose events the process logged.</param>
public sealed record MethodProcessJson(int Pid, string Process, int Methods, long Loaded, IReadOnlyList<MethodRangeJson> Ranges);

/// <param name="Start">First byte of the native code.</param>
/// <param name="MethodId">The runtime's MethodDesc address.</param>
/// <param name="Source">The event that showed the range first: load, dcstart, dcend, or unload.</param>
/// <param name="LoadTime">Seconds from trace start; null when the method was there before the trace (rundown).</param>
public sealed record MethodRangeJson(Hex Start, uint Size, string Namespace, string Name, string Signature, string Module,
                                     Hex MethodId, uint Flags, ulong RejitId, string Source, double? LoadTime, double? UnloadTime);
