using System.Text.Json;
using HandleEtw.Tests.Cli;

namespace HandleEtw.Tests.Symbols;

public class StatsModulesTests
{
    [Fact]
    public void Stats_modules_json_lists_images_with_their_DbgID_RSDS_identity()
    {
        string etl = TestPaths.Corpus("perfview/net.4.5.2.x64.etl");
        var (code, output, error) = CliSmokeTests.Run("stats", etl, "--modules", "--json");
        Assert.True(code == 0, error);
        var modules = JsonDocument.Parse(output).RootElement.GetProperty("modules").EnumerateArray().ToList();
        Assert.NotEmpty(modules);
        // TraceEvent's baseline: DbgID_RSDS PID=4 ImageBase=0x7f9d02f0000 GuidSig=6048fdb6-2dcd-41c1-8... Age=2 ntdll.pdb
        var ntdll = modules.First(m => m.GetProperty("base").GetString() == "0x7f9d02f0000" && m.GetProperty("pid").GetInt32() == 4);
        Assert.EndsWith("ntdll.dll", ntdll.GetProperty("path").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.StartsWith("6048fdb6-2dcd-41c1-8", ntdll.GetProperty("pdb_guid").GetString());
        Assert.Equal(2, ntdll.GetProperty("pdb_age").GetInt32());
        Assert.Equal("ntdll.pdb", ntdll.GetProperty("pdb_name").GetString());
    }
}
