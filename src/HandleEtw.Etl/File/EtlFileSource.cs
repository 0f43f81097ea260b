using HandleEtw.Core.Records;

namespace HandleEtw.Etl.File;

/// <summary>Reads an .etl file as a time-ordered stream of raw records (any OS).</summary>
public sealed class EtlFileSource : IRecordSource
{
    private EtlFileSource(TraceInfo info) => Info = info;

    public TraceInfo Info { get; }

    /// <summary>Opens and validates the file header; throws <see cref="TraceFormatException"/> if it is not ETL.</summary>
    public static EtlFileSource Open(string path) =>
        throw new TraceFormatException($"{path}: the .etl reader is not built yet", 0);

    public void Read(IRecordSink sink, CancellationToken cancel = default) =>
        throw new NotSupportedException("the .etl reader is not built yet");

    public void Dispose() { }
}
