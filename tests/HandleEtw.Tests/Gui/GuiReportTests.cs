using System.Xml.Linq;
using HandleEtw.Synthetic.Scenarios;
using HandleEtw.Tests.Cli;
using HandleEtw.Tests.Reports;

namespace HandleEtw.Tests.Gui;

/// <summary>The HTML report shows GDI and USER objects beside kernel handles when the trace has them.</summary>
public class GuiReportTests
{
    private static (int Code, string Error, XDocument? Page) Report(TraceScript script)
    {
        string dir = Path.Combine(Path.GetTempPath(), $"handleetw-guireport-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            string etl = Path.Combine(dir, "gui.etl"), page = Path.Combine(dir, "gui.html");
            script.WriteTo(etl);
            var (code, _, error) = CliSmokeTests.Run("report", etl, "-o", page);
            return (code, error, File.Exists(page) ? HtmlReportTests.ParseAsXml(File.ReadAllText(page)) : null);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static XElement? Section(XDocument page, string id) =>
        page.Descendants("section").FirstOrDefault(s => (string?)s.Attribute("id") == id);

    [Fact]
    public void Report_ranks_the_leaking_font_stack_in_its_gdi_section()
    {
        var (code, error, page) = Report(HandleScenarios.GdiPaintLeak(paints: 40));
        Assert.True(page is not null, $"rc {code}: {error}");
        XElement gdi = Assert.IsType<XElement>(Section(page!, "gdi"));
        XElement top = gdi.Descendants("ol").First().Elements("li").First();
        Assert.Contains("40 × Font", top.Value);
        Assert.Contains("growing", top.Value);
        Assert.Contains("Font 40", gdi.Descendants("table").First().Value); // the paint process still owns its 40 fonts
        Assert.Null(Section(page!, "user"));
        // The chart: one line, the paint process's fonts climbing to 40.
        XElement heading = page!.Descendants("h2").Single(h => (string?)h.Attribute("id") == "gui-timeline");
        Assert.Equal("objects", page.Descendants("svg").Last().Descendants("text").Single(t => (string?)t.Attribute("class") == "y-label").Value);
        Assert.NotNull(heading);
    }

    [Fact]
    public void Objects_released_at_process_exit_are_not_listed_as_leaks()
    {
        var (code, error, page) = Report(HandleScenarios.ProcessExitsWithGdiObjects());
        Assert.True(page is not null, $"rc {code}: {error}");
        XElement gdi = Assert.IsType<XElement>(Section(page!, "gdi"));
        XElement top = Assert.Single(gdi.Descendants("ol").First().Elements("li"));
        Assert.Contains("60 × Brush", top.Value); // the process that stays; the one that exited leaks nothing
        Assert.DoesNotContain("Font", gdi.Value);
        XElement user = Assert.IsType<XElement>(Section(page!, "user"));
        Assert.Contains("No process owns USER objects", user.Value);
    }
}
