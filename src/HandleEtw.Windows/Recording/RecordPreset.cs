namespace HandleEtw.Windows.Recording;

/// <summary>
/// `record --preset full|long`: how the kernel session is set up. `full` is the default capture: a stack on every
/// handle create, close and duplicate. `long` is for runs of hours or days: no close stacks (they roughly double the
/// volume; leaks and diffs need only create stacks), the kernel's stack cache on (a repeated stack is logged once as a
/// key), more and larger buffer room, and output kept to the target processes in-process. Platform-neutral: the
/// session plan reads it.
/// </summary>
/// <param name="FilterInProcess">With --process/--pid, the ring keeps only the target processes' records.</param>
public sealed record RecordPreset(string Name, bool CloseStacks, bool StackCaching, int BuffersPerCpu, int MaxBuffersPerCpu, int MaxBuffers,
    bool FilterInProcess)
{
    public static readonly RecordPreset Full = new("full", CloseStacks: true, StackCaching: false, BuffersPerCpu: 2, MaxBuffersPerCpu: 4,
        MaxBuffers: 256, FilterInProcess: false);
    public static readonly RecordPreset Long = new("long", CloseStacks: false, StackCaching: true, BuffersPerCpu: 4, MaxBuffersPerCpu: 16,
        MaxBuffers: 1024, FilterInProcess: true);

    /// <summary>The stack cache of the long preset: entries and hash buckets (as profiles/handleetw-long.wprp).</summary>
    public const uint StackCacheSize = 1024, StackCacheBuckets = 64;

    public static RecordPreset Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "full" => Full,
        "long" => Long,
        _ => throw new FormatException($"{name}: expected full (every handle event with its stack) or long (create and duplicate stacks, cached, for long runs)"),
    };

    /// <summary>Kernel handle events that get a stack: CreateHandle 32 and DuplicateHandle 34, CloseHandle 33 with close stacks.</summary>
    public IReadOnlyList<byte> StackedOpcodes => CloseStacks ? [32, 33, 34] : [32, 34];
}
