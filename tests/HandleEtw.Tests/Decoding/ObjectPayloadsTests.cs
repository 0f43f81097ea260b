using HandleEtw.Core.Events;
using HandleEtw.Core.Records;
using HandleEtw.Etl.Decoding;

namespace HandleEtw.Tests.Decoding;

public class ObjectPayloadsTests
{
    [Theory]
    [InlineData(4)]
    [InlineData(8)]
    public void CreateHandle_ReadsFieldsAtPointerSizedOffsets(int p)
    {
        var raw = KernelRecords.CreateHandle(ts: 55, pid: 1234, tid: 99, handle: 0x1A4, obj: 0x8123_4560, type: 37, p: p);
        Assert.True(ObjectPayloads.TryReadHandle(raw.Record, out HandleEvent e));
        Assert.Equal(HandleOp.Create, e.Op);
        Assert.Equal(0x8123_4560UL, e.Object);
        Assert.Equal(0x1A4u, e.Handle);
        Assert.Equal((ushort)37, e.ObjectType);
        Assert.Equal(1234, e.ProcessId);
        Assert.Equal(99, e.ThreadId);
        Assert.Equal(55, e.Timestamp);
        Assert.Null(e.Name);
        Assert.Equal(-1, e.StackId);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(8)]
    public void CloseHandle_ReadsOptionalName(int p)
    {
        var raw = KernelRecords.CreateHandle(1, 10, 11, 0x8000_0044, name: @"\BaseNamedObjects\Ev", p: p,
            opcode: ObjectPayloads.CloseHandle);
        Assert.True(ObjectPayloads.TryReadHandle(raw.Record, out HandleEvent e));
        Assert.Equal(HandleOp.Close, e.Op);
        Assert.Equal(@"\BaseNamedObjects\Ev", e.Name);
        Assert.Equal(0x8000_0044u, e.Handle); // kernel handle passed on as it is
    }

    [Theory]
    [InlineData(4)]
    [InlineData(8)]
    public void CreateHandle_TruncatedPayload_Fails(int p)
    {
        byte[] full = KernelRecords.CreateHandle(1, 10, 11, 4, p: p).Payload;
        for (int len = 0; len < full.Length; len++)
        {
            var raw = new RawRecord(KernelGroup.Object, ObjectPayloads.CreateHandle, full[..len], p);
            Assert.False(ObjectPayloads.TryReadHandle(raw.Record, out _));
        }
    }

    [Theory]
    [InlineData(4)]
    [InlineData(8)]
    public void DuplicateHandle_ReadsPackedLayout(int p)
    {
        byte[] payload = new PayloadBuilder(p).Pointer(0xABCD0).U32(0x10).U32(0x20).I32(777).U16(12).I32(555).ToArray();
        Assert.Equal(p + 18, payload.Length);
        var raw = new RawRecord(KernelGroup.Object, ObjectPayloads.DuplicateHandle, payload, p, Version: 2, ProcessId: 9);
        Assert.True(ObjectPayloads.TryReadHandle(raw.Record, out HandleEvent e));
        Assert.Equal(HandleOp.Duplicate, e.Op);
        Assert.Equal(0xABCD0UL, e.Object);
        Assert.Equal(0x10u, e.Handle);
        Assert.Equal(0x20u, e.TargetHandle);
        Assert.Equal(777, e.TargetProcessId);
        Assert.Equal((ushort)12, e.ObjectType);
        Assert.Equal(555, e.SourceProcessId);
        Assert.Equal(9, e.ProcessId);

        var truncated = raw with { Payload = payload[..(p + 13)] };
        Assert.False(ObjectPayloads.TryReadHandle(truncated.Record, out _));
    }

    [Theory]
    [InlineData(4, ObjectPayloads.HandleDCStart, HandleOp.RundownStart)]
    [InlineData(8, ObjectPayloads.HandleDCEnd, HandleOp.RundownEnd)]
    public void HandleRundown_ReadsProcessIdAtPointerOffset(int p, byte opcode, HandleOp op)
    {
        byte[] payload = new PayloadBuilder(p).Pointer(0x5000).I32(4321).U32(0x88).U16(31).Utf16("Foo").ToArray();
        var raw = new RawRecord(KernelGroup.Object, opcode, payload, p, ProcessId: -1, ThreadId: -1);
        Assert.True(ObjectPayloads.TryReadHandle(raw.Record, out HandleEvent e));
        Assert.Equal(op, e.Op);
        Assert.Equal(4321, e.ProcessId);
        Assert.Equal(0x88u, e.Handle);
        Assert.Equal((ushort)31, e.ObjectType);
        Assert.Equal("Foo", e.Name);
        Assert.False(ObjectPayloads.TryReadHandle((raw with { Payload = payload[..(p + 9)] }).Record, out _));
    }

    [Fact]
    public void TypeRundown_ReadsIndexAndName_NameBoundedByPayload()
    {
        byte[] payload = new PayloadBuilder(8).U16(42).U16(0).Utf16("Event").ToArray();
        var raw = new RawRecord(KernelGroup.Object, ObjectPayloads.TypeDCEnd, payload);
        Assert.True(ObjectPayloads.TryReadObjectType(raw.Record, out ushort index, out string name));
        Assert.Equal((ushort)42, index);
        Assert.Equal("Event", name);

        // No terminator: the name stops at the payload's end.
        Assert.True(ObjectPayloads.TryReadObjectType((raw with { Payload = payload[..9] }).Record, out _, out name));
        Assert.Equal("Ev", name);
        Assert.False(ObjectPayloads.TryReadObjectType((raw with { Payload = payload[..3] }).Record, out _, out _));
    }

    [Fact]
    public void OtherGroupsAndOpcodes_AreNotHandleEvents()
    {
        var raw = KernelRecords.CreateHandle(1, 1, 1, 4);
        Assert.False(ObjectPayloads.TryReadHandle((raw with { Opcode = 48 }).Record, out _));
        Assert.False(ObjectPayloads.TryReadHandle((raw with { Group = KernelGroup.Process }).Record, out _));
    }
}
