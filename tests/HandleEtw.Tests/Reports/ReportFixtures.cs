using HandleEtw.Cli.Commands;
using HandleEtw.Reports.Collect;
using HandleEtw.Reports.Html;
using HandleEtw.Synthetic.Scale;
using HandleEtw.Synthetic.Scenarios;

namespace HandleEtw.Tests.Reports;

/// <summary>Reports of synthetic traces, written once per test run.</summary>
public static class ReportFixtures
{
    private static readonly Lazy<string> LeakyPath = new(() =>
    {
        string path = Path.Combine(Directory.CreateTempSubdirectory("handleetw-report").FullName, "leakyhandles.etl");
        HandleScenarios.LeakyHandles(iterations: 200, duration: TimeSpan.FromSeconds(60)).WriteTo(path);
        return path;
    });

    /// <summary>The LeakyHandles scenario (fun4 leaks one Event per iteration) as an .etl file.</summary>
    public static string LeakyEtl => LeakyPath.Value;

    private static readonly Lazy<string> ManyProcessesPath = new(() =>
    {
        string path = Path.Combine(Directory.CreateTempSubdirectory("handleetw-report").FullName, "many-processes.etl");
        HandleScenarios.ManyProcesses(services: 50).WriteTo(path);
        return path;
    });

    /// <summary>The ManyProcesses scenario: 50 services holding registry keys beside leakyhandles.exe leaking Events.</summary>
    public static string ManyProcessesEtl => ManyProcessesPath.Value;

    public static string LeakyFun4Frame => HandleScenarios.AddLeakyHandlesProcess(new TraceScript())
        .FrameText("fun4");

    public static ReportData Build(string etl, ReportOptions? options = null) =>
        ReportBuilder.Build(ReportCommand.Open(etl), options ?? new ReportOptions());

    public static string Html(string etl, ReportOptions? options = null) => HtmlReport.Render(Build(etl, options));

    /// <summary>A mixed trace from the scale generator (many processes and stacks, a few leaking).</summary>
    public static string ScaleEtl(long events)
    {
        string path = Path.Combine(Directory.CreateTempSubdirectory("handleetw-report").FullName, $"scale-{events}.etl");
        new ScaleGenerator(new ScaleOptions { Events = events }).Write(path);
        return path;
    }
}
