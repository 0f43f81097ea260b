using HandleEtw.Core.Records;
using HandleEtw.Etl.File;
using HandleEtw.Etl.Statistics;

namespace HandleEtw.Tests.Etl;

/// <summary>Every record of a file, reduced to what the baselines show.</summary>
internal sealed class RecordLog : IRecordSink
{
    public sealed record Entry(string Kind, HeaderKind Header, long Timestamp, int Cpu, int DataLen, int Pid, int Tid, int ExtLen);

    public List<Entry> Entries { get; } = [];

    public void OnRecord(in EventRecord r) => Entries.Add(new Entry(RecordStatistics.KindName(r), r.Header, r.Timestamp, r.Cpu,
        r.Payload.Length, r.ProcessId, r.ThreadId, r.ExtendedData.Length));

    public static (TraceInfo Info, List<Entry> Entries) Read(string path)
    {
        using var source = EtlFileSource.Open(path);
        var log = new RecordLog();
        source.Read(log);
        return (source.Info, log.Entries);
    }
}
