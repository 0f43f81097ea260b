using System.Runtime.InteropServices;
using System.Xml.Linq;
using HandleEtw.Windows.Live;

namespace HandleEtw.Tests.Gui;

/// <summary>record --gdi --user's decisions (platform-neutral) and the WPR profile that records the same.</summary>
public class Win32kRecordingTests
{
    [Theory]
    [InlineData(10, 0, 18362, true)]
    [InlineData(10, 0, 22631, true)]
    [InlineData(10, 0, 17763, false)]
    [InlineData(6, 3, 9600, false)]
    public void Gdi_and_user_need_windows_10_1903(int major, int minor, int build, bool supported)
    {
        string? why = Win32kProvider.Unsupported(new Version(major, minor, build), gdi: true, user: false);
        Assert.Equal(supported, why is null);
        if (!supported) Assert.Contains("Windows 10 1903 (build 18362) or later", why);
        Assert.Null(Win32kProvider.Unsupported(new Version(6, 1, 7601), gdi: false, user: false));
    }

    [Fact]
    public void Keywords_and_enable_parameters_match_the_manifest_and_the_sdk()
    {
        Assert.Equal(0x100_0000_0000UL, Win32kProvider.Keywords(true, false));
        Assert.Equal(0x300_0000_0000UL, Win32kProvider.Keywords(true, true));
        Assert.Equal(0UL, Win32kProvider.Keywords(false, false));
        Assert.Equal(48, Marshal.SizeOf<EnableTraceParameters>());
        Assert.Equal(12, (int)Marshal.OffsetOf<EnableTraceParameters>(nameof(EnableTraceParameters.SourceId)));
        Assert.Equal(32, (int)Marshal.OffsetOf<EnableTraceParameters>(nameof(EnableTraceParameters.EnableFilterDesc)));
    }

    [Fact]
    public void The_gui_profile_adds_win32k_handle_keywords_with_stacks_to_the_kernel_capture()
    {
        string path = ProfilePath("handleetw-gui.wprp");
        XDocument doc = XDocument.Load(path);
        XElement provider = doc.Descendants("EventProvider").Single();
        Assert.Equal(Win32kProvider.Provider, Guid.Parse((string)provider.Attribute("Name")!));
        Assert.Equal("true", (string?)provider.Attribute("Stack"));
        Assert.Equal("4", (string?)provider.Attribute("Level"));
        ulong keywords = Convert.ToUInt64((string)provider.Descendants("Keyword").Single().Attribute("Value")!, 16);
        Assert.Equal(Win32kProvider.Keywords(true, true), keywords);
        var kernel = doc.Descendants("SystemProvider").Single().Descendants("Keyword").Select(k => (string?)k.Attribute("Value")).ToHashSet();
        Assert.Equal(new HashSet<string?> { "ProcessThread", "Loader", "Handle" }, kernel);
        foreach (XElement profile in doc.Descendants("Profile").Where(p => p.Attribute("Base") is null))
        {
            Assert.Equal("EP_Win32kHandles", (string?)profile.Descendants("EventProviderId").Single().Attribute("Value"));
            Assert.Equal((string)doc.Descendants("EventCollector").Single().Attribute("Id")!,
                (string?)profile.Descendants("EventCollectorId").Single().Attribute("Value"));
        }
    }

    private static string ProfilePath(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "profiles", name);
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException($"profiles/{name} not found above the test directory");
    }
}
