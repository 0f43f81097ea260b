using HandleEtw.Core.Events;
using HandleEtw.Core.Records;
using HandleEtw.Core.Stacks;
using HandleEtw.Parquet;

namespace HandleEtw.Tests.Parquet;

/// <summary>`events.process_key` follows pid reuse and interleaved processes row by row; `time_ns` holds at the
/// edges of the clock (a damaged timestamp saturates instead of failing the conversion).</summary>
public class EventRowColumnTests
{
    private const ulong FirstKey = 0xffff_a000_0000_1000, SecondKey = 0xffff_a000_0000_2000, SystemKey = 0xffff_a000_0000_0040;

    [Fact]
    public void Each_row_gets_the_key_of_the_process_that_had_its_pid_then()
    {
        var info = new TraceInfo { Source = "keys.etl", StartUtc = new DateTime(2026, 3, 14, 10, 15, 0, DateTimeKind.Utc), StartTimestamp = 0 };
        using var dir = new TempDir();
        using (var writer = new ParquetTraceWriter(dir.Path, info, new StackTable()))
        {
            long t = 0;
            void Handle(int pid) => writer.OnHandle(new HandleEvent { Op = HandleOp.Create, Timestamp = ++t * 1000, ProcessId = pid, Handle = 4, StackId = -1 });
            void Start(int pid, ulong key) => writer.OnProcess(new ProcessEvent { Op = ProcessOp.Start, Timestamp = ++t * 1000, ProcessId = pid, UniqueProcessKey = key });

            Handle(0);                // 1: pid 0 before any process event
            Handle(300);              // 2: never seen
            Start(300, FirstKey);
            Handle(300);              // 4
            Handle(300);              // 5
            Handle(301);              // 6: another pid in between
            Handle(300);              // 7
            writer.OnProcess(new ProcessEvent { Op = ProcessOp.Stop, Timestamp = ++t * 1000, ProcessId = 300, UniqueProcessKey = FirstKey });
            Start(300, SecondKey);    // the pid is reused
            Handle(300);              // 10
            Start(0, SystemKey);
            Handle(0);                // 12
            writer.OnEnd(++t * 1000);
            writer.Complete();
        }
        using var db = new DuckDb();
        db.BindTables(dir.Path);
        var keys = db.Rows("SELECT pid, process_key FROM events ORDER BY time_ns")
            .Select(r => (Convert.ToInt32(r[0]), Convert.ToUInt64(r[1]))).ToArray();
        Assert.Equal([(0, 0UL), (300, 0UL), (300, FirstKey), (300, FirstKey), (301, 0UL), (300, FirstKey), (300, SecondKey), (0, SystemKey)], keys);
    }

    [Theory]
    [InlineData(10_000_000L, 5_000L)]
    [InlineData(3_000_000L, 5_000L)]
    [InlineData(10_000_000L, long.MaxValue - 10)]
    public void Time_ns_matches_the_exact_conversion_at_every_magnitude(long frequency, long start)
    {
        var info = new TraceInfo { Source = "clock.etl", StartUtc = new DateTime(2026, 3, 14, 10, 15, 0, DateTimeKind.Utc), StartTimestamp = start, ClockFrequency = frequency };
        long[] stamps = [5_000, 5_001, 123_456_789_012, long.MaxValue / 1000 + 7, long.MaxValue / 50, long.MaxValue, long.MinValue, long.MinValue + 4_999, long.MinValue + 5_000, 0];
        using var dir = new TempDir();
        using (var writer = new ParquetTraceWriter(dir.Path, info, new StackTable()))
        {
            for (int i = 0; i < stamps.Length; i++)
                writer.OnHandle(new HandleEvent { Op = HandleOp.Create, Timestamp = stamps[i], ProcessId = 8, Handle = (uint)(4 * i + 4), StackId = -1 });
            writer.Complete();
        }
        using var db = new DuckDb();
        db.BindTables(dir.Path);
        long[] written = db.Rows("SELECT time_ns FROM events ORDER BY handle").Select(r => Convert.ToInt64(r[0])).ToArray();
        Assert.Equal(stamps.Select(info.ToRelativeNanoseconds).ToArray(), written);
    }
}
