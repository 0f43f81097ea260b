using System.Runtime.InteropServices;
using System.Text;
using HandleEtw.Windows.Live;
using HandleEtw.Windows.Native;

namespace HandleEtw.Tests.Live;

public class SessionPlanTests
{
    [Fact]
    public void Private_logger_block_is_a_real_time_system_logger_with_our_guid_and_file_name()
    {
        var plan = SessionPlan.Private(8, @"C:\t\trace.etl");
        byte[] block = plan.BuildProperties();
        var p = MemoryMarshal.Read<EventTraceProperties>(block);
        Assert.Equal((uint)block.Length, p.WnodeBufferSize);
        Assert.Equal(SessionPlan.PrivateGuid, p.Guid);
        Assert.Equal(0x02000101u, p.LogFileMode);
        Assert.Equal(120u, p.LoggerNameOffset);
        Assert.Equal(120u + 2048, p.LogFileNameOffset);
        Assert.Equal(1u, p.ClientContext);
        Assert.Equal(0x20000u, p.WnodeFlags);
        Assert.Equal(0x7u, p.EnableFlags);
        Assert.Equal(1024u, p.BufferSize);
        string file = Encoding.Unicode.GetString(block, (int)p.LogFileNameOffset, 2 * @"C:\t\trace.etl".Length);
        Assert.Equal(@"C:\t\trace.etl", file);
        Assert.Equal(0x02000100u, MemoryMarshal.Read<EventTraceProperties>(SessionPlan.Private(8, null).BuildProperties()).LogFileMode);
    }

    [Theory]
    [InlineData(1, 8, 40)]
    [InlineData(8, 16, 48)]
    [InlineData(64, 128, 256)]
    [InlineData(512, 256, 256)]
    public void Buffers_scale_with_processors_and_stay_capped(int cpus, uint min, uint max)
    {
        var plan = SessionPlan.Private(cpus, null);
        Assert.Equal(min, plan.MinimumBuffers);
        Assert.Equal(max, plan.MaximumBuffers);
    }

    [Fact]
    public void Kernel_logger_plan_uses_the_system_trace_control_guid()
    {
        var p = MemoryMarshal.Read<EventTraceProperties>(SessionPlan.KernelLogger(4, null).BuildProperties());
        Assert.Equal(new Guid("9e814aad-3204-11d2-9a82-006008a86939"), p.Guid);
        Assert.Equal(0x100u, p.LogFileMode);
    }

    [Fact]
    public void Group_mask_sets_process_thread_image_and_perf_ob_handle()
    {
        uint[] mask = SessionPlan.HandleGroupMask();
        Assert.Equal(8, mask.Length);
        Assert.Equal(new uint[] { 7, 0, 0, 0, 0x40, 0, 0, 0 }, mask);
    }

    [Fact]
    public void Kernel_logger_holder_is_guessed_from_file_then_session_names()
    {
        var kernel = new ActiveSession("NT Kernel Logger", @"C:\Users\me\PerfViewData.kernel.etl", 0x100, 0, 3);
        Assert.Equal("PerfView", KernelLoggerOwner.Guess(kernel, [kernel]));
        var bare = kernel with { LogFileName = "" };
        var wpr = new ActiveSession("WPR_initiated_WprApp_WPR Event Collector", "", 0x100, 0, 0);
        Assert.Equal("WPR", KernelLoggerOwner.Guess(bare, [bare, wpr]));
        Assert.Equal("another tool", KernelLoggerOwner.Guess(bare, [bare]));
        Assert.Same(bare, KernelLoggerOwner.Find([wpr, bare]));
        Assert.Null(KernelLoggerOwner.Find([wpr]));
        Assert.Contains("--force", KernelLoggerOwner.RefusalMessage("WPR"));
    }
}
