using HandleEtw.Core.Events;
using HandleEtw.Core.Records;
using HandleEtw.Etl.Decoding;

namespace HandleEtw.Tests.Decoding;

public class ProcessImagePayloadsTests
{
    private static byte[] ProcessPayload(int p, byte version, bool withSid, int subAuthorities = 3)
    {
        var b = new PayloadBuilder(p).Pointer(0xFFFF_FA83_0000_1000).I32(3676).I32(3508).I32(1).I32(259)
            .Pointer(0x558F_B000);
        if (version >= 4) b.U32(0);
        if (withSid)
        {
            b.Pointer(0x1234).Pointer(0); // TOKEN_USER
            b.U8(1).U8((byte)subAuthorities).Bytes(new byte[6]); // SID revision, count, authority
            for (int i = 0; i < subAuthorities; i++) b.U32((uint)(21 + i));
        }
        else
        {
            b.U32(0);
        }
        return b.Ansi("Test.x64.exe").Utf16("Test.x64.exe -x").Utf16("").Utf16("").ToArray();
    }

    [Theory]
    [InlineData(4, 3, true)]
    [InlineData(8, 3, false)]
    [InlineData(4, 4, false)]
    [InlineData(8, 4, true)]
    [InlineData(8, 5, true)]
    public void Process_ReadsTypeGroup1_SkippingUserSid(int p, byte version, bool withSid)
    {
        var raw = new RawRecord(KernelGroup.Process, ProcessPayloads.Start, ProcessPayload(p, version, withSid), p,
            version, ProcessId: 3508, ThreadId: 3512);
        Assert.True(ProcessPayloads.TryRead(raw.Record, out ProcessEvent e));
        Assert.Equal(ProcessOp.Start, e.Op);
        Assert.Equal(3676, e.ProcessId);
        Assert.Equal(3508, e.ParentId);
        Assert.Equal(1, e.SessionId);
        Assert.Equal(259, e.ExitStatus);
        Assert.Equal(3512, e.ThreadId);
        Assert.Equal(p == 8 ? 0xFFFF_FA83_0000_1000UL : 0x0000_1000UL, e.UniqueProcessKey);
        Assert.Equal("Test.x64.exe", e.ImageFileName);
        Assert.Equal("Test.x64.exe -x", e.CommandLine);
    }

    [Fact]
    public void Process_ImageNameIsUtf8()
    {
        var b = new PayloadBuilder(8).Pointer(1).I32(7).I32(4).I32(1).I32(0).Pointer(0x187000).U32(0).U32(0)
            .Bytes([.. System.Text.Encoding.UTF8.GetBytes("Überprüfung.exe"), 0]).Utf16("").Utf16("").Utf16("");
        var raw = new RawRecord(KernelGroup.Process, ProcessPayloads.Start, b.ToArray(), 8, 4, ProcessId: 4, ThreadId: 8);
        Assert.True(ProcessPayloads.TryRead(raw.Record, out ProcessEvent e));
        Assert.Equal("Überprüfung.exe", e.ImageFileName);
    }

    [Fact]
    public void Process_IdleDCStartLengthMatchesTraceEventDataLen()
    {
        // TraceEvent reports DataLen 75 for Idle's DCStart at P=8: 36 + SID(16 + 12) + "Idle\0" + 3 empty strings.
        var b = new PayloadBuilder(8).Pointer(1).I32(0).I32(0).I32(-1).I32(0).Pointer(0x187000).U32(0)
            .Pointer(1).Pointer(0).U8(1).U8(1).Bytes(new byte[6]).U32(18)
            .Ansi("Idle").Utf16("").Utf16("").Utf16("");
        Assert.Equal(75, b.Length);
        var raw = new RawRecord(KernelGroup.Process, ProcessPayloads.DCStart, b.ToArray(), 8, 4, -1, -1);
        Assert.True(ProcessPayloads.TryRead(raw.Record, out ProcessEvent e));
        Assert.Equal("Idle", e.ImageFileName);
        Assert.Equal(ProcessOp.DCStart, e.Op);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(8)]
    public void Process_Truncated_FailsAndTerminateReadsPid(int p)
    {
        byte[] full = ProcessPayload(p, 4, true);
        int fixedPart = 2 * p + 20;
        for (int len = 0; len < fixedPart + 4; len++)
        {
            var raw = new RawRecord(KernelGroup.Process, ProcessPayloads.Stop, full[..len], p, 4);
            Assert.False(ProcessPayloads.TryRead(raw.Record, out _));
        }
        var terminate = new RawRecord(KernelGroup.Process, ProcessPayloads.Terminate, new PayloadBuilder(p).I32(88).ToArray(), p);
        Assert.True(ProcessPayloads.TryRead(terminate.Record, out ProcessEvent t));
        Assert.Equal((ProcessOp.Terminate, 88), (t.Op, t.ProcessId));
        Assert.False(ProcessPayloads.TryRead((terminate with { Payload = new byte[3] }).Record, out _));
    }

    [Theory]
    [InlineData(4, 2)]
    [InlineData(8, 3)]
    public void Thread_ReadsIdentityFromPayload(int p, byte version)
    {
        byte[] payload = new PayloadBuilder(p).I32(500).I32(600).Pointer(1).Pointer(2).ToArray();
        var raw = new RawRecord(KernelGroup.Thread, ThreadPayloads.DCStart, payload, p, version, -1, -1);
        Assert.True(ThreadPayloads.TryRead(raw.Record, out ThreadEvent e));
        Assert.Equal((ThreadOp.DCStart, 500, 600), (e.Op, e.ProcessId, e.ThreadId));
        Assert.False(ThreadPayloads.TryRead((raw with { Payload = payload[..7] }).Record, out _));
    }

    private static byte[] ImagePayload(int p, string name) =>
        new PayloadBuilder(p).Pointer(0x7F9D_02F0_000).Pointer(1_826_816).I32(3676).U32(1_866_534).U32(1_343_270_098)
            .U32(0).Pointer(0x7F9D_02F0_000).U32(0).U32(0).U32(0).U32(0).Utf16(name).ToArray();

    [Theory]
    [InlineData(4, KernelGroup.Process, ImagePayloads.Load, ImageOp.Load)]
    [InlineData(8, KernelGroup.Process, ImagePayloads.Load, ImageOp.Load)]
    [InlineData(8, KernelGroup.Image, ImagePayloads.Load, ImageOp.Load)]
    [InlineData(8, KernelGroup.Image, ImagePayloads.DCStart, ImageOp.DCStart)]
    [InlineData(4, KernelGroup.Image, ImagePayloads.Unload, ImageOp.Unload)]
    [InlineData(8, KernelGroup.Image, ImagePayloads.DCEnd, ImageOp.DCEnd)]
    public void Image_ReadsLoadLayout(int p, KernelGroup group, byte opcode, ImageOp op)
    {
        byte[] payload = ImagePayload(p, @"\Windows\System32\ntdll.dll");
        Assert.Equal(3 * p + 32, payload.Length - 2 * (@"\Windows\System32\ntdll.dll".Length + 1));
        var raw = new RawRecord(group, opcode, payload, p, 3);
        Assert.True(ImagePayloads.TryRead(raw.Record, out ImageEvent e));
        Assert.Equal(op, e.Op);
        Assert.Equal(p == 8 ? 0x7F9D_02F0_000UL : 0xD02F_0000UL, e.ImageBase);
        Assert.Equal(1_826_816UL, e.ImageSize);
        Assert.Equal(3676, e.ProcessId);
        Assert.Equal(1_866_534u, e.Checksum);
        Assert.Equal(1_343_270_098u, e.TimeDateStamp);
        Assert.Equal(@"\Windows\System32\ntdll.dll", e.FileName);
        Assert.False(ImagePayloads.TryRead((raw with { Payload = payload[..(2 * p + 11)] }).Record, out _));
    }

    [Fact]
    public void Image_KernelBaseReadsOnePointer()
    {
        var raw = new RawRecord(KernelGroup.Image, ImagePayloads.KernelBase, new PayloadBuilder(8).Pointer(0xFFFFF80021489000).ToArray());
        Assert.True(ImagePayloads.TryRead(raw.Record, out ImageEvent e));
        Assert.Equal((ImageOp.KernelBase, 0xFFFFF80021489000UL), (e.Op, e.ImageBase));
    }

    [Theory]
    [InlineData(4)]
    [InlineData(8)]
    public void DbgIdRsds_ReadsPdbIdentity(int p)
    {
        var guid = Guid.Parse("ec83d8df-5559-46e0-b000-000000000001");
        byte[] payload = new PayloadBuilder(p).Pointer(0x77710000).I32(4).Guid(guid).I32(2).Ansi("wntdll.pdb").ToArray();
        var raw = new RawRecord(KernelGroup.None, ImageIdPayloads.DbgIdRsds, payload, p, ProviderId: ImageIdPayloads.ImageIdTask,
            Header: HeaderKind.Full);
        Assert.True(ImageIdPayloads.TryReadRsds(raw.Record, out ImageIdentity id));
        Assert.Equal((0x77710000UL, 4, guid, 2, "wntdll.pdb"), (id.ImageBase, id.ProcessId, id.PdbGuid, id.PdbAge, id.PdbName));
        Assert.False(ImageIdPayloads.TryReadRsds((raw with { Payload = payload[..(p + 23)] }).Record, out _));
        Assert.False(ImageIdPayloads.TryReadRsds((raw with { ProviderId = Guid.NewGuid() }).Record, out _));
    }

    [Fact]
    public void LostEvent_CountsOneEventOrBuffer()
    {
        var raw = new RawRecord(KernelGroup.None, LossPayloads.LostEvent, [], ProviderId: LossPayloads.LostEventTask);
        Assert.True(LossPayloads.TryRead(raw.Record, out LossEvent e));
        Assert.Equal((1L, 0L), (e.Events, e.Buffers));
        Assert.True(LossPayloads.TryRead((raw with { Opcode = LossPayloads.LostBuffer }).Record, out e));
        Assert.Equal((0L, 1L), (e.Events, e.Buffers));
    }
}
