using System.Runtime.CompilerServices;
using HandleEtw.Core.Records;

namespace HandleEtw.Etl.File;

/// <summary>One parsed record: its fixed fields by value and its payload and extended data as offsets into the buffer
/// it came from (so the merge can hold it without copying).</summary>
internal struct RecordView
{
    public RecordHeader Fields;
    public int PayloadOffset;
    public int PayloadLength;
    public int ExtendedOffset;
    public int ExtendedLength;

    /// <summary>Moves <paramref name="record"/> on to this record, whose payload lies in <paramref name="buffer"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void MoveInto(ref EventRecord record, byte[] buffer) =>
        record.MoveTo(in Fields, buffer.AsSpan(PayloadOffset, PayloadLength), buffer.AsSpan(ExtendedOffset, ExtendedLength));
}
