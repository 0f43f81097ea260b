using System.Text.Json;
using HandleEtw.Core.Events;
using HandleEtw.Core.Records;
using HandleEtw.Core.Stacks;
using HandleEtw.Symbols;

namespace HandleEtw.Tests.Symbols;

public class ModuleInventoryTests
{
    private static readonly Guid Guid1 = Guid.Parse("0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9");

    [Fact]
    public void Loads_identities_and_unloads_become_module_records_and_json()
    {
        var inventory = new ModuleInventory();
        inventory.OnImage(new ImageEvent { Op = ImageOp.DCStart, Timestamp = 5, ProcessId = 10, ImageBase = 0x7ff0_0000, ImageSize = 0x1000, FileName = @"C:\a\one.dll" });
        inventory.OnImage(new ImageEvent { Op = ImageOp.Load, Timestamp = 20_000_000, ProcessId = 10, ImageBase = 0x8000_0000, ImageSize = 0x2000, FileName = @"C:\a\two.dll" });
        inventory.OnImageIdentity(new ImageIdentity { ProcessId = 10, ImageBase = 0x8000_0000, PdbGuid = Guid1, PdbAge = 3, PdbName = "two.pdb" });
        inventory.OnImage(new ImageEvent { Op = ImageOp.Unload, Timestamp = 30_000_000, ProcessId = 10, ImageBase = 0x8000_0000, ImageSize = 0x2000, FileName = @"C:\a\two.dll" });
        inventory.OnImage(new ImageEvent { Op = ImageOp.DCEnd, Timestamp = 40_000_000, ProcessId = 10, ImageBase = 0x7ff0_0000, ImageSize = 0x1000, FileName = @"C:\a\one.dll" });

        var modules = inventory.Modules();
        Assert.Equal(2, modules.Count);
        Assert.False(modules[0].Module.HasPdbIdentity);
        Assert.Null(modules[0].LoadTime);
        Assert.Equal(new ModuleIdentity(@"C:\a\two.dll", 0x8000_0000, 0x2000, Guid1, 3, "two.pdb"), modules[1].Module);

        var output = new StringWriter();
        ModuleListing.WriteJson(output, modules, new TraceInfo { StartTimestamp = 0 });
        var root = JsonDocument.Parse(output.ToString()).RootElement.GetProperty("modules");
        var two = root[1];
        Assert.Equal(10, two.GetProperty("pid").GetInt32());
        Assert.Equal("0x80000000", two.GetProperty("base").GetString());
        Assert.Equal("0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9", two.GetProperty("pdb_guid").GetString());
        Assert.Equal(3, two.GetProperty("pdb_age").GetInt32());
        Assert.Equal(2.0, two.GetProperty("load_time").GetDouble());
        Assert.Equal(3.0, two.GetProperty("unload_time").GetDouble());
        Assert.Equal(JsonValueKind.Null, root[0].GetProperty("pdb_guid").ValueKind);
    }

    [Fact]
    public void Identity_is_read_from_the_image_file_when_the_trace_has_none()
    {
        var inventory = new ModuleInventory();
        inventory.OnImage(new ImageEvent { Op = ImageOp.Load, Timestamp = 1, ProcessId = 7, ImageBase = 0x1_4000_0000, ImageSize = 0x4000, FileName = NativeAssets.Exe });
        var module = Assert.Single(inventory.Modules()).Module;
        var pdb = PdbIdentityReader.Read(NativeAssets.Pdb);
        Assert.Equal(pdb.Guid, module.PdbGuid);
        Assert.Equal(pdb.Age, module.PdbAge);
        Assert.EndsWith("symtest.pdb", module.PdbName);
    }

    [Fact]
    public void Formatter_prints_symbols_when_resolved_and_exactly_module_plus_offset_otherwise()
    {
        var id = PdbIdentityReader.Read(NativeAssets.Pdb);
        var app = new ModuleIdentity(@"C:\app\symtest.exe", 0x7ff6_0000_0000, 0x4000, id.Guid, id.Age, "symtest.pdb");
        var other = new ModuleIdentity(@"C:\w\kernel32.dll", 0x7ffa_0000_0000, 0x1000, Guid.Empty, 0, null);
        ModuleLookup lookup = (_, address, _) =>
            new[] { app, other }.FirstOrDefault(m => address >= m.Base && address < m.Base + m.Size);
        uint leaf = NativeAssets.FunctionRvas()["leaf_function"];
        ulong[] frames = [app.Base + leaf + 2, other.Base + 0x12, 0x1234];

        var plain = new SymbolicFrameFormatter(lookup, null).Format(1, frames, 0);
        Assert.Equal([$"symtest+0x{leaf + 2:x}", "kernel32+0x12", "0x1234"], plain);

        using var resolver = new SymbolResolver(SymbolPath.Parse(NativeAssets.Directory));
        var symbolic = new SymbolicFrameFormatter(lookup, resolver).Format(1, frames, 0);
        Assert.StartsWith("symtest!leaf_function+0x2", symbolic[0]);
        Assert.Equal("kernel32+0x12", symbolic[1]);

        var rows = new StackSymbolizer(lookup, resolver).Symbolize(4, 1, 0, frames).ToList();
        Assert.Equal(new SymbolRow(4, 1, other.Base + 0x12, "kernel32.dll", null, 0x12, null, 0), rows[1]);
        Assert.Equal("leaf_function", rows[0].Function);
        Assert.Equal(2UL, rows[0].Offset);
        Assert.EndsWith("symtest.c", rows[0].SourceFile);
        Assert.True(rows[0].SourceLine > 0);
        Assert.Null(rows[2].Module);
    }
}

public class ModuleTimelineTests
{
    private static ModuleRecord Rec(int pid, string path, ulong b, ulong size, long? load, long? unload) =>
        new(pid, new ModuleIdentity(path, b, size, Guid.Empty, 0, null), load, unload);

    [Fact]
    public void Finds_by_process_address_and_time_with_kernel_modules_shared()
    {
        var timeline = new ModuleTimeline([
            Rec(10, "a.dll", 0x1000, 0x1000, null, 50),
            Rec(10, "b.dll", 0x1000, 0x800, 60, null),
            Rec(10, "big.dll", 0x10_0000, 0x10_0000, null, null),
            Rec(4, "ntoskrnl.exe", 0xFFFF_F800_0000_0000, 0x100_0000, null, null),
            Rec(11, "c.dll", 0x1000, 0x1000, null, null),
        ]);
        Assert.Equal("a.dll", timeline.Find(10, 0x1900, 10)?.Path);
        Assert.Equal("b.dll", timeline.Find(10, 0x1100, 70)?.Path);
        Assert.Null(timeline.Find(10, 0x1900, 70));      // beyond b.dll, a.dll unloaded
        Assert.Null(timeline.Find(10, 0x1100, 55));      // between unload and reload
        Assert.Equal("big.dll", timeline.Find(10, 0x1F_FFFF, 0)?.Path);
        Assert.Equal("c.dll", timeline.Find(11, 0x1100, 70)?.Path);
        Assert.Equal("ntoskrnl.exe", timeline.Find(10, 0xFFFF_F800_0000_1234, 0)?.Path);
        Assert.Null(timeline.Find(12, 0x1100, 0));
    }
}
