using HandleEtw.Core.Events;
using HandleEtw.Core.Stacks;

namespace HandleEtw.Tests.Clr;

public class ManagedMethodMapTests
{
    private const int Pid = 100;
    private const ulong ModuleId = 0x7000;

    private static MethodEvent Method(MethodOp op, long time, ulong methodId, ulong start, uint size, string name,
        ulong rejit = 0, int pid = Pid) => new()
    {
        Op = op, Timestamp = time, ProcessId = pid, MethodId = methodId, ModuleId = ModuleId, Start = start, Size = size,
        Flags = MethodEvent.JittedFlag, Namespace = "System.Data.ProviderBase.DbConnectionPool", Name = name,
        Signature = "instance void ()", ReJitId = rejit,
    };

    private static ModuleMap WithModule(int pid = Pid)
    {
        var map = new ModuleMap();
        map.OnClrModule(new ClrModuleEvent
        {
            Op = ClrModuleOp.Load, Timestamp = 1, ProcessId = pid, ModuleId = ModuleId,
            ILPath = @"C:\Windows\Microsoft.NET\Framework64\v4.0.30319\System.Data.dll", NativePath = "",
        });
        return map;
    }

    [Fact]
    public void A_jit_frame_is_named_module_type_method_offset()
    {
        ModuleMap map = WithModule();
        map.OnMethod(Method(MethodOp.Load, 10, 1, 0x7FF9_1000_0000, 0x200, "PutObject"));
        Assert.Equal("System.Data!System.Data.ProviderBase.DbConnectionPool.PutObject+0x3c", map.Format(Pid, 0x7FF9_1000_003C, 20));
        Assert.Equal("0x7ff91000003c", map.Format(Pid, 0x7FF9_1000_003C, 5)); // before it was compiled
        Assert.Equal("0x7ff91000003c", map.Format(Pid + 1, 0x7FF9_1000_003C, 20)); // another process
        Assert.Equal("0x7ff910000200", map.Format(Pid, 0x7FF9_1000_0200, 20)); // one past the end
    }

    [Fact]
    public void A_method_rejitted_elsewhere_keeps_its_old_code_and_names_the_new_only_from_then()
    {
        ModuleMap map = WithModule();
        map.OnMethod(Method(MethodOp.Load, 10, 1, 0x1000_0000, 0x100, "GetConnection"));
        map.OnMethod(Method(MethodOp.Load, 50, 1, 0x2000_0000, 0x180, "GetConnection", rejit: 1));
        Assert.Equal("0x20000010", map.Format(Pid, 0x2000_0010, 40));
        Assert.EndsWith("DbConnectionPool.GetConnection+0x10", map.Format(Pid, 0x2000_0010, 60));
        Assert.EndsWith("DbConnectionPool.GetConnection+0x10", map.Format(Pid, 0x1000_0010, 60)); // tier-0 code still runs
        Assert.Equal(1UL, map.Managed.Find(Pid, 0x2000_0010, 60)!.ReJitId);
    }

    [Fact]
    public void An_unloaded_methods_range_reused_by_another_names_each_by_time()
    {
        ModuleMap map = WithModule();
        map.OnMethod(Method(MethodOp.Load, 10, 1, 0x3000_0000, 0x100, "Old"));
        map.OnMethod(Method(MethodOp.Unload, 20, 1, 0x3000_0000, 0x100, "Old"));
        map.OnMethod(Method(MethodOp.Load, 30, 2, 0x3000_0040, 0x100, "New"));
        Assert.EndsWith(".Old+0x50", map.Format(Pid, 0x3000_0050, 15));
        Assert.Equal("0x30000050", map.Format(Pid, 0x3000_0050, 25)); // freed, not yet reused
        Assert.EndsWith(".New+0x10", map.Format(Pid, 0x3000_0050, 35));
    }

    [Fact]
    public void An_end_rundown_method_does_not_name_a_range_another_method_used_earlier()
    {
        ModuleMap map = WithModule();
        map.OnMethod(Method(MethodOp.Load, 10, 1, 0x4000_0000, 0x100, "Gone"));
        map.OnMethod(Method(MethodOp.Unload, 20, 1, 0x4000_0000, 0x100, "Gone"));
        map.OnMethod(Method(MethodOp.DCEnd, 90, 2, 0x4000_0000, 0x80, "Survivor"));
        map.OnMethod(Method(MethodOp.DCEnd, 90, 3, 0x5000_0000, 0x80, "Ancient"));
        Assert.EndsWith(".Gone+0x8", map.Format(Pid, 0x4000_0008, 15));
        Assert.Equal("0x40000008", map.Format(Pid, 0x4000_0008, 5)); // before Gone: not Survivor, which came after it
        Assert.EndsWith(".Survivor+0x8", map.Format(Pid, 0x4000_0008, 25));
        Assert.EndsWith(".Ancient+0x8", map.Format(Pid, 0x5000_0008, 1)); // nothing else was ever there
    }

    [Fact]
    public void An_unload_without_its_load_names_the_time_before_the_unload()
    {
        ModuleMap map = WithModule();
        map.OnMethod(Method(MethodOp.Unload, 20, 1, 0x6000_0000, 0x100, "Early"));
        Assert.EndsWith(".Early+0x4", map.Format(Pid, 0x6000_0004, 15));
        Assert.Equal("0x60000004", map.Format(Pid, 0x6000_0004, 25));
    }

    [Fact]
    public void Process_exit_ends_its_methods_and_a_reused_pid_starts_clean()
    {
        ModuleMap map = WithModule();
        map.OnMethod(Method(MethodOp.Load, 10, 1, 0x7000_0000, 0x100, "Run"));
        map.OnProcess(new ProcessEvent { Op = ProcessOp.Stop, Timestamp = 40, ProcessId = Pid, ImageFileName = "w3wp.exe", CommandLine = "" });
        Assert.EndsWith(".Run+0x4", map.Format(Pid, 0x7000_0004, 30));
        Assert.Equal("0x70000004", map.Format(Pid, 0x7000_0004, 50));
    }

    [Fact]
    public void Without_a_module_event_the_module_is_a_question_mark_and_an_image_frame_stays_module_offset()
    {
        var map = new ModuleMap();
        map.OnImage(new ImageEvent { Op = ImageOp.Load, Timestamp = 1, ProcessId = Pid, ImageBase = 0x1_0000_0000, ImageSize = 0x1000, FileName = @"C:\a\native.dll" });
        map.OnMethod(Method(MethodOp.Load, 10, 1, 0x8000_0000, 0x100, "Run"));
        Assert.Equal("?!System.Data.ProviderBase.DbConnectionPool.Run+0x4", map.Format(Pid, 0x8000_0004, 20));
        Assert.Equal("native+0x10", map.Format(Pid, 0x1_0000_0010, 20));
    }

    [Fact]
    public void Many_methods_are_found_by_address_and_the_bound_is_counted()
    {
        var methods = new ManagedMethodMap();
        for (ulong i = 0; i < 5000; i++)
            methods.OnMethod(Method(MethodOp.Load, 10 + (long)i, i, 0x9000_0000 + i * 0x100, 0x80, $"M{i}"));
        Assert.Equal("M4321", methods.Find(Pid, 0x9000_0000 + 4321 * 0x100 + 0x10, 1_000_000)!.Name);
        Assert.Null(methods.Find(Pid, 0x9000_0000 + 4321 * 0x100 + 0x90, 1_000_000)); // the gap between two methods
        Assert.Equal(5000, methods.Methods(Pid).Count());
        Assert.Equal(0, methods.Counters.NotKept);
    }
}
