using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace HandleEtw.Etl.Compression;

/// <summary>
/// MS-XCA "Plain LZ77" (COMPRESSION_FORMAT_XPRESS, [MS-XCA] §2.4) decompression, as used by compressed ETW buffers.
/// The output size is fixed by the caller (a compressed buffer states its decompressed size), so the decoder never
/// writes past it and never allocates; any inconsistency in the input is reported as failure.
/// </summary>
public static class XpressDecoder
{
    /// <summary>The COMPRESSION_FORMAT_XPRESS value an .etl header buffer stores in its State field.</summary>
    public const int FormatXpress = 3;

    /// <summary>Decompresses <paramref name="input"/> into exactly <paramref name="output"/>.Length bytes.</summary>
    /// <returns>False if the input is malformed: a match reaching before the start, output overrun, input too short
    /// to produce the whole output. Input left over once the output is full (end marker, padding) is ignored.</returns>
    public static bool TryDecompress(ReadOnlySpan<byte> input, Span<byte> output) => TryDecompress(input, output, out _);

    /// <param name="unused">Input bytes after the item that filled the output.</param>
    public static bool TryDecompress(ReadOnlySpan<byte> input, Span<byte> output, out int unused)
    {
        var state = new State { LastHalfByte = -1 };
        unused = 0;
        // Far from both ends no step can run past either buffer, so the bulk of a buffer takes the unchecked path
        // (checking its distance from the ends once per flag word, then nearer the ends once per step); the checked
        // loop below finishes the last bytes (and reports damage) exactly as if it had done all of it.
        if (!TryDecompressBulk<PerWord>(input, output, ref state)) return false;
        if (!TryDecompressBulk<PerStep>(input, output, ref state)) return false;
        if (!TryDecompressTail(input, output, ref state)) return false;
        unused = input.Length - state.InPos;
        return true;
    }

    /// <summary>Where decoding stands: positions, the flag word being consumed, the pending shared half-byte.</summary>
    private struct State
    {
        public int InPos, OutPos, LastHalfByte, FlagCount;
        public uint Flags;
    }

    /// <summary>How often the bulk path checks its distance from the ends of both buffers, and the margins that makes
    /// safe. Between checks an item reads at most 3 input bytes and moves the output on at most 24 bytes (a length
    /// escape reads up to 7 more and checks again after its match); a step may read and write 32 bytes from its start.
    /// </summary>
    private interface IBoundsCheck
    {
        static abstract bool EveryStep { get; }
        static abstract int InMargin { get; }
        static abstract int OutMargin { get; }
    }

    /// <summary>Checked when a flag word is loaded: its 32 items, then the step finding the word used up.</summary>
    private struct PerWord : IBoundsCheck
    {
        public static bool EveryStep => false;
        public static int InMargin => 4 + 32 * 3 + 32;
        public static int OutMargin => 32 * 24 + 32;
    }

    /// <summary>Checked before each step (a flag word, at most 31 literals and a match).</summary>
    private struct PerStep : IBoundsCheck
    {
        public static bool EveryStep => true;
        public static int InMargin => 48;
        public static int OutMargin => 64;
    }

    /// <summary>The bulk path's flag word: its bits from the top, then a marker bit; only the marker left means the
    /// word is used up. Starting from the marker alone makes the first step load a word.</summary>
    private const ulong FlagMarker = 1UL << 63;

    /// <summary>The farthest a match can reach back (13 offset bits).</summary>
    private const int MaxOffset = 8192;

    private static unsafe bool TryDecompressBulk<TCheck>(ReadOnlySpan<byte> input, Span<byte> output, ref State st)
        where TCheck : struct, IBoundsCheck
    {
        if (input.Length - st.InPos < TCheck.InMargin || output.Length - st.OutPos < TCheck.OutMargin) return true;
        fixed (byte* inBase = input, outBase = output)
        {
            byte* ip = inBase + st.InPos, inSafe = inBase + input.Length - TCheck.InMargin;
            byte* op = outBase + st.OutPos, outEnd = outBase + output.Length, outSafe = outEnd - TCheck.OutMargin;
            byte* farFromStart = outBase + MaxOffset; // from here on no match can reach before the start
            byte* half = st.LastHalfByte < 0 ? null : inBase + st.LastHalfByte;
            ulong flags = st.FlagCount == 0 ? FlagMarker : (ulong)st.Flags << (64 - st.FlagCount) | FlagMarker >> st.FlagCount;
            while (!TCheck.EveryStep || (ip < inSafe && op < outSafe))
            {
                // One step: the zero flag bits before the next set one are literals (at most 32, moved 32 bytes at a
                // time, none at all moving them too), then the set bit's match; no branch on which kind comes next.
                nint literals = (nint)(uint)BitOperations.LeadingZeroCount(flags);
                Unsafe.WriteUnaligned(op, Unsafe.ReadUnaligned<Vector256<byte>>(ip));
                ip += literals;
                op += literals;
                flags = flags << (int)literals << 1;
                if (flags == 0)
                {
                    // The set bit was the marker: the word is used up, the next one follows.
                    if (!TCheck.EveryStep && (ip >= inSafe || op >= outSafe)) { flags = FlagMarker; break; }
                    flags = (ulong)Unsafe.ReadUnaligned<uint>(ip) << 32 | FlagMarker >> 32;
                    ip += 4;
                    continue;
                }
                uint matchBytes = Unsafe.ReadUnaligned<ushort>(ip);
                ip += 2;
                nint offset = (nint)(matchBytes >> 3) + 1;
                byte* src = op - offset;
                if (op < farFromStart && offset > op - outBase) return false;
                nint length = (nint)(matchBytes & 7) + 3;
                if (length < 10 && offset >= 8)
                {
                    // A short match from 8 or more back (the commonest): the margin leaves room for 16 bytes, those
                    // past the match are overwritten by what follows; moves never read bytes they have yet to write.
                    Unsafe.WriteUnaligned(op, Unsafe.ReadUnaligned<ulong>(src));
                    Unsafe.WriteUnaligned(op + 8, Unsafe.ReadUnaligned<ulong>(src + 8));
                    op += length;
                    continue;
                }
                if (length == 10)
                {
                    // A longer match: its length goes on in a half-byte (up to 24 bytes, inside the margins).
                    if (half == null) { length = *ip & 0x0F; half = ip++; }
                    else { length = *half >> 4; half = null; }
                    length += 7 + 3;
                    if (length == 15 + 7 + 3)
                    {
                        if (!TryReadEscapedLength(ref ip, out length) || length > outEnd - op) return false;
                        CopyMatch(op, offset, length, outEnd);
                        op += length;
                        if (!TCheck.EveryStep && (ip >= inSafe || op >= outSafe)) break;
                        continue;
                    }
                    if (offset >= 16)
                    {
                        Unsafe.WriteUnaligned(op, Unsafe.ReadUnaligned<Vector128<byte>>(src));
                        Unsafe.WriteUnaligned(op + 16, Unsafe.ReadUnaligned<Vector128<byte>>(src + 16));
                        op += length;
                        continue;
                    }
                }
                CopyMatch(op, offset, length, outEnd);
                op += length;
            }
            st.InPos = (int)(ip - inBase);
            st.OutPos = (int)(op - outBase);
            st.LastHalfByte = half == null ? -1 : (int)(half - inBase);
            // The tail keeps the word's unused bits at the bottom of Flags and their number in FlagCount.
            int unusedBits = 63 - BitOperations.TrailingZeroCount(flags);
            st.FlagCount = unusedBits;
            st.Flags = unusedBits == 0 ? 0 : (uint)((flags & (flags - 1)) >> (64 - unusedBits));
        }
        return true;
    }

    /// <summary>A length whose half-byte was 15, in the bulk path (the input margin covers its 7 bytes at most): a byte,
    /// then (when it is 255) a 16-bit and possibly a 32-bit total. The result is the whole match length.</summary>
    private static unsafe bool TryReadEscapedLength(ref byte* ip, out nint length)
    {
        length = *ip++;
        if (length == 255)
        {
            length = Unsafe.ReadUnaligned<ushort>(ip);
            ip += 2;
            if (length == 0)
            {
                uint wide = Unsafe.ReadUnaligned<uint>(ip);
                ip += 4;
                if (wide > int.MaxValue - 64) return false;
                length = (nint)wide;
            }
            if (length < 15 + 7) return false;
            length -= 15 + 7;
        }
        length += 15 + 7 + 3;
        return true;
    }

    /// <summary>A match inside the output (checked by the caller), for both paths. Where the output has room it moves
    /// 32, 16 or 8 bytes at a time and may write up to that far past the match: those bytes are overwritten by what
    /// follows. Chunks never read bytes the copy has yet to write (the offset is at least the chunk size). It calls
    /// nothing, so the bulk loop it is inlined into keeps its locals in registers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void CopyMatch(byte* op, nint offset, nint length, byte* outEnd)
    {
        byte* src = op - offset, end = op + length;
        if (offset >= 32 && outEnd - end >= 32)
        {
            for (; op < end; op += 32, src += 32) Unsafe.WriteUnaligned(op, Unsafe.ReadUnaligned<Vector256<byte>>(src));
            return;
        }
        if (offset >= 16 && outEnd - end >= 16)
        {
            for (; op < end; op += 16, src += 16) Unsafe.WriteUnaligned(op, Unsafe.ReadUnaligned<Vector128<byte>>(src));
            return;
        }
        if (offset >= 8)
        {
            // 8 bytes at a time: the last move may pass the match's end where the output has room.
            nint room = outEnd - end >= 8 ? 8 : 0;
            for (; end - op + room >= 8 && op < end; op += 8, src += 8) Unsafe.WriteUnaligned(op, Unsafe.ReadUnaligned<ulong>(src));
        }
        // Near offsets (runs such as "aaaa…") and the last bytes before the output's end, one at a time.
        for (; op < end; op++, src++) *op = *src;
    }

    private static unsafe bool TryDecompressTail(ReadOnlySpan<byte> input, Span<byte> output, ref State st)
    {
        int inPos = st.InPos, outPos = st.OutPos, lastHalfByte = st.LastHalfByte;
        uint flags = st.Flags;
        int flagCount = st.FlagCount;
        while (outPos < output.Length)
        {
            if (flagCount == 0)
            {
                if (input.Length - inPos < 4) return false;
                flags = BinaryPrimitives.ReadUInt32LittleEndian(input[inPos..]);
                inPos += 4;
                flagCount = 32;
            }
            // A run of zero flag bits is a run of literals: copy it in one go.
            uint pending = flags << (32 - flagCount);
            int literals = pending == 0 ? flagCount : BitOperations.LeadingZeroCount(pending);
            if (literals > 0)
            {
                literals = Math.Min(literals, output.Length - outPos);
                if (input.Length - inPos < literals) return false;
                CopyLiterals(input, inPos, output, outPos, literals);
                inPos += literals;
                outPos += literals;
                flagCount -= literals;
                continue;
            }
            flagCount--; // a set bit: a match
            if (inPos == input.Length) return false;
            if (!TryReadMatch(input, ref inPos, ref lastHalfByte, out int length, out int offset)) return false;
            if (offset > outPos || length > output.Length - outPos) return false;
            fixed (byte* start = output) CopyMatch(start + outPos, offset, length, start + output.Length);
            outPos += length;
        }
        // The output is complete; whatever follows (end marker, buffer padding) is not needed.
        st.InPos = inPos;
        return true;
    }

    /// <summary>Copies a literal run (at most 32 bytes): two 16-byte moves when both sides have 32 bytes of room.</summary>
    private static void CopyLiterals(ReadOnlySpan<byte> input, int inPos, Span<byte> output, int outPos, int count)
    {
        if (input.Length - inPos >= 32 && output.Length - outPos >= 32)
        {
            ref byte src = ref Unsafe.AsRef(in input[inPos]);
            ref byte dst = ref output[outPos];
            Unsafe.WriteUnaligned(ref dst, Unsafe.ReadUnaligned<Vector128<byte>>(ref src));
            if (count > 16)
                Unsafe.WriteUnaligned(ref Unsafe.Add(ref dst, 16), Unsafe.ReadUnaligned<Vector128<byte>>(ref Unsafe.Add(ref src, 16)));
            return;
        }
        input.Slice(inPos, count).CopyTo(output[outPos..]);
    }

    private static bool TryReadMatch(ReadOnlySpan<byte> input, ref int inPos, ref int lastHalfByte, out int length, out int offset)
    {
        length = offset = 0;
        if (input.Length - inPos < 2) return false;
        int matchBytes = BinaryPrimitives.ReadUInt16LittleEndian(input[inPos..]);
        inPos += 2;
        length = matchBytes & 7;
        offset = (matchBytes >> 3) + 1;
        if (length == 7)
        {
            if (lastHalfByte < 0)
            {
                if (inPos >= input.Length) return false;
                length = input[inPos] & 0x0F;
                lastHalfByte = inPos++;
            }
            else
            {
                length = input[lastHalfByte] >> 4;
                lastHalfByte = -1;
            }
            if (length == 15 && !TryReadLongLength(input, ref inPos, out length)) return false;
            length += 7;
        }
        length += 3;
        return true;
    }

    /// <summary>A length whose half-byte was 15: a byte follows, then (when it is 255) a 16-bit and possibly a 32-bit
    /// total. <paramref name="length"/> is what replaces the half-byte (before the +7 and +3 every long match gets).</summary>
    private static bool TryReadLongLength(ReadOnlySpan<byte> input, ref int inPos, out int length)
    {
        length = 0;
        if (inPos >= input.Length) return false;
        length = input[inPos++];
        if (length == 255)
        {
            if (input.Length - inPos < 2) return false;
            length = BinaryPrimitives.ReadUInt16LittleEndian(input[inPos..]);
            inPos += 2;
            if (length == 0)
            {
                if (input.Length - inPos < 4) return false;
                uint wide = BinaryPrimitives.ReadUInt32LittleEndian(input[inPos..]);
                inPos += 4;
                if (wide > int.MaxValue - 64) return false;
                length = (int)wide;
            }
            if (length < 15 + 7) return false;
            length -= 15 + 7;
        }
        length += 15;
        return true;
    }
}
