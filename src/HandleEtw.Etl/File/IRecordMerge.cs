using HandleEtw.Core.Records;

namespace HandleEtw.Etl.File;

/// <summary>What the reader asks of a time merge of its processor streams.</summary>
internal interface IRecordMerge
{
    /// <summary>Starts every stream over at its first buffer of <paramref name="feed"/>.</summary>
    void Start(IBufferFeed feed);

    /// <summary>Hands the sink the next records in order (a bounded number, so the caller can look at cancellation
    /// between calls); false once every stream has ended.</summary>
    bool DeliverBatch(IRecordSink sink);

    /// <summary>The last delivered record's timestamp (0 before the first).</summary>
    long LastTimestamp { get; }
}
