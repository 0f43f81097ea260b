using HandleEtw.Core.Events;
using HandleEtw.Etl;
using HandleEtw.Etl.File;
using HandleEtw.Tests.Tracking;

namespace HandleEtw.Tests.Etl;

/// <summary>
/// The pipeline runs its consumer on a second thread: on real files the consumer must see exactly what it sees when
/// called inline, and a consumer that fails must fail the run without hanging it.
/// </summary>
public class PipelineThreadTests
{
    private static List<string> Run(string path, bool inline, int? throwAt = null)
    {
        using EtlFileSource source = EtlFileSource.Open(path);
        var transcript = new TranscriptConsumer { ThrowAt = throwAt };
        TracePipeline.Run(source, transcript, new Core.Stacks.StackTable(), inline: inline);
        return transcript.Lines;
    }

    public static TheoryData<string> Files => new()
    {
        "samples/leakyhandles.etl",
        "corpus:perfview/net.4.5.2.x64.etl",
        "corpus:perfview/net.4.5.2.x86.etl",
    };

    private static string Resolve(string name) => name.StartsWith("corpus:", StringComparison.Ordinal)
        ? TestPaths.Corpus(name["corpus:".Length..])
        : Path.Combine(TestPaths.RepoRoot, name);

    [Theory]
    [MemberData(nameof(Files))]
    public void The_consumer_thread_sees_exactly_the_inline_stream(string file)
    {
        string path = Resolve(file);
        List<string> inline = Run(path, inline: true);
        List<string> threaded = Run(path, inline: false);
        Assert.True(inline.Count > 1, "the trace decodes to events");
        Assert.Equal(inline, threaded);
    }

    [Fact]
    public void A_failing_consumer_fails_the_run_with_its_own_error()
    {
        string path = Resolve("samples/leakyhandles.etl");
        var error = Assert.Throws<IOException>(() => Run(path, inline: false, throwAt: 100));
        Assert.Equal("no space left on device", error.Message);
    }
}
