using HandleEtw.Core.Events;
using Xunit;

namespace HandleEtw.Tests.Tracking;

public class BackgroundConsumerTests
{
    /// <summary>A seeded mix of every event kind, long enough to span many batches.</summary>
    private static void Feed(TraceConsumer c, int count, int seed)
    {
        var random = new Random(seed);
        for (long t = 0; t < count; t++)
        {
            switch (random.Next(20))
            {
                case 0: c.OnProcess(new ProcessEvent { Timestamp = t, ImageFileName = "", CommandLine = "" }); break;
                case 1: c.OnThread(new ThreadEvent { Timestamp = t }); break;
                case 2: c.OnImage(new ImageEvent { Timestamp = t, FileName = "" }); break;
                case 3: c.OnImageIdentity(new ImageIdentity { Timestamp = t, PdbName = "" }); break;
                case 4: c.OnObjectType(t, (ushort)(t % 50), "File"); break;
                case 5: c.OnLoss(new LossEvent { Timestamp = t }); break;
                case 6: c.OnSnapshot(t, "s" + t); break;
                default: c.OnHandle(new HandleEvent { Timestamp = t }); break;
            }
        }
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 2)]
    [InlineData(4095, 3)]
    [InlineData(4096, 4)]
    [InlineData(50_000, 5)]
    public void Replays_exactly_the_inline_stream_on_another_thread(int count, int seed)
    {
        var inline = new TranscriptConsumer();
        Feed(inline, count, seed);
        inline.OnEnd(count);

        var behind = new TranscriptConsumer();
        using (var background = new BackgroundConsumer(behind))
        {
            Feed(background, count, seed);
            background.OnEnd(count);
        }
        Assert.Equal(inline.Lines, behind.Lines);
        if (count > 0) Assert.DoesNotContain(Environment.CurrentManagedThreadId, behind.Threads);
    }

    /// <summary>Runs of handle events go to each consumer of a composite in turn: each still sees the inline stream.</summary>
    [Fact]
    public void Each_consumer_of_a_composite_sees_the_inline_stream()
    {
        var inline = new TranscriptConsumer();
        Feed(inline, 20_000, 9);
        inline.OnEnd(20_000);

        var first = new TranscriptConsumer();
        var second = new TranscriptConsumer();
        using (var background = new BackgroundConsumer(new CompositeConsumer(first, new IgnoresEverything(), second)))
        {
            Feed(background, 20_000, 9);
            background.OnEnd(20_000);
        }
        Assert.Equal(inline.Lines, first.Lines);
        Assert.Equal(inline.Lines, second.Lines);
    }

    private sealed class IgnoresEverything : TraceConsumer;

    [Fact]
    public void Dispose_without_end_hands_over_everything_and_does_not_end()
    {
        var behind = new TranscriptConsumer();
        using (var background = new BackgroundConsumer(behind)) Feed(background, 10_000, 7);
        Assert.Equal(10_000, behind.Lines.Count);
        Assert.DoesNotContain(behind.Lines, l => l.StartsWith("E ", StringComparison.Ordinal));
    }

    [Fact]
    public void A_consumer_failure_reaches_the_producer_and_nothing_hangs()
    {
        var failing = new TranscriptConsumer { ThrowAt = 100 };
        var background = new BackgroundConsumer(failing);
        var error = Assert.Throws<IOException>(() =>
        {
            Feed(background, 200_000, 8); // far more than the batches in flight: the producer must notice
            background.OnEnd(0);
        });
        background.Dispose();
        Assert.Equal("no space left on device", error.Message);
        Assert.Equal(100, failing.Lines.Count);
    }
}
