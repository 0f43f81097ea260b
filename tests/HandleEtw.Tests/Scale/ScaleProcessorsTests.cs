using HandleEtw.Core.Tracking;
using HandleEtw.Etl;
using HandleEtw.Etl.File;
using HandleEtw.Synthetic.Scale;
using Xunit;

namespace HandleEtw.Tests.Scale;

/// <summary>The scale generator spreads its threads over as many processor streams as asked (more than 8 take the
/// heap merge), and the same events come out in the same order whatever the count.</summary>
public sealed class ScaleProcessorsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("handleetw-scale-cpus-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData(4)]
    [InlineData(16)]
    public void Every_processor_gets_a_stream_and_every_event_is_read(int processors)
    {
        string path = Path.Combine(_folder, $"cpus{processors}.etl");
        var options = new ScaleOptions { Events = 20_000, Compress = true, CachedStacks = true, StackCacheSize = 64, Processors = processors };
        ScaleResult written = new ScaleGenerator(options).Write(path);

        using EtlFileSource source = EtlFileSource.Open(path);
        Assert.Equal(processors, source.Info.Processors);
        Assert.Equal(processors, source.BuffersByProcessor.Count(buffers => buffers.Length > 0));
        var tracker = new HandleTracker(source.Info);
        PipelineResult result = TracePipeline.Run(source, tracker);
        Assert.Equal(written.HandleEvents, tracker.Counters.HandleEvents);
        Assert.Equal(written.Records + 1, result.Counters.Records); // and the logfile header's own EventTrace record
        Assert.Equal(0, result.Counters.OrphanStacks);
        Assert.False(source.Info.Lossy);
    }
}
