using System.Buffers.Binary;

namespace HandleEtw.Tests.Synthetic;

/// <summary>[MS-XCA] plain LZ77 decoder used only to check the synthetic encoder (until the reader's is on main).</summary>
internal static class TestXpressDecoder
{
    public static byte[] Decode(ReadOnlySpan<byte> input, int outputSize)
    {
        var output = new byte[outputSize];
        int inPos = 0, outPos = 0, halfByte = -1, flagCount = 0;
        uint flags = 0;
        while (outPos < outputSize)
        {
            if (flagCount == 0)
            {
                flags = BinaryPrimitives.ReadUInt32LittleEndian(input[inPos..]);
                inPos += 4;
                flagCount = 32;
            }
            flagCount--;
            if ((flags & (1u << flagCount)) == 0)
            {
                output[outPos++] = input[inPos++];
                continue;
            }
            int token = BinaryPrimitives.ReadUInt16LittleEndian(input[inPos..]);
            inPos += 2;
            int length = token & 7, offset = (token >> 3) + 1;
            if (length == 7)
            {
                if (halfByte < 0) { halfByte = inPos; length = input[inPos++] & 15; }
                else { length = input[halfByte] >> 4; halfByte = -1; }
                if (length == 15)
                {
                    length = input[inPos++];
                    if (length == 255)
                    {
                        length = BinaryPrimitives.ReadUInt16LittleEndian(input[inPos..]);
                        inPos += 2;
                        if (length == 0) { length = (int)BinaryPrimitives.ReadUInt32LittleEndian(input[inPos..]); inPos += 4; }
                        length -= 15 + 7;
                    }
                    length += 15;
                }
                length += 7;
            }
            length += 3;
            if (offset > outPos || outPos + length > outputSize) throw new InvalidDataException($"bad match at {inPos}");
            for (int i = 0; i < length; i++, outPos++) output[outPos] = output[outPos - offset];
        }
        return output;
    }
}
