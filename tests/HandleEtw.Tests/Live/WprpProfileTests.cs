using System.Xml.Linq;

namespace HandleEtw.Tests.Live;

public class WprpProfileTests
{
    private static string ProfilePath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "profiles", "handleetw.wprp");
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException("profiles/handleetw.wprp not found above the test directory");
    }

    [Fact]
    public void Profile_enables_the_handle_keyword_and_the_three_handle_stacks()
    {
        XDocument doc = XDocument.Load(ProfilePath());
        XElement provider = doc.Descendants("SystemProvider").Single();
        var keywords = provider.Descendants("Keyword").Select(k => (string?)k.Attribute("Value")).ToList();
        Assert.Contains("Handle", keywords);
        Assert.Contains("ProcessThread", keywords);
        Assert.Contains("Loader", keywords);
        var stacks = provider.Descendants("Stack").Select(s => (string?)s.Attribute("Value")).ToHashSet();
        Assert.Equal(new HashSet<string?> { "HandleCreate", "HandleClose", "HandleDuplicate" }, stacks);
        Assert.Equal("1024", (string?)doc.Descendants("BufferSize").Single().Attribute("Value"));
        string collectorId = (string)doc.Descendants("SystemCollector").Single().Attribute("Id")!;
        Assert.Contains(doc.Descendants("SystemCollectorId"), c => (string?)c.Attribute("Value") == collectorId);
    }
}
