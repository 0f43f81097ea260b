using HandleEtw.Core.Analysis;
using HandleEtw.Core.Tracking;

namespace HandleEtw.Reports.Collect;

/// <summary>The trace at a glance; span and handle events under the definitions `stats` uses too.</summary>
public sealed record TraceSummary(
    string Source, string? Host, string Os, DateTime StartUtc, DateTime EndUtc, double Seconds,
    int Processes, long HandleEvents, long EventsLost, long BuffersLost, long DamagedBuffers,
    long DamagedBytes, bool Lossy);

/// <summary>One line of a chart: a value per sample instant.</summary>
public sealed record ChartSeries(string Label, string Detail, IReadOnlyList<int> Values)
{
    /// <summary>This line's own sample instants (a comparison draws two traces on one axis); null: the chart's.</summary>
    public IReadOnlyList<double>? Times { get; init; }

    /// <summary>Drawn dashed, so a line it covers exactly still shows through.</summary>
    public bool Dashed { get; init; }
}

/// <summary>A time chart: sample instants in seconds from trace start, and the diff window when one was given.</summary>
public sealed record TimeChart(string Id, string Title, IReadOnlyList<double> Times, IReadOnlyList<ChartSeries> Series,
                               double? WindowFrom, double? WindowTo)
{
    /// <summary>What the values count, written along the y axis.</summary>
    public string YLabel { get; init; } = "open handles";

    public string XLabel { get; init; } = "seconds from trace start";
}

/// <summary>Handles of one type in one process at the start (after the rundown) and at the end.</summary>
public sealed record TypeChange(string Type, int Start, int End);

public sealed record ProcessTypes(int Pid, string Process, int Start, int End, IReadOnlyList<TypeChange> Types);

/// <summary>Processes holding handles at the end that got no type table (past the cap), and the handles they hold.</summary>
public readonly record struct ProcessesLeftOut(int Processes, long Handles);

/// <summary>Everything the HTML page shows.</summary>
public sealed record ReportData(
    TraceSummary Summary, TimeChart Processes, TimeChart Stacks, IReadOnlyList<ProcessTypes> Types,
    LeakReport Leaks, DiffReport Diff, int DiffHandlesShown)
{
    /// <summary>What the trace lacks for handle analysis (no handle events, no stacks): the page's top banner.</summary>
    public TraceCoverage Coverage { get; init; } = new();

    /// <summary>Processes past the type tables' cap (<see cref="ReportOptions.TypeProcesses"/>).</summary>
    public ProcessesLeftOut TypesLeftOut { get; init; }

    /// <summary>GDI and USER objects, present only when the trace has Win32k handle events.</summary>
    public IReadOnlyList<GuiObjects> Gui { get; init; } = [];

    /// <summary>GDI and USER objects per process over time (no series without Win32k events).</summary>
    public TimeChart? GuiChart { get; init; }

    public DateTime GeneratedUtc { get; init; } = DateTime.UtcNow;
}

/// <summary>One Win32k object kind (GDI or USER): objects per owning process at the end, and their leak groups.</summary>
public sealed record GuiObjects(string Kind, long Events, IReadOnlyList<ProcessHandleSummary> Live, LeakReport Leaks);
