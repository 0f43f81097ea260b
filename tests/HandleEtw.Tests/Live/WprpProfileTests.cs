using System.Xml.Linq;
using HandleEtw.Windows.Recording;

namespace HandleEtw.Tests.Live;

public class WprpProfileTests
{
    private static string ProfilePath(string name = "handleetw.wprp")
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "profiles", name);
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException($"profiles/{name} not found above the test directory");
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
        Assert.All(doc.Descendants("SystemCollector"), c => Assert.Equal("1024", (string?)c.Element("BufferSize")!.Attribute("Value")));
        var collectors = doc.Descendants("SystemCollector").ToDictionary(c => (string)c.Attribute("Id")!);
        Assert.All(doc.Descendants("SystemCollectorId"), c => Assert.Contains((string)c.Attribute("Value")!, collectors.Keys));
    }

    /// <summary>The full preset: a file profile for rolled or one-off capture, a memory ring sized by RAM.</summary>
    [Fact]
    public void Full_profile_has_a_file_mode_and_a_memory_ring_sized_by_memory()
    {
        XDocument doc = XDocument.Load(ProfilePath());
        var collectors = doc.Descendants("SystemCollector").ToDictionary(c => (string)c.Attribute("Id")!);
        var profiles = doc.Descendants("Profile").ToDictionary(p => (string)p.Attribute("LoggingMode")!);
        Assert.Equal(["File", "Memory"], profiles.Keys.Order());
        XElement Buffers(string mode) =>
            collectors[(string)profiles[mode].Descendants("SystemCollectorId").Single().Attribute("Value")!].Element("Buffers")!;
        Assert.Equal("true", (string?)Buffers("Memory").Attribute("PercentageOfTotalMemory"));
        Assert.InRange((int)Buffers("Memory").Attribute("Value")!, 1, 50);
        Assert.Null(Buffers("File").Attribute("PercentageOfTotalMemory"));
        Assert.All(profiles.Values, p => Assert.Equal("HandleEtw", (string?)p.Attribute("Name")));
    }

    /// <summary>The long preset: no close stacks, stack caching, a ring of 10 % of RAM in memory mode, a file profile.</summary>
    [Fact]
    public void Long_profile_keeps_create_and_duplicate_stacks_in_a_ring_sized_by_memory()
    {
        XDocument doc = XDocument.Load(ProfilePath("handleetw-long.wprp"));
        XElement provider = doc.Descendants("SystemProvider").Single();
        var keywords = provider.Descendants("Keyword").Select(k => (string?)k.Attribute("Value")).ToHashSet();
        Assert.Equal(new HashSet<string?> { "ProcessThread", "Loader", "Handle" }, keywords);
        var stacks = provider.Descendants("Stack").Select(s => (string?)s.Attribute("Value")).ToHashSet();
        Assert.Equal(new HashSet<string?> { "HandleCreate", "HandleDuplicate" }, stacks);

        var collectors = doc.Descendants("SystemCollector").ToDictionary(c => (string)c.Attribute("Id")!);
        var profiles = doc.Descendants("Profile").ToDictionary(p => (string)p.Attribute("LoggingMode")!);
        Assert.Equal(["File", "Memory"], profiles.Keys.Order());
        foreach (XElement profile in profiles.Values)
        {
            Assert.Equal("HandleEtw.Long", (string?)profile.Attribute("Name"));
            XElement used = collectors[(string)profile.Descendants("SystemCollectorId").Single().Attribute("Value")!];
            Assert.Equal("NT Kernel Logger", (string?)used.Attribute("Name"));
            XElement caching = used.Element("StackCaching")!;
            Assert.True((int)caching.Attribute("BucketCount")! > 0 && (int)caching.Attribute("CacheSize")! > 0);
            Assert.Equal((string)provider.Attribute("Id")!, (string?)profile.Descendants("SystemProviderId").Single().Attribute("Value"));
        }
        XElement ring = collectors[(string)profiles["Memory"].Descendants("SystemCollectorId").Single().Attribute("Value")!].Element("Buffers")!;
        Assert.Equal("true", (string?)ring.Attribute("PercentageOfTotalMemory"));
        Assert.InRange((int)ring.Attribute("Value")!, 1, 50);
        XElement disk = collectors[(string)profiles["File"].Descendants("SystemCollectorId").Single().Attribute("Value")!].Element("Buffers")!;
        Assert.Null(disk.Attribute("PercentageOfTotalMemory"));
    }

    /// <summary>Both profiles: the .NET runtime's method events while recording and its rundown at save, in a user-mode
    /// collector of their own (the NT Kernel Logger carries no user-mode providers), in every profile.</summary>
    [Theory]
    [InlineData("handleetw.wprp")]
    [InlineData("handleetw-long.wprp")]
    public void Profiles_record_the_dotnet_method_events_and_their_rundown(string name)
    {
        XDocument doc = XDocument.Load(ProfilePath(name));
        XElement provider = doc.Descendants("EventProvider").Single();
        Assert.Equal("DotNetProvider", (string?)provider.Attribute("Name"));
        Assert.True((int)provider.Attribute("Level")! >= 4);
        ulong recording = Hex(provider.Element("Keywords")!.Element("Keyword")!);
        Assert.Equal(ClrCapture.RuntimeKeywords, recording & ClrCapture.RuntimeKeywords);
        Assert.Equal(ClrCapture.RundownMethodKeywords, Hex(provider.Element("CaptureStateOnSave")!.Element("Keyword")!));
        string collector = (string)doc.Descendants("EventCollector").Single().Attribute("Id")!;
        foreach (XElement profile in doc.Descendants("Profile").Where(p => p.Attribute("Base") is null))
        {
            XElement used = profile.Descendants("EventCollectorId").Single();
            Assert.Equal(collector, (string?)used.Attribute("Value"));
            Assert.Equal((string?)provider.Attribute("Id"), (string?)used.Descendants("EventProviderId").Single().Attribute("Value"));
        }
    }

    private static ulong Hex(XElement keyword) =>
        Convert.ToUInt64(((string)keyword.Attribute("Value")!)[2..], 16);
}
