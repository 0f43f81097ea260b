using System.Buffers.Binary;
using HandleEtw.Cli;
using HandleEtw.Tests.Cli;
using HandleEtw.Tests.Parquet;

namespace HandleEtw.Tests.Damage;

/// <summary>`report` on damaged input: a result or one line, never an internal error.</summary>
public class ReportDamageTests
{

    [Fact]
    public void A_huge_timestamp_in_a_trace_without_an_end_time_is_damage_not_a_crash()
    {
        using var dir = new TempDir();
        byte[] bytes = File.ReadAllBytes(TestPaths.Sample);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(0x48 + 32 + 16), 0); // header EndTime: never closed
        int record = 65_536 + 0x48;
        bool perfInfo = bytes[record + 2] is 0x10 or 0x11;
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(record + (perfInfo ? 8 : 16)), long.MaxValue - 5);
        string trace = Path.Combine(dir.Path, "huge.etl");
        File.WriteAllBytes(trace, bytes);
        var (code, _, error) = CliSmokeTests.Run("report", trace, "-o", Path.Combine(dir.Path, "report.html"));
        Assert.True(code == 0, error);
        Assert.DoesNotContain("internal error", error);
    }

    [Fact]
    public void Damaged_parquet_tables_are_one_format_error_line()
    {
        using var dir = new TempDir();
        Assert.Equal(0, CliSmokeTests.Run("convert", TestPaths.Sample, "-o", dir.Path).Code);
        var random = new Random(19);
        string[] tables = ["events", "meta", "processes", "stacks", "modules", "live_handles"];
        byte[][] originals = tables.Select(t => File.ReadAllBytes(Path.Combine(dir.Path, t + ".parquet"))).ToArray();
        for (int run = 0; run < 60; run++)
        {
            int t = run % tables.Length;
            byte[] bytes = (byte[])originals[t].Clone();
            for (int flips = 0; flips < 1 + run % 8; flips++) bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
            string path = Path.Combine(dir.Path, tables[t] + ".parquet");
            File.WriteAllBytes(path, bytes);
            var (code, _, error) = CliSmokeTests.Run("report", dir.Path, "-o", Path.Combine(dir.Path, "r.html"));
            File.WriteAllBytes(path, originals[t]);
            Assert.DoesNotContain("internal error", error);
            if (code == 0) continue;
            Assert.Equal(ExitCodes.FormatError, code);
            Assert.Single(error.Trim().Split('\n'));
        }
    }
}
