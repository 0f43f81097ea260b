using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace HandleEtw.Synthetic.Compression;

/// <summary>
/// [MS-XCA] §2.3/§2.4 "Plain LZ77" (XPRESS) encoder: greedy matching over a hash chain, 8 KB window. Output is a
/// sequence of 32-bit flag words (MSB first: 0 literal, 1 match) each followed by the items it describes; match
/// lengths ≥ 10 spill into shared half-bytes, then bytes, then 16/32-bit words. One instance reuses its tables.
/// Inside a long match only its first and last positions enter the hash chain: records repeat whole, so the start of
/// the next repeat is found from those, and the encoder keeps pace with a generator writing millions of records.
/// </summary>
public sealed class XpressEncoder
{
    private const int MinMatch = 3;
    private const int MaxOffset = 8192;
    private const int HashBits = 14;
    private const int MaxChain = 8;
    /// <summary>Positions of a match indexed at each end; the middle of longer matches is skipped.</summary>
    private const int InsertEnds = 8;

    private readonly int[] _head = new int[1 << HashBits];
    private int[] _previous = [];

    /// <summary>Worst case output size for <paramref name="inputLength"/> bytes (all literals).</summary>
    public static int MaxCompressedLength(int inputLength) => inputLength + (inputLength / 32 + 2) * 4;

    /// <summary>Compresses <paramref name="input"/> into <paramref name="output"/>; returns the bytes written.</summary>
    public int Compress(ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (output.Length < MaxCompressedLength(input.Length))
            throw new ArgumentException("output is smaller than MaxCompressedLength", nameof(output));
        Array.Fill(_head, -1);
        if (_previous.Length < input.Length) _previous = new int[input.Length];

        var state = new OutputState(output);
        int position = 0;
        while (position < input.Length)
        {
            (int length, int offset) = FindMatch(input, position);
            if (length < MinMatch)
            {
                Insert(input, position);
                state.Literal(input[position]);
                position++;
                continue;
            }
            state.Match(length, offset);
            int end = position + length;
            if (length <= 2 * InsertEnds)
            {
                for (; position < end; position++) Insert(input, position);
                continue;
            }
            for (int stop = position + InsertEnds; position < stop; position++) Insert(input, position);
            for (position = end - InsertEnds; position < end; position++) Insert(input, position);
        }
        return state.Finish();
    }

    private (int Length, int Offset) FindMatch(ReadOnlySpan<byte> input, int position)
    {
        if (position + MinMatch > input.Length) return (0, 0);
        int best = 0, bestOffset = 0, chain = MaxChain;
        int maxLength = input.Length - position;
        for (int candidate = _head[Hash(input, position)];
             candidate >= 0 && position - candidate <= MaxOffset && chain-- > 0;
             candidate = _previous[candidate])
        {
            int length = CommonLength(input, candidate, position, maxLength);
            if (length <= best) continue;
            best = length;
            bestOffset = position - candidate;
            if (length == maxLength) break;
        }
        return (best, bestOffset);
    }

    private static int CommonLength(ReadOnlySpan<byte> input, int from, int to, int maxLength) =>
        input.Slice(from, maxLength).CommonPrefixLength(input.Slice(to, maxLength));

    private void Insert(ReadOnlySpan<byte> input, int position)
    {
        if (position + MinMatch > input.Length) return;
        int hash = Hash(input, position);
        _previous[position] = _head[hash];
        _head[hash] = position;
    }

    /// <summary>Hash of the 3 bytes at <paramref name="position"/> (the caller guarantees position + 3 ≤ length).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Hash(ReadOnlySpan<byte> input, int position)
    {
        ref byte at = ref Unsafe.Add(ref MemoryMarshal.GetReference(input), position);
        uint three = position + 4 <= input.Length
            ? Unsafe.ReadUnaligned<uint>(ref at) & 0xFFFFFF
            : (uint)(at | Unsafe.Add(ref at, 1) << 8 | Unsafe.Add(ref at, 2) << 16);
        return (int)((three * 2654435761u) >> (32 - HashBits));
    }

    /// <summary>Flag word and half-byte bookkeeping of the output stream.</summary>
    private ref struct OutputState
    {
        private readonly Span<byte> _output;
        private int _position;
        private int _flagPosition;
        private uint _flags;
        private int _flagCount;
        private int _halfBytePosition;

        public OutputState(Span<byte> output)
        {
            _output = output;
            _flagPosition = 0;
            _position = 4;
            _halfBytePosition = -1;
        }

        public void Literal(byte value)
        {
            _output[_position++] = value;
            PushFlag(0);
        }

        public void Match(int length, int offset)
        {
            int extra = length - MinMatch;
            ushort token = (ushort)((offset - 1) << 3);
            if (extra < 7)
            {
                WriteU16((ushort)(token | extra));
            }
            else
            {
                WriteU16((ushort)(token | 7));
                WriteLongLength(extra - 7, length - MinMatch);
            }
            PushFlag(1);
        }

        private void WriteLongLength(int rest, int total)
        {
            int nibble = Math.Min(rest, 15);
            if (_halfBytePosition < 0)
            {
                _halfBytePosition = _position;
                _output[_position++] = (byte)nibble;
            }
            else
            {
                _output[_halfBytePosition] |= (byte)(nibble << 4);
                _halfBytePosition = -1;
            }
            if (rest < 15) return;
            rest -= 15;
            if (rest < 255)
            {
                _output[_position++] = (byte)rest;
                return;
            }
            _output[_position++] = 255;
            if (total < 1 << 16)
            {
                WriteU16((ushort)total);
            }
            else
            {
                WriteU16(0);
                BinaryPrimitives.WriteUInt32LittleEndian(_output.Slice(_position, 4), (uint)total);
                _position += 4;
            }
        }

        private void WriteU16(ushort value)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(_output.Slice(_position, 2), value);
            _position += 2;
        }

        private void PushFlag(uint bit)
        {
            _flags = (_flags << 1) | bit;
            if (++_flagCount < 32) return;
            BinaryPrimitives.WriteUInt32LittleEndian(_output.Slice(_flagPosition, 4), _flags);
            _flags = 0;
            _flagCount = 0;
            _flagPosition = _position;
            _position += 4;
        }

        /// <summary>Pads the last flag word with 1 bits (a match past the end marks the end of input).</summary>
        public int Finish()
        {
            ulong padded = ((ulong)_flags << (32 - _flagCount)) | ((1UL << (32 - _flagCount)) - 1);
            BinaryPrimitives.WriteUInt32LittleEndian(_output.Slice(_flagPosition, 4), (uint)padded);
            return _position;
        }
    }
}
