using HandleEtw.Core.Events;
using HandleEtw.Core.Tracking;
using HandleEtw.Etl;
using HandleEtw.Etl.File;
using HandleEtw.Synthetic.Scale;
using Xunit;

namespace HandleEtw.Tests.Scale;

/// <summary>
/// A 1 M-event trace through reader → decoder → stack join → tracker: memory after 1 M events stays close to memory
/// after 250 k (it may grow with live handles and distinct stacks, not with events), and the whole run finishes.
/// Managed memory is process-wide, so this runs alone (<see cref="MemoryMeasurements"/>): tests running beside it once
/// added 9 MB of their own between the two samples (about 2 MB is this pipeline's own growth).
/// </summary>
[Collection(nameof(MemoryMeasurements))]
public sealed class ScaleMemoryTests : IDisposable
{
    private const long Events = 1_000_000;
    private const long EarlyMark = 250_000;
    /// <summary>Leaked handles (about 1 in 400 events) and late first-seen stacks may grow between the marks; a
    /// structure holding even 16 bytes per event would add 12 MB over the 750 k events in between.</summary>
    private const long AllowedGrowth = 8L << 20;

    private readonly string _folder = Directory.CreateTempSubdirectory("handleetw-scale-test-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void MemoryAfterOneMillionEventsStaysNearMemoryAfterAQuarterMillion()
    {
        string path = Path.Combine(_folder, "scale.etl");
        ScaleResult written = new ScaleGenerator(new ScaleOptions { Events = Events, Compress = true, CachedStacks = true }).Write(path);

        using EtlFileSource source = EtlFileSource.Open(path);
        var tracker = new HandleTracker(source.Info);
        var probe = new MemoryProbe(EarlyMark, written.HandleEvents);
        PipelineResult result = TracePipeline.Run(source, new CompositeConsumer(tracker, probe));

        Assert.Equal(written.HandleEvents, probe.Seen);
        Assert.True(probe.Early > 0 && probe.Late > 0, "both marks were sampled");
        long growth = probe.Late - probe.Early;
        Assert.True(growth < AllowedGrowth,
            $"managed memory grew {growth:N0} bytes between {EarlyMark:N0} and {written.HandleEvents:N0} handle events " +
            $"({probe.Early:N0} → {probe.Late:N0}; live handles {tracker.LiveHandleCount:N0}, stacks {result.Stacks.Count:N0})");
        // What may grow is bounded by the trace's shape: its leaks and its distinct stacks.
        Assert.InRange(tracker.LiveHandleCount, 1, written.Leaks + 64 * 4 * 64);
        Assert.InRange(result.Stacks.Count, 1, 4 * new ScaleOptions().DistinctStacks);
    }

    /// <summary>Samples managed memory after a full collection at two handle-event counts.</summary>
    private sealed class MemoryProbe(long early, long late) : TraceConsumer
    {
        public long Seen { get; private set; }
        public long Early { get; private set; }
        public long Late { get; private set; }

        public override void OnHandle(in HandleEvent e)
        {
            Seen++;
            if (Seen == early) Early = GC.GetTotalMemory(forceFullCollection: true);
            else if (Seen == late) Late = GC.GetTotalMemory(forceFullCollection: true);
        }
    }
}

/// <summary>Tests that sample process-wide memory: run after the parallel tests, one at a time.</summary>
[CollectionDefinition(nameof(MemoryMeasurements), DisableParallelization = true)]
public sealed class MemoryMeasurements;
