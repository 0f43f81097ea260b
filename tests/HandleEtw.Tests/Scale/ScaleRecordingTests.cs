using HandleEtw.Core.Tracking;
using HandleEtw.Etl;
using HandleEtw.Etl.File;
using HandleEtw.Synthetic.Etl;
using HandleEtw.Synthetic.Scale;
using HandleEtw.Tests.Parquet;

namespace HandleEtw.Tests.Scale;

/// <summary>The scale generator records the same workload as asked: on as many processor streams (more than 8 take
/// the heap merge), in buffers of the size given (many small ones go through the read-ahead's hand-off one by one),
/// with or without object names, under system or compact headers, 64- or 32-bit, with stacks cached in a small or a
/// large cache or not at all. Whatever the recording, every event is read and the analysis finds the same leaks.</summary>
public sealed class ScaleRecordingTests
{
    private static readonly ScaleOptions Base = new() { Events = 20_000, Compress = true, CachedStacks = true, StackCacheSize = 64 };

    [Fact]
    public void Sixteen_processors_give_the_same_answer() => AssertSameAnswers(("16 processors", Base with { Processors = 16 }));

    [Fact]
    public void Buffer_size_object_names_header_type_and_pointer_size_do_not_change_the_answer() => AssertSameAnswers(
        ("4 KB buffers", Base with { BufferSize = 4096 }), ("1 MB buffers", Base with { BufferSize = 1 << 20 }),
        ("object names", Base with { NamedObjects = true }), ("compact headers", Base with { HandleHeader = HandleHeader.Compact }),
        ("32-bit", Base with { PointerSize = 4 })); // frames mapped to the 64-bit layout

    [Fact]
    public void Stack_cache_size_or_no_cache_does_not_change_the_answer() => AssertSameAnswers(
        ("a 3-key cache", Base with { StackCacheSize = 3 }), ("a 4096-key cache", Base with { StackCacheSize = 4096 }),
        ("a 24-key cache evicting the oldest", Base with { StackCacheSize = 24, StackCacheEviction = StackCacheEviction.Fifo }),
        ("no cache", Base with { CachedStacks = false }));

    /// <summary>Each recording's leak groups are those of <see cref="Base"/> (4 processors, 64 KB buffers, a 64-key
    /// cache); a difference is shown as the groups found in one only.</summary>
    private static void AssertSameAnswers(params (string Name, ScaleOptions Options)[] recordings)
    {
        using var folder = new TempDir();
        string[] expected = Analyse(folder.Path, Base).Split('\n');
        Assert.NotEmpty(expected[0]);
        foreach ((string name, ScaleOptions options) in recordings)
        {
            string[] actual = Analyse(folder.Path, options).Split('\n');
            Assert.True(expected.SequenceEqual(actual), $"{name}: only in the usual recording: " +
                string.Join(" | ", expected.Except(actual)) + "; only here: " + string.Join(" | ", actual.Except(expected)));
        }
    }

    /// <summary>Generates a trace as <paramref name="options"/> say, checks it is read whole, and returns its leak
    /// groups as text.</summary>
    private static string Analyse(string folder, ScaleOptions options)
    {
        string path = Path.Combine(folder, $"cpus{options.Processors}-b{options.BufferSize}-n{options.NamedObjects}" +
            $"-k{(options.CachedStacks ? options.StackCacheSize : 0)}{options.StackCacheEviction}-{options.HandleHeader}-p{options.PointerSize}.etl");
        ScaleResult written = new ScaleGenerator(options).Write(path);

        using EtlFileSource source = EtlFileSource.Open(path);
        Assert.Equal(options.Processors, source.Info.Processors);
        Assert.Equal(options.BufferSize, source.Info.BufferSize);
        Assert.Equal(options.PointerSize, source.Info.PointerSize);
        Assert.Equal(options.Processors, source.BuffersByProcessor.Count(buffers => buffers.Length > 0));
        var tracker = new HandleTracker(source.Info);
        PipelineResult result = TracePipeline.Run(source, tracker);
        Assert.Equal(written.HandleEvents, tracker.Counters.HandleEvents);
        Assert.Equal(written.Records + 1, result.Counters.Records); // and the logfile header's own EventTrace record
        Assert.Equal(0, result.Counters.OrphanStacks);
        Assert.False(source.Info.Lossy);
        // Names are read into the live handles (and only when recorded).
        Assert.Equal(options.NamedObjects, tracker.EnumerateLive().Any(h => h.Name?.StartsWith(@"\BaseNamedObjects\app", StringComparison.Ordinal) == true));
        // Sorted: groups that tie in rank come in stack id order, and ids are numbered in the order stacks become
        // known, which the recording decides.
        return string.Join("\n", tracker.LeakGroupSummaries().Select(g =>
            $"{g.Pid} {g.Type} {string.Join(",", result.Stacks.GetFrames(g.StackId).ToArray().Select(f => As64Bit(f, options.PointerSize)))} " +
            $"{g.Outstanding} {g.Created} {g.Growing}")
            .Order(StringComparer.Ordinal));
    }

    /// <summary>A frame of a 32-bit recording at the place of the same module offset in the 64-bit one.</summary>
    private static ulong As64Bit(ulong frame, int pointerSize)
    {
        if (pointerSize == 8) return frame;
        ulong kernel32 = ScaleGenerator.KernelBaseFor(4);
        return frame >= kernel32
            ? frame - kernel32 + ScaleGenerator.KernelBaseFor(8)
            : frame - ScaleGenerator.UserBaseFor(4) + ScaleGenerator.UserBaseFor(8);
    }
}
