using System.Runtime.Intrinsics.X86;

namespace HandleEtw.Etl.Stacks;

/// <summary>Starts loading memory the reading thread will read soon. A hint: it never faults and changes no result.</summary>
internal static class LinePrefetch
{
    private const int LineBytes = 64;

    public static unsafe void Lines(ReadOnlySpan<byte> bytes)
    {
        if (!Sse.IsSupported || bytes.IsEmpty) return;
        fixed (byte* start = bytes)
            for (int i = 0; i < bytes.Length; i += LineBytes) Sse.Prefetch0(start + i);
    }
}
