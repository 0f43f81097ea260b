namespace HandleEtw.Core.Json;

// The JSON document of `handleetw record --json`: the end-of-run summary, with the diff and leak documents inside.

/// <param name="StopReason">Why the recording ended ("stopped (Ctrl+C)", "duration 00:05:00 reached", "target process pid N exited").</param>
/// <param name="Records">Event records the session delivered.</param>
/// <param name="Snapshots">Snapshots taken, the one at the start included.</param>
/// <param name="Parquet">The tables written with -o; null without it.</param>
/// <param name="Captures">--ring: each capture written, in order; empty without --ring.</param>
/// <param name="Triggers">--trigger: each firing, in order.</param>
public sealed record RecordJson(bool Lossy, DamageJson Damage, string StopReason, bool TargetExited, long Records,
                                int Snapshots, RecordInventoryJson Inventory, RecordUnmatchedJson Unmatched,
                                RecordEndRundownJson EndRundown, RecordParquetJson? Parquet, DiffJson Diff, LeaksJson Leaks,
                                IReadOnlyList<RecordCaptureJson> Captures, IReadOnlyList<RecordTriggerJson> Triggers,
                                RecordClrJson? Clr = null)
    : TraceDocument(Lossy, Damage);

/// <summary>One ring capture: what it is named after, its files, its window in seconds from the run's start.</summary>
/// <param name="UndefinedStackKeys">Cached stack keys the window referenced that the kernel never defined.</param>
public sealed record RecordCaptureJson(string Label, string? Etl, string? Parquet, double WindowFrom, double WindowTo, long Records,
                                       int UndefinedStackKeys);

/// <summary>One trigger firing: the condition as given, when (seconds from the run's start), what met it.</summary>
public sealed record RecordTriggerJson(string Condition, double Time, string Detail);

/// <summary>The handle table read at the start.</summary>
/// <param name="HasObjectAddresses">False when every object address came back 0: handles are joined by process and value only.</param>
public sealed record RecordInventoryJson(int Handles, int ObjectTypes, bool HasObjectAddresses);

/// <param name="UnseenCloses">Closes of handles neither the inventory nor the events opened.</param>
/// <param name="CreatesOverOpenValues">Creates of a value still open: the close between them was lost.</param>
public sealed record RecordUnmatchedJson(long UnseenCloses, long CreatesOverOpenValues);

/// <summary>The kernel's end-of-session handle rundown against the table handleetw built (all zero when none came).</summary>
public sealed record RecordEndRundownJson(int Rows, int Matching, int OnlyInRundown, int OnlyInTable, int ObjectMismatch);

public sealed record RecordParquetJson(string Directory, long Events, long Stacks);

/// <summary>The .NET runtime's method events: whether the runtime provider was on, how the stop-time rundown ended
/// (`completed`, `no_answer`, `timed_out`, `failed`, `abandoned`, `off`), runtimes that began and completed it, methods
/// it listed, pids still listing at the timeout.</summary>
public sealed record RecordClrJson(bool Runtime, string? RuntimeProblem, string Rundown, int RundownProcesses,
    int RundownCompleted, long RundownMethods, IReadOnlyList<int> UnfinishedPids, double? RundownSeconds);
