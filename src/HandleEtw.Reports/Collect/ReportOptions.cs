using HandleEtw.Core.Analysis;

namespace HandleEtw.Reports.Collect;

/// <param name="From">Diff window start (raw timestamp), or null for "after the start rundown".</param>
/// <param name="To">Diff window end (raw timestamp), or null for the end of the trace.</param>
public sealed record ReportOptions(long? From = null, long? To = null)
{
    public ProcessFilter Filter { get; init; } = ProcessFilter.All;
    public int TopLeaks { get; init; } = 20;
    public int TopProcesses { get; init; } = 8;
    public int TopStacks { get; init; } = 8;
    /// <summary>Processes whose type tables show unfolded; the rest of <see cref="TypeProcesses"/> fold.</summary>
    public const int UnfoldedProcesses = 10;

    /// <summary>Processes given a type table (most handles first); the page counts the others and their handles.</summary>
    public int TypeProcesses { get; init; } = 2 * UnfoldedProcesses;
    public int MaxSamples { get; init; } = 500;

    /// <summary>Handles listed one by one in the diff (the groups above them cover the rest).</summary>
    public int MaxDiffHandles { get; init; } = 200;
}
