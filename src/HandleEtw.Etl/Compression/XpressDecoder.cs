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
    public static bool TryDecompress(ReadOnlySpan<byte> input, Span<byte> output)
    {
        int inPos = 0, outPos = 0, lastHalfByte = -1;
        uint flags = 0;
        int flagCount = 0;
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
            CopyMatch(output, outPos, offset, length);
            outPos += length;
        }
        // The output is complete; whatever follows (end marker, buffer padding) is not needed.
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
            if (length == 15)
            {
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
            }
            length += 7;
        }
        length += 3;
        return true;
    }

    private static unsafe void CopyMatch(Span<byte> output, int outPos, int offset, int length)
    {
        // Most matches are short: one 16-byte (or 8-byte) move when the source ends before the destination starts
        // and the output has room. Bytes written past the match are overwritten by the output that follows.
        if (length <= 16 && offset >= 16 && output.Length - outPos >= 16)
        {
            ref byte dst = ref output[outPos];
            Unsafe.WriteUnaligned(ref dst, Unsafe.ReadUnaligned<Vector128<byte>>(ref Unsafe.Subtract(ref dst, offset)));
            return;
        }
        if (length <= 8 && offset >= 8 && output.Length - outPos >= 8)
        {
            ref byte dst = ref output[outPos];
            Unsafe.WriteUnaligned(ref dst, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Subtract(ref dst, offset)));
            return;
        }
        if (offset >= length)
        {
            output.Slice(outPos - offset, length).CopyTo(output.Slice(outPos, length));
            return;
        }
        // Overlapping match (runs such as "aaaa…"): bytes may be ones just written. With an offset of 8 or more an
        // 8-byte chunk only reads bytes written before it; the caller has checked the whole match fits.
        fixed (byte* start = output)
        {
            byte* dst = start + outPos, src = dst - offset, end = dst + length;
            if (offset >= 8)
                for (; end - dst >= 8; dst += 8, src += 8) *(ulong*)dst = *(ulong*)src;
            for (; dst < end; dst++, src++) *dst = *src;
        }
    }
}
