using System.Buffers.Binary;
using HandleEtw.Core.Records;
using HandleEtw.Etl.File;
using HandleEtw.Synthetic.Etl;

namespace HandleEtw.Tests.Etl;

/// <summary>
/// The time merge of the processor streams, for few processors and for many (the reader merges them differently):
/// records come out by timestamp, on equal timestamps by processor, and each processor's in its own order, across
/// small buffers and whether read-ahead is on or not.
/// </summary>
public class MergeOrderTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(17)]
    public void Records_come_out_by_timestamp_then_processor_then_stream_order(int processors)
    {
        var expected = new List<(long Ticks, int Cpu, int Serial)>();
        byte[] file = Write(processors, expected);
        foreach (bool readAhead in new[] { false, true })
        {
            using EtlFileSource source = EtlFileSource.Open(new MemoryStream(file), "merge");
            source.ReadAhead = readAhead;
            var sink = new OrderSink();
            source.Read(sink);
            Assert.Equal(expected.OrderBy(r => r.Ticks).ThenBy(r => r.Cpu).ThenBy(r => r.Serial).Select(r => (r.Cpu, r.Serial)), sink.Seen);
        }
    }

    /// <summary>Every processor logs a stream whose timestamps only rise, often by nothing, so ties across processors
    /// are common; some processors go quiet for a while, and some have fewer records than others.</summary>
    private static byte[] Write(int processors, List<(long Ticks, int Cpu, int Serial)> expected)
    {
        var stream = new MemoryStream();
        var random = new Random(processors);
        var options = new EtlWriterOptions { Processors = processors, BufferSize = 1024 };
        using (var writer = new EtlWriter(stream, options, leaveOpen: true))
        {
            var ticks = new long[processors];
            var serials = new int[processors];
            for (int n = 0; n < 6000; n++)
            {
                int cpu = random.Next(processors) * random.Next(2) % processors; // the low processors busier
                ticks[cpu] += random.Next(4) == 0 ? 0 : random.Next(1, 40);
                if (random.Next(500) == 0) ticks[cpu] += 20_000;
                int serial = serials[cpu]++;
                var payload = new byte[8 + random.Next(3) * 8];
                BinaryPrimitives.WriteInt32LittleEndian(payload, serial);
                writer.WriteSystem(cpu, Hooks.ProcessStart, 4, 4, 8, ticks[cpu], payload);
                expected.Add((ticks[cpu], cpu, serial));
            }
        }
        return stream.ToArray();
    }

    private sealed class OrderSink : IRecordSink
    {
        public List<(int Cpu, int Serial)> Seen { get; } = [];

        public void OnRecord(in EventRecord record)
        {
            if (record.Group == KernelGroup.Header) return; // the EventTrace header event
            Seen.Add((record.Cpu, BinaryPrimitives.ReadInt32LittleEndian(record.Payload)));
        }
    }
}
