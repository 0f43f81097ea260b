using HandleEtw.Cli.Progress;
using HandleEtw.Core.Events;
using HandleEtw.Etl;
using HandleEtw.Etl.File;
using HandleEtw.Synthetic.Etl;
using HandleEtw.Synthetic.Scenarios;
using HandleEtw.Tests.Parquet;

namespace HandleEtw.Tests.Progress;

public class TraceProgressTests
{
    /// <summary>A clock the test moves by hand; its timers never fire (the test calls Tick itself).</summary>
    private sealed class ManualClock : TimeProvider
    {
        public long Ticks;
        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
        public override long GetTimestamp() => Ticks;
        public void Advance(TimeSpan by) => Ticks += by.Ticks;
        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) => new NoTimer();

        private sealed class NoTimer : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => true;
            public void Dispose() { }
            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }

    [Theory]
    [InlineData(true, false, false, true)]
    [InlineData(false, false, false, false)] // stderr redirected
    [InlineData(true, true, false, false)]   // --json
    [InlineData(true, false, true, false)]   // --quiet
    public void Shown_only_on_a_terminal_without_json_or_quiet(bool terminal, bool json, bool quiet, bool shown) =>
        Assert.Equal(shown, TraceProgress.ShouldShow(terminal, json, quiet));

    [Fact]
    public void A_writer_that_is_not_the_console_gets_no_progress() =>
        Assert.Null(TraceProgress.For(new StringWriter(), json: false, quiet: false));

    [Theory]
    [InlineData(0, 1_400_000_000, 0, 0.2, "0 B of 1.40 GB (0%), 0 events")]
    [InlineData(412_000_000, 1_400_000_000, 3_456_789, 4.0, "412 MB of 1.40 GB (29%), 3,456,789 events, 103 MB/s, ETA 10 s")]
    [InlineData(50_000_000, 10_000_000_000, 10, 10, "50.0 MB of 10.0 GB (0%), 10 events, 5.00 MB/s, ETA 33 min 10 s")]
    [InlineData(2_000, 2_000, 5, 2, "2.00 kB of 2.00 kB (100%), 5 events, 1.00 kB/s")]
    [InlineData(900, 0, 1, 2, "900 B, 1 events, 450 B/s")]
    public void Line_says_bytes_of_total_events_rate_and_time_left(long read, long total, long events, double seconds, string expected) =>
        Assert.Equal(expected, ProgressLine.Format(read, total, events, TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void Durations_read_in_seconds_minutes_and_hours() =>
        Assert.Equal(["1 s", "59 s", "1 min 00 s", "2 h 07 min"],
            new[] { 0.4, 59, 60, 2 * 3600 + 7 * 60 + 5 }.Select(s => ProgressLine.Duration(TimeSpan.FromSeconds(s))));

    [Fact]
    public void Line_appears_after_half_a_second_a_few_times_a_second_and_is_cleared_at_the_end()
    {
        using var dir = new TempDir();
        using var source = SmallTrace(dir);
        var clock = new ManualClock();
        var error = new StringWriter();
        var watch = new TraceProgress(error, clock).Watch(source);

        clock.Advance(TimeSpan.FromMilliseconds(400));
        watch.Tick();
        Assert.Equal("", error.ToString()); // a short read stays silent

        clock.Advance(TimeSpan.FromMilliseconds(200));
        watch.Tick();
        Assert.Equal(1, Lines(error));
        Assert.StartsWith($"\r0 B of {ProgressLine.Bytes(source.Progress.TotalBytes)} (0%), 0 events", error.ToString());
        Assert.EndsWith("\u001b[K", error.ToString());

        clock.Advance(TimeSpan.FromMilliseconds(100));
        watch.Tick();
        Assert.Equal(1, Lines(error)); // not again within the interval
        clock.Advance(TimeSpan.FromMilliseconds(200));
        watch.Tick();
        Assert.Equal(2, Lines(error));

        watch.Dispose();
        Assert.EndsWith("\r\u001b[K", error.ToString());
        watch.Tick();
        Assert.Equal(3, Lines(error)); // nothing after the end (the third \r is the clearing)
    }

    [Fact]
    public void A_read_that_ends_before_the_first_line_writes_nothing_at_all()
    {
        using var dir = new TempDir();
        using var source = SmallTrace(dir);
        var error = new StringWriter();
        using (var watch = new TraceProgress(error, new ManualClock()).Watch(source)) watch.Tick();
        Assert.Equal("", error.ToString());
    }

    [Fact]
    public void Bytes_read_reach_the_total_of_every_file_and_records_follow_the_decoder()
    {
        using var dir = new TempDir();
        TraceScript script = HandleScenarios.LeakyHandles(iterations: 200, duration: TimeSpan.FromMinutes(5));
        string single = Path.Combine(dir.Path, "one.etl");
        script.WriteTo(single);
        string roll = Directory.CreateDirectory(Path.Combine(dir.Path, "roll")).FullName;
        IReadOnlyList<string> files = script.WriteRolled(roll, "trace", new RollOptions());

        using var one = EtlFileSource.Open(single);
        Assert.Equal(0, one.Progress.BytesRead);
        var result = TracePipeline.Run(one, new CountingConsumer());
        Assert.Equal(one.Progress.TotalBytes, one.Progress.BytesRead);
        Assert.InRange(one.Progress.TotalBytes, 1, new FileInfo(single).Length);
        Assert.Equal(result.Counters.Records, one.Progress.Records);
        TracePipeline.Run(one, new CountingConsumer());
        Assert.Equal(one.Progress.TotalBytes, one.Progress.BytesRead); // a second read starts over

        using var sequence = EtlSequenceSource.Open(files);
        Assert.True(files.Count > 1);
        long total = files.Sum(f => { using var s = EtlFileSource.Open(f); return s.Progress.TotalBytes; });
        Assert.Equal(total, sequence.Progress.TotalBytes);
        TracePipeline.Run(sequence, new CountingConsumer());
        Assert.Equal(total, sequence.Progress.BytesRead);
    }

    private static EtlFileSource SmallTrace(TempDir dir)
    {
        string etl = Path.Combine(dir.Path, "t.etl");
        HandleScenarios.LeakyHandles(iterations: 20, duration: TimeSpan.FromSeconds(30)).WriteTo(etl);
        return EtlFileSource.Open(etl);
    }

    private static int Lines(StringWriter error) => error.ToString().Count(c => c == '\r');

    private sealed class CountingConsumer : TraceConsumer;
}
