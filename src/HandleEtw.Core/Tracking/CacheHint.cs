using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace HandleEtw.Core.Tracking;

/// <summary>
/// Asks the processor to start loading a memory location that will be read soon. The tracker's tables are read at
/// random places, one or two cache misses an event; started a few events ahead, those misses overlap the work on the
/// events in between instead of stalling it. A hint only: it changes no value and cannot fault. The stack join uses it
/// too, for the key maps, and the frames of a key definition coming next with the recent-sequence entry they name.
/// </summary>
public static class CacheHint
{
    private const int LineBytes = 64;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Prefetch<T>(ref T location)
    {
        // A stale address (the array moved or was replaced since) costs one wasted load at most.
        if (Sse.IsSupported) Sse.Prefetch0(Unsafe.AsPointer(ref location));
    }

    /// <summary>Starts loading all of <paramref name="location"/>: a struct of more than 8 bytes in an array may span
    /// two cache lines, and the second is asked for too.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void PrefetchWhole<T>(ref T location)
    {
        if (!Sse.IsSupported) return;
        byte* start = (byte*)Unsafe.AsPointer(ref location);
        Sse.Prefetch0(start);
        if (Unsafe.SizeOf<T>() > 8) Sse.Prefetch0(start + Unsafe.SizeOf<T>() - 1);
    }

    /// <summary>Starts loading every cache line of <paramref name="bytes"/>.</summary>
    public static unsafe void Lines(ReadOnlySpan<byte> bytes)
    {
        if (!Sse.IsSupported || bytes.IsEmpty) return;
        fixed (byte* start = bytes)
            for (int i = 0; i < bytes.Length; i += LineBytes) Sse.Prefetch0(start + i);
    }
}
