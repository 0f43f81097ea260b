using HandleEtw.Core.Events;
using HandleEtw.Core.Stacks;

namespace HandleEtw.Tests.Tracking;

public class ModuleMapTests
{
    private static ImageEvent Image(ImageOp op, long t, int pid, ulong b, ulong size, string file) =>
        new() { Op = op, Timestamp = t, ProcessId = pid, ImageBase = b, ImageSize = size, FileName = file };

    [Fact]
    public void Frames_print_module_plus_offset_or_raw_address()
    {
        var m = new ModuleMap();
        m.OnImage(Image(ImageOp.DCStart, 0, 100, 0x7FF6_0000_0000, 0x10000, @"C:\app\LeakyHandles.exe"));
        Assert.Equal("LeakyHandles+0x1234", m.Format(100, 0x7FF6_0000_1234, 5));
        Assert.Equal("0x7ff600011000", m.Format(100, 0x7FF6_0001_1000, 5));
        Assert.Equal("0x7ff600001234", m.Format(200, 0x7FF6_0000_1234, 5));
    }

    [Fact]
    public void Kernel_modules_are_shared_by_all_processes()
    {
        var m = new ModuleMap();
        m.OnImage(Image(ImageOp.DCStart, 0, 0, 0xFFFFF800_00000000, 0x1000000, @"\SystemRoot\system32\ntoskrnl.exe"));
        m.OnImage(Image(ImageOp.Load, 1, 4, 0xFFFFF801_00000000, 0x1000, @"\SystemRoot\drivers\a.sys"));
        Assert.Equal("ntoskrnl+0x10", m.Format(1234, 0xFFFFF800_00000010, 2));
        Assert.Equal("a+0x20", m.Format(55, 0xFFFFF801_00000020, 2));
        var m32 = new ModuleMap(pointerSize: 4);
        m32.OnImage(Image(ImageOp.Load, 0, 500, 0x8040_0000, 0x1000, "hal.dll"));
        Assert.Equal("hal+0x4", m32.Format(77, 0x8040_0004, 1));
    }

    [Fact]
    public void A_base_reused_after_unload_resolves_by_time()
    {
        var m = new ModuleMap();
        m.OnImage(Image(ImageOp.Load, 10, 100, 0x10000000, 0x1000, "old.dll"));
        m.OnImage(Image(ImageOp.Unload, 20, 100, 0x10000000, 0x1000, "old.dll"));
        m.OnImage(Image(ImageOp.Load, 30, 100, 0x10000000, 0x2000, "new.dll"));
        Assert.Equal("old+0x8", m.Format(100, 0x10000008, 15));
        Assert.Equal("new+0x8", m.Format(100, 0x10000008, 35));
        Assert.Equal("0x10000008", m.Format(100, 0x10000008, 25));
        Assert.Equal("0x10000008", m.Format(100, 0x10000008, 5));
    }

    [Fact]
    public void A_stopped_process_keeps_its_modules_for_earlier_times_only()
    {
        var m = new ModuleMap();
        m.OnImage(Image(ImageOp.Load, 10, 100, 0x10000000, 0x1000, "a.dll"));
        m.OnProcess(new ProcessEvent { Op = ProcessOp.Stop, Timestamp = 20, ProcessId = 100, ImageFileName = "", CommandLine = "" });
        m.OnImage(Image(ImageOp.Load, 30, 100, 0x10000000, 0x1000, "b.dll"));
        Assert.Equal("a+0x1", m.Format(100, 0x10000001, 15));
        Assert.Equal("b+0x1", m.Format(100, 0x10000001, 35));
    }
}

public class FrameTextTests
{
    [Theory]
    [InlineData(@"\SystemRoot\System32\ntdll.dll", "ntdll")]
    [InlineData(@"C:\Windows\System32\drivers\a.sys", "a")]
    [InlineData("leakdemo.exe", "leakdemo")]
    [InlineData("System.Private.CoreLib.dll", "System.Private.CoreLib")]
    [InlineData("/usr/lib/noextension", "noextension")]
    [InlineData("", "?")]
    public void Module_names_drop_directories_and_the_extension(string path, string name)
    {
        Assert.Equal(name, HandleEtw.Core.Stacks.FrameText.ModuleName(path));
    }

    [Fact]
    public void Frames_read_as_windbg_prints_them()
    {
        Assert.Equal("ntdll!NtClose+0x14", HandleEtw.Core.Stacks.FrameText.Symbolic("ntdll", "NtClose", 0x14));
        Assert.Equal("leakdemo!fun4", HandleEtw.Core.Stacks.FrameText.Symbolic("leakdemo", "fun4", null));
        Assert.Equal("ntdll+0x5202b", HandleEtw.Core.Stacks.FrameText.Unsymbolized("ntdll", 0x5202b));
        var map = new HandleEtw.Core.Stacks.ModuleMap();
        map.OnImage(new HandleEtw.Core.Events.ImageEvent
        {
            Op = HandleEtw.Core.Events.ImageOp.Load, Timestamp = 1, ProcessId = 7, ImageBase = 0x7FF0_0000_0000, ImageSize = 0x10000,
            FileName = @"\Device\HarddiskVolume3\Windows\System32\ntdll.dll",
        });
        Assert.Equal("ntdll+0x14", map.Format(7, 0x7FF0_0000_0014, 2));
    }
}
