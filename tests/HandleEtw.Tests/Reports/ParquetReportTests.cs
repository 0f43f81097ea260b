using HandleEtw.Cli.Commands;
using HandleEtw.Reports.Collect;
using HandleEtw.Reports.Html;

namespace HandleEtw.Tests.Reports;

public class ParquetReportTests
{
    [Fact]
    public void Report_from_converted_parquet_matches_the_etl_report()
    {
        string dir = Path.Combine(Path.GetDirectoryName(ReportFixtures.LeakyEtl)!, "parquet");
        var (code, _, error) = Cli.CliSmokeTests.Run("convert", ReportFixtures.LeakyEtl, "-o", dir);
        Assert.True(code == 0, error);

        ReportData fromEtl = ReportFixtures.Build(ReportFixtures.LeakyEtl);
        ReportData fromParquet = ReportBuilder.Build(ReportCommand.Open(dir), new ReportOptions());

        Assert.Equal(fromEtl.Leaks.Leaks.Select(l => (l.Pid, l.Type, l.Outstanding, l.Created)),
                     fromParquet.Leaks.Leaks.Select(l => (l.Pid, l.Type, l.Outstanding, l.Created)));
        Assert.Equal(fromEtl.Leaks.Leaks[0].Stack, fromParquet.Leaks.Leaks[0].Stack);
        Assert.Equal(fromEtl.Diff.Handles.Count, fromParquet.Diff.Handles.Count);
        Assert.Equal(fromEtl.Summary.HandleEvents, fromParquet.Summary.HandleEvents);
        Assert.Equal(200, fromParquet.Stacks.Series.Single().Values[^1]);
        Assert.Equal(fromEtl.Types.Single().Types, fromParquet.Types.Single().Types);
        HtmlReportTests.ParseAsXml(HtmlReport.Render(fromParquet));
    }

    [Fact]
    public void Directory_without_tables_is_a_one_line_error()
    {
        string empty = Directory.CreateTempSubdirectory("handleetw-empty").FullName;
        var (code, _, error) = Cli.CliSmokeTests.Run("report", empty, "-o", Path.Combine(empty, "r.html"));
        Assert.NotEqual(0, code);
        Assert.Single(error.Trim().Split('\n'));
        Assert.Contains("events.parquet", error);
    }
}
