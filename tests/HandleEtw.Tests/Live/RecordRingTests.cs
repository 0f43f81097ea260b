using HandleEtw.Core.Records;
using HandleEtw.Etl.Ring;
using HandleEtw.Windows.Ring;

namespace HandleEtw.Tests.Live;

public class RecordRingTests
{
    private static RawRecordHeader Header(long ts) => new() { Timestamp = ts, Opcode = 32, ProcessId = 7, Group = KernelGroup.None };

    [Fact]
    public void Records_come_out_in_order_with_their_bytes_across_many_wraps()
    {
        var ring = new RecordRing(64 * 1024);
        var expected = new Queue<(long, byte[])>();
        var random = new Random(5);
        long next = 0, read = 0;
        for (int round = 0; round < 20_000; round++)
        {
            if (random.Next(3) != 0)
            {
                byte[] payload = new byte[random.Next(0, 300)];
                random.NextBytes(payload);
                if (ring.TryWrite(Header(next), payload, payload.AsSpan(0, Math.Min(5, payload.Length))))
                    expected.Enqueue((next++, payload));
            }
            else if (ring.TryPeek(out RawRecordHeader h, out ReadOnlySpan<byte> user, out ReadOnlySpan<byte> ext))
            {
                var (ts, bytes) = expected.Dequeue();
                Assert.Equal(ts, h.Timestamp);
                Assert.True(user.SequenceEqual(bytes));
                Assert.True(ext.SequenceEqual(bytes.AsSpan(0, Math.Min(5, bytes.Length))));
                ring.Release();
                read++;
            }
        }
        Assert.True(read > 5000);
    }

    [Fact]
    public void A_full_ring_drops_and_counts_instead_of_blocking()
    {
        var ring = new RecordRing(64 * 1024);
        byte[] payload = new byte[1000];
        int written = 0;
        for (int i = 0; i < 100; i++) if (ring.TryWrite(Header(i), payload, default)) written++;
        Assert.InRange(written, 55, 64);
        Assert.Equal(100 - written, ring.Dropped);
        Assert.False(ring.CanWrite(1000, 0));
        Assert.True(ring.TryPeek(out _, out _, out _));
        ring.Release();
        Assert.True(ring.TryWrite(Header(100), payload, default));
    }

    [Fact]
    public void A_record_larger_than_half_the_ring_is_dropped()
    {
        var ring = new RecordRing(64 * 1024);
        Assert.False(ring.TryWrite(Header(0), new byte[40_000], default));
        Assert.Equal(1, ring.Dropped);
        Assert.True(ring.IsEmpty);
    }
}
