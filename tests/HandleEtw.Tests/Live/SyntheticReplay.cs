using System.Buffers.Binary;
using HandleEtw.Core.Records;
using HandleEtw.Etl.Ring;
using HandleEtw.Etl.File;
using HandleEtw.Synthetic.Scenarios;
using HandleEtw.Windows.Inventory;
using HandleEtw.Windows.Ring;

namespace HandleEtw.Tests.Live;

/// <summary>
/// A synthetic .etl replayed the way a live kernel session delivers it: records carry their task GUID and no group
/// (the ring consumer maps it), and the end-of-trace rundown — handle, process and stack-key rundown, the last user
/// stack fragments — comes only after the stop request, as it does after ControlTrace(STOP).
/// </summary>
internal sealed class SyntheticReplay
{
    public delegate bool RecordFilter(in EventRecord record);

    private SyntheticReplay(TraceInfo info, List<ReplayRecord> stream, List<ReplayRecord> atStop)
    {
        Info = info;
        Stream = stream;
        AtStop = atStop;
    }

    public TraceInfo Info { get; }
    public List<ReplayRecord> Stream { get; }
    public List<ReplayRecord> AtStop { get; }

    public static SyntheticReplay From(TraceScript script, RecordFilter? drop = null)
    {
        using EtlFileSource file = EtlFileSource.Open(new MemoryStream(script.ToBytes()), "synthetic.etl", ownsStream: true);
        var collector = new Collector(drop);
        file.Read(collector);
        // Everything the writer emits at the trace's last instant is its end rundown.
        long end = collector.Records.Max(r => r.Header.Timestamp);
        return new SyntheticReplay(file.Info,
            collector.Records.Where(r => r.Header.Timestamp < end).ToList(),
            collector.Records.Where(r => r.Header.Timestamp == end).ToList());
    }

    public ReplaySource Source(int ringBytes = 1 << 20) => ReplaySource.FromRecords(Info, Stream, AtStop, ringBytes);

    /// <summary>Handle rundown rows (HandleDCEnd) among the stop-time records.</summary>
    public int RundownEndRows => AtStop.Count(r => r.Header.ProviderId == KernelTasks.ObjectTaskId && r.Header.Opcode == 39);

    public static bool IsClose(in EventRecord r, uint handle) =>
        r.Group == KernelGroup.Object && r.Opcode == 33 && r.Payload.Length >= 12
        && BinaryPrimitives.ReadUInt32LittleEndian(r.Payload[8..]) == handle;

    private sealed class Collector(RecordFilter? drop) : IRecordSink
    {
        public List<ReplayRecord> Records { get; } = new();

        public void OnRecord(in EventRecord record)
        {
            if (drop is not null && drop(record)) return;
            RawRecordHeader header = RawRecordHeader.From(record);
            if (header.ProviderId != Guid.Empty) header.Group = KernelGroup.None;
            Records.Add(new ReplayRecord(header, record.Payload.ToArray()) { ExtendedData = record.ExtendedData.ToArray() });
        }
    }
}

/// <summary>A start inventory with nothing in it, taken at <paramref name="at"/> (a replay knows its handles from the trace).</summary>
internal sealed class EmptyInventory(long at) : IInventoryProvider
{
    public HandleInventory Take() => new()
    {
        Handles = [], ObjectTypes = new Dictionary<ushort, string>(), TimestampBefore = at, TimestampAfter = at,
    };
}
