using HandleEtw.Core.Tracking;
using HandleEtw.Etl;
using HandleEtw.Etl.File;
using HandleEtw.Synthetic.Scale;
using HandleEtw.Tests.Parquet;

namespace HandleEtw.Tests.Scale;

/// <summary>The scale generator records the same workload as asked: on as many processor streams (more than 8 take
/// the heap merge), in buffers of the size given (many small ones go through the read-ahead's hand-off one by one),
/// with or without object names. Whatever the recording, every event is read and the analysis finds the same leaks.</summary>
public sealed class ScaleProcessorsTests
{
    private static readonly ScaleOptions Base = new() { Events = 20_000, Compress = true, CachedStacks = true, StackCacheSize = 64 };

    [Fact]
    public void Four_and_sixteen_processors_give_the_same_answer()
    {
        using var folder = new TempDir();
        string four = Analyse(folder.Path, Base), sixteen = Analyse(folder.Path, Base with { Processors = 16 });
        Assert.NotEmpty(four);
        Assert.Equal(four, sixteen);
    }

    [Fact]
    public void Buffer_size_and_object_names_do_not_change_the_answer()
    {
        using var folder = new TempDir();
        string usual = Analyse(folder.Path, Base);
        Assert.NotEmpty(usual);
        Assert.Equal(usual, Analyse(folder.Path, Base with { BufferSize = 4096 }));
        Assert.Equal(usual, Analyse(folder.Path, Base with { BufferSize = 1 << 20 }));
        Assert.Equal(usual, Analyse(folder.Path, Base with { NamedObjects = true }));
    }

    /// <summary>Generates a trace as <paramref name="options"/> say, checks it is read whole, and returns its leak
    /// groups as text.</summary>
    private static string Analyse(string folder, ScaleOptions options)
    {
        string path = Path.Combine(folder, $"cpus{options.Processors}-b{options.BufferSize}-n{options.NamedObjects}.etl");
        ScaleResult written = new ScaleGenerator(options).Write(path);

        using EtlFileSource source = EtlFileSource.Open(path);
        Assert.Equal(options.Processors, source.Info.Processors);
        Assert.Equal(options.BufferSize, source.Info.BufferSize);
        Assert.Equal(options.Processors, source.BuffersByProcessor.Count(buffers => buffers.Length > 0));
        var tracker = new HandleTracker(source.Info);
        PipelineResult result = TracePipeline.Run(source, tracker);
        Assert.Equal(written.HandleEvents, tracker.Counters.HandleEvents);
        Assert.Equal(written.Records + 1, result.Counters.Records); // and the logfile header's own EventTrace record
        Assert.Equal(0, result.Counters.OrphanStacks);
        Assert.False(source.Info.Lossy);
        // Names are read into the live handles (and only when recorded).
        Assert.Equal(options.NamedObjects, tracker.EnumerateLive().Any(h => h.Name?.StartsWith(@"\BaseNamedObjects\app", StringComparison.Ordinal) == true));
        return string.Join("\n", tracker.LeakGroupSummaries().Select(g =>
            $"{g.Pid} {g.Type} {string.Join(",", result.Stacks.GetFrames(g.StackId).ToArray())} {g.Outstanding} {g.Created} {g.Growing}"));
    }
}
