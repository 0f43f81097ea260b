using HandleEtw.Core.Records;
using Xunit;

namespace HandleEtw.Tests.Records;

public class ClockMathTests
{
    private static long Reference(long timestamp, long origin, long multiplier, long divisor)
    {
        Int128 value = ((Int128)timestamp - origin) * multiplier / divisor;
        return value > long.MaxValue ? long.MaxValue : value < long.MinValue ? long.MinValue : (long)value;
    }

    [Theory]
    [InlineData(0L, 0L, 10_000_000L, 10_000_000L)]
    [InlineData(123_456_789L, 1_000L, 10_000_000L, 3_000_000_000L)]
    [InlineData(-987_654_321L, 5L, 1_000_000_000L, 2_441_406L)]
    [InlineData(long.MaxValue, long.MinValue, 10_000_000L, 1L)]
    [InlineData(long.MinValue, long.MaxValue, 1_000_000_000L, 7L)]
    [InlineData(long.MaxValue, 0L, 1L, 1L)]
    [InlineData(long.MinValue, 0L, 1L, 1L)]
    [InlineData(1L << 62, 0L, 10_000_000L, 1L << 40)]
    [InlineData(-(1L << 62), 3L, 1_000_000_000L, long.MaxValue)]
    [InlineData(5L, 0L, long.MaxValue, long.MaxValue)]
    public void Matches_128_bit_arithmetic_at_the_edges(long timestamp, long origin, long multiplier, long divisor) =>
        Assert.Equal(Reference(timestamp, origin, multiplier, divisor), ClockMath.ScaleDifference(timestamp, origin, multiplier, divisor));

    [Fact]
    public void Matches_128_bit_arithmetic_on_random_clocks()
    {
        var random = new Random(26);
        long[] multipliers = [1, 10_000_000, 1_000_000_000];
        for (int i = 0; i < 200_000; i++)
        {
            long timestamp = random.NextInt64(long.MinValue, long.MaxValue) >> random.Next(64);
            long origin = random.NextInt64(long.MinValue, long.MaxValue) >> random.Next(64);
            long multiplier = multipliers[random.Next(multipliers.Length)];
            long divisor = Math.Max(1, random.NextInt64(1, long.MaxValue) >> random.Next(64));
            Assert.Equal(Reference(timestamp, origin, multiplier, divisor), ClockMath.ScaleDifference(timestamp, origin, multiplier, divisor));
        }
    }
}
