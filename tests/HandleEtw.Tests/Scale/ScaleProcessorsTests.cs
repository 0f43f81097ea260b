using HandleEtw.Core.Tracking;
using HandleEtw.Etl;
using HandleEtw.Etl.File;
using HandleEtw.Synthetic.Scale;
using HandleEtw.Tests.Parquet;

namespace HandleEtw.Tests.Scale;

/// <summary>The scale generator spreads its threads over as many processor streams as asked (more than 8 take the
/// heap merge); whatever the count, every event is read and the analysis finds the same leaks.</summary>
public sealed class ScaleProcessorsTests
{
    [Fact]
    public void Four_and_sixteen_processors_give_the_same_answer()
    {
        using var folder = new TempDir();
        string four = Analyse(folder.Path, 4), sixteen = Analyse(folder.Path, 16);
        Assert.NotEmpty(four);
        Assert.Equal(four, sixteen);
    }

    /// <summary>Generates a trace on <paramref name="processors"/> streams, checks it is read whole, and returns its
    /// leak groups as text.</summary>
    private static string Analyse(string folder, int processors)
    {
        string path = Path.Combine(folder, $"cpus{processors}.etl");
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
        return string.Join("\n", tracker.LeakGroupSummaries().Select(g =>
            $"{g.Pid} {g.Type} {string.Join(",", result.Stacks.GetFrames(g.StackId).ToArray())} {g.Outstanding} {g.Created} {g.Growing}"));
    }
}
