using HandleEtw.Reports.Collect;

namespace HandleEtw.Tests.Reports;

public class TimeSamplerTests
{
    [Fact]
    public void Samples_a_step_function_at_the_end_of_each_interval()
    {
        int value = 0;
        var sampler = new TimeSampler<string>(() => [("a", value)], width: 10, maxSamples: 100);
        sampler.Advance(1000); value = 1;   // origin; samples at 1010, 1020, ...
        sampler.Advance(1015); value = 2;   // samples 1010 before applying it
        sampler.Advance(1025); value = 3;   // samples 1020
        sampler.Finish(1040);
        Assert.Equal([1, 2, 3, 3], sampler.Series["a"].Take(sampler.Count));
        Assert.Equal(1040, sampler.TimeOf(sampler.Count - 1));
    }

    [Fact]
    public void Long_traces_halve_the_points_and_keep_the_grid()
    {
        int state = 0;
        long last = 0;
        var sampler = new TimeSampler<int>(() => [(7, state)], width: 1, maxSamples: 50);
        for (long t = 0; t <= 1_000_000; t += 997)
        {
            sampler.Advance(t);
            state = (int)(t / 1000);
            last = t;
        }
        sampler.Finish(last);
        Assert.InRange(sampler.Count, 25, 50);
        for (int i = 0; i < sampler.Count; i++)
        {
            long at = sampler.TimeOf(i);
            // the state after every event at or before the sample instant
            long lastEvent = Math.Min(at / 997 * 997, last);
            Assert.Equal((int)(lastEvent / 1000), sampler.Series[7][i]);
        }
    }

    [Fact]
    public void Keys_beyond_the_limit_are_counted_not_kept()
    {
        var sampler = new TimeSampler<int>(() => Enumerable.Range(0, 10).Select(k => (k, 1)), width: 1, maxSamples: 10, maxKeys: 4);
        sampler.Advance(0);
        sampler.Finish(5);
        Assert.Equal(4, sampler.Series.Count);
        Assert.True(sampler.DroppedKeys > 0);
    }
}
