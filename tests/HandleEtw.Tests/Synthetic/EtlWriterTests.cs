using System.Buffers.Binary;
using System.Text;
using HandleEtw.Synthetic.Etl;
using HandleEtw.Synthetic.Scenarios;

namespace HandleEtw.Tests.Synthetic;

public class EtlWriterTests
{
    private static byte[] Write(TraceScript script) => script.ToBytes();

    [Fact]
    public void HeaderBufferStartsWithTheEventTraceHeaderEvent()
    {
        TraceScript script = HandleScenarios.LeakyHandles(iterations: 20);
        byte[] file = Write(script);
        List<WalkedBuffer> buffers = TestEtlWalker.Buffers(file);
        WalkedBuffer header = buffers[0];
        Assert.Equal(EtlConstants.BufferTypeHeader, header.Type);
        Assert.Equal(65536, header.BufferSize);
        Assert.Equal(0, header.Flags & EtlConstants.FlagCompressed);

        ReadOnlySpan<byte> r = file.AsSpan(0x48);
        Assert.Equal(2, BinaryPrimitives.ReadUInt16LittleEndian(r));           // version
        Assert.Equal((byte)RecordHeaderType.System64, r[2]);
        Assert.Equal(0xC0, r[3]);
        Assert.Equal(0, BinaryPrimitives.ReadUInt16LittleEndian(r[6..]));      // hook 0x0000
        ReadOnlySpan<byte> p = r[32..];
        Assert.Equal(65536u, BinaryPrimitives.ReadUInt32LittleEndian(p));
        Assert.Equal(22631u, BinaryPrimitives.ReadUInt32LittleEndian(p[8..]));
        Assert.Equal(2u, BinaryPrimitives.ReadUInt32LittleEndian(p[12..]));     // processors
        Assert.Equal((uint)buffers.Count, BinaryPrimitives.ReadUInt32LittleEndian(p[36..])); // BuffersWritten
        Assert.Equal(8u, BinaryPrimitives.ReadUInt32LittleEndian(p[44..]));     // PointerSize
        Assert.Equal(-60, BinaryPrimitives.ReadInt32LittleEndian(p[72..]));     // TimeZone bias
        Assert.Equal(248, LogFileHeader.BootTimeOffset(8));
        Assert.Equal(10_000_000, BinaryPrimitives.ReadInt64LittleEndian(p[256..])); // PerfFreq
        var options = script.Options.Writer;
        Assert.Equal(options.StartUtc.ToFileTimeUtc(), BinaryPrimitives.ReadInt64LittleEndian(p[264..]));
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(p[272..]));    // ClockType QPC
        Assert.Equal(options.StartQpc, BinaryPrimitives.ReadInt64LittleEndian(r[16..]));
        string names = Encoding.Unicode.GetString(p[280..(280 + (options.SessionName.Length + 1 + options.LogFileName.Length) * 2 + 2)]);
        Assert.Equal(options.SessionName + "\0" + options.LogFileName, names.TrimEnd('\0'));
    }

    [Fact]
    public void DataBuffersHaveProcessorIndexSequenceAndFill()
    {
        byte[] file = Write(HandleScenarios.LeakyHandles(iterations: 400, options: new ScriptOptions { Writer = new EtlWriterOptions { BufferSize = 4096, Processors = 3 } }));
        List<WalkedBuffer> data = TestEtlWalker.Buffers(file).Skip(1).ToList();
        Assert.True(data.Count > 10);
        foreach (WalkedBuffer b in data)
        {
            Assert.Equal(4096, b.BufferSize);
            Assert.Equal(EtlConstants.FlagProcessorIndex, b.Flags & EtlConstants.FlagProcessorIndex);
            Assert.Equal(EtlConstants.BufferTypeGeneric, b.Type);
            Assert.InRange(b.Cpu, 0, 2);
            Assert.All(b.Data[b.SavedOffset..], x => Assert.Equal(0xFF, x));
            Assert.Equal(b.SavedOffset, BinaryPrimitives.ReadInt32LittleEndian(b.Data.AsSpan(0x30)));
        }
        foreach (var cpu in data.GroupBy(b => b.Cpu))
            Assert.Equal(Enumerable.Range(1, cpu.Count()).Select(i => (long)i), cpu.Select(b => b.Sequence));
        Assert.True(data.Zip(data.Skip(1)).Any(pair => pair.First.Cpu != pair.Second.Cpu), "processors do not interleave");
    }

    [Fact]
    public void EveryHeaderKindIsFramedAsSpecified()
    {
        var options = new ScriptOptions { HandleHeader = HandleHeader.Compact };
        byte[] file = Write(HandleScenarios.Wow64Process(options));
        List<WalkedRecord> records = TestEtlWalker.Records(file);

        WalkedRecord create64 = records.First(r => r.Hook == Hooks.CreateHandle && r.Type == RecordHeaderType.Compact64);
        Assert.Equal(16, create64.Payload.Length);                    // Object, Handle, Type, empty name
        Assert.Equal(16, BinaryPrimitives.ReadUInt16LittleEndian(create64.Payload.AsSpan(12)));
        WalkedRecord create32 = records.First(r => r.Hook == Hooks.CreateHandle && r.Type == RecordHeaderType.Compact32);
        Assert.Equal(4500, create32.Pid);
        Assert.Equal(12, create32.Payload.Length);                    // 4-byte object pointer

        WalkedRecord process32 = records.First(r => r.Hook == Hooks.ProcessDCStart && r.Type == RecordHeaderType.PerfInfo32);
        Assert.Equal(4500u, BinaryPrimitives.ReadUInt32LittleEndian(process32.Payload.AsSpan(4)));
        WalkedRecord stack = records.First(r => r.Hook == Hooks.StackWalk && r.Type == RecordHeaderType.PerfInfo64);
        Assert.Equal(0, (stack.Payload.Length - 16) % 8);
        Assert.Contains(records, r => r.Hook == Hooks.StackWalk && r.Type == RecordHeaderType.PerfInfo32);
        WalkedRecord rsds = records.First(r => r.Type == RecordHeaderType.FullHeader64);
        Assert.Equal(EtlGuids.ImageIdTask, rsds.Guid);
        Assert.Equal(EtlGuids.DbgIdRsdsOpcode, rsds.Opcode);
        WalkedRecord lost = records.Single(r => r.Type == RecordHeaderType.EventHeader64);
        Assert.Equal(EtlGuids.LostEventTask, lost.Guid);
        Assert.Contains(TestEtlWalker.Buffers(file), b => (b.Flags & EtlConstants.FlagEventsLost) != 0);
    }

    [Fact]
    public void ProcessPayloadHasTokenUserSidAndStrings()
    {
        List<WalkedRecord> records = TestEtlWalker.Records(Write(HandleScenarios.LeakyHandles(iterations: 1)));
        WalkedRecord dc = records.First(r => r.Hook == Hooks.ProcessDCStart && BinaryPrimitives.ReadUInt32LittleEndian(r.Payload.AsSpan(8)) == HandleScenarios.LeakyPid);
        byte[] p = dc.Payload;
        int sid = 2 * 8 + 20;
        Assert.NotEqual(0u, BinaryPrimitives.ReadUInt32LittleEndian(p.AsSpan(sid)));
        int subAuthorities = p[sid + 16 + 1];
        Assert.Equal(5, subAuthorities);
        int image = sid + 16 + 8 + 4 * subAuthorities;
        Assert.Equal("leakyhandles.exe\0", Encoding.ASCII.GetString(p, image, 17));
        string rest = Encoding.Unicode.GetString(p, image + 17, p.Length - image - 17);
        Assert.Equal(@"C:\demo\leakyhandles.exe --loop" + "\0\0\0", rest);
    }

    [Fact]
    public void DuplicateHandleIsPacked26Bytes()
    {
        List<WalkedRecord> records = TestEtlWalker.Records(Write(HandleScenarios.DuplicateIntoOtherProcess()));
        WalkedRecord dup = records.Single(r => r.Hook == Hooks.DuplicateHandle);
        Assert.Equal(3, dup.Version);
        Assert.Equal(26, dup.Payload.Length);
        Assert.Equal(4300u, BinaryPrimitives.ReadUInt32LittleEndian(dup.Payload.AsSpan(16)));                 // TargetProcessId
        Assert.Equal(8, BinaryPrimitives.ReadUInt16LittleEndian(dup.Payload.AsSpan(20)));                     // Process type
        Assert.Equal((uint)HandleScenarios.LeakyPid, BinaryPrimitives.ReadUInt32LittleEndian(dup.Payload.AsSpan(22)));
    }
}
