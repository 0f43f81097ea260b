using System.Runtime.CompilerServices;

namespace HandleEtw.Core.Records;

/// <summary>
/// Clock conversions: (timestamp - origin) * multiplier / divisor, exactly as 128-bit arithmetic gives it
/// (truncated toward zero, then saturated to a long). Plain 64-bit arithmetic does it whenever nothing can overflow,
/// which is every real trace; 128-bit integers are kept for the rest, in a method of their own, because code that
/// uses them is not precompiled and would otherwise be compiled at every start.
/// </summary>
public static class ClockMath
{
    public static long ScaleDifference(long timestamp, long origin, long multiplier, long divisor)
    {
        long difference = timestamp - origin;
        bool differenceOverflows = ((timestamp ^ origin) & (timestamp ^ difference)) < 0;
        if (!differenceOverflows && multiplier > 0 && divisor > 0 && divisor <= long.MaxValue / multiplier)
        {
            // difference = whole * divisor + rest, whole and rest of one sign, |rest| < divisor: so
            // difference * multiplier / divisor = whole * multiplier + rest * multiplier / divisor, exactly.
            long whole = difference / divisor, rest = difference % divisor;
            long limit = (long.MaxValue - multiplier) / multiplier;
            if (whole <= limit && whole >= -limit) return whole * multiplier + rest * multiplier / divisor;
        }
        return Wide(timestamp, origin, multiplier, divisor);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static long Wide(long timestamp, long origin, long multiplier, long divisor) =>
        Saturate(((Int128)timestamp - origin) * multiplier / divisor);

    private static long Saturate(Int128 value) =>
        value > long.MaxValue ? long.MaxValue : value < long.MinValue ? long.MinValue : (long)value;
}
