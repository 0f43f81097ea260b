using System.Diagnostics;
using System.Text.RegularExpressions;
using HandleEtw.Cli.Commands;
using HandleEtw.Reports.Collect;
using HandleEtw.Reports.Html;
using HandleEtw.Synthetic.Scale;

namespace HandleEtw.Bench;

/// <summary>
/// `report-size [--events N] [--trace PATH] [--keep]`: the HTML report of a large synthetic trace must stay under 5 MB
/// and open in headless Chromium in under 2 s (time from navigation start to the end of the page's own script, which
/// runs after layout). Exit code 1 when either bound is missed.
/// </summary>
public sealed class ReportSizeBenchmark : IBenchmark
{
    private const long MaxBytes = 5L * 1024 * 1024;
    private const double MaxOpenSeconds = 2;

    public string Name => "report-size";
    public string Description => "HTML report of a large trace: size under 5 MB, opens in Chromium under 2 s";

    public int Run(string[] args)
    {
        long events = 10_000_000;
        string? trace = null;
        bool keep = false;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--events" when i + 1 < args.Length && long.TryParse(args[i + 1], out long n) && n > 0: events = n; i++; break;
                case "--trace" when i + 1 < args.Length: trace = args[++i]; break;
                case "--keep": keep = true; break;
                default: Console.Error.WriteLine($"report-size: unexpected argument '{args[i]}'"); return 2;
            }
        }
        string dir = Directory.CreateTempSubdirectory("handleetw-report-size").FullName;
        try
        {
            if (trace is null)
            {
                trace = Path.Combine(dir, "scale.etl");
                var gen = Stopwatch.StartNew();
                ScaleResult r = new ScaleGenerator(new ScaleOptions { Events = events }).Write(trace);
                Console.WriteLine($"generated {r.HandleEvents:N0} handle events, {r.Bytes / 1048576.0:F0} MB in {gen.Elapsed.TotalSeconds:F1} s");
            }
            return Measure(trace, Path.Combine(dir, "report.html"));
        }
        finally
        {
            if (!keep) Directory.Delete(dir, recursive: true);
            else Console.WriteLine($"kept {dir}");
        }
    }

    private static int Measure(string trace, string html)
    {
        var clock = Stopwatch.StartNew();
        ReportData data = ReportBuilder.Build(ReportCommand.Open(trace), new ReportOptions());
        HtmlReport.WriteFile(html, data);
        double build = clock.Elapsed.TotalSeconds;
        long bytes = new FileInfo(html).Length;
        Console.WriteLine($"report: {bytes / 1048576.0:F2} MB in {build:F1} s (two passes, peak working set " +
            $"{Process.GetCurrentProcess().PeakWorkingSet64 / 1048576} MB); {data.Leaks.Leaks.Count} leaks, " +
            $"{data.Diff.Handles.Count:N0} diff handles ({data.DiffHandlesShown} listed), {data.Processes.Times.Count} samples");

        var (renderMs, wall, error) = OpenInChromium(html);
        if (error is not null) { Console.Error.WriteLine(error); return 1; }
        Console.WriteLine($"chromium: page script done {renderMs / 1000.0:F2} s after navigation start (process wall time {wall:F1} s)");
        bool ok = bytes < MaxBytes && renderMs / 1000.0 < MaxOpenSeconds;
        Console.WriteLine(ok ? "PASS: under 5 MB and under 2 s" : "FAIL: over 5 MB or over 2 s");
        return ok ? 0 : 1;
    }

    private static (double RenderMs, double Wall, string? Error) OpenInChromium(string html)
    {
        string profile = Directory.CreateTempSubdirectory("handleetw-chromium").FullName;
        var start = new ProcessStartInfo("chromium") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--no-first-run", $"--user-data-dir={profile}",
                     "--dump-dom", new Uri(html).AbsoluteUri })
            start.ArgumentList.Add(a);
        var clock = Stopwatch.StartNew();
        try
        {
            using Process p = Process.Start(start)!;
            Task<string> stdout = p.StandardOutput.ReadToEndAsync();
            _ = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(TimeSpan.FromSeconds(120))) { p.Kill(true); return (0, 0, "chromium did not finish in 120 s"); }
            Match m = Regex.Match(stdout.Result, "&quot;renderMs&quot;:(\\d+)|\"renderMs\":(\\d+)");
            if (!m.Success) return (0, 0, "the page script did not report renderMs");
            string value = m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value;
            return (double.Parse(value), clock.Elapsed.TotalSeconds, null);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return (0, 0, "chromium is not installed: run scripts/ci-setup.sh");
        }
        finally { Directory.Delete(profile, recursive: true); }
    }
}
