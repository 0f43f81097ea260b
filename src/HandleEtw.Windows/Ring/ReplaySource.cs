using HandleEtw.Core.Records;
using HandleEtw.Etl.Ring;

namespace HandleEtw.Windows.Ring;

/// <summary>A raw record held in memory (tests, replays): header fields and payload bytes.</summary>
public sealed record ReplayRecord(RawRecordHeader Header, byte[] Payload)
{
    public byte[] ExtendedData { get; init; } = [];
}

/// <summary>
/// Platform-neutral producer for the live path: pushes raw records through the same <see cref="RecordRing"/> and
/// consumer loop as the ETW session, from memory or from another source (an .etl file). Unlike the live callback it
/// waits when the ring is full instead of dropping. Records in <c>atStop</c> are written after a stop request (or
/// at the end), the way a kernel session delivers its stop-time rundown after ControlTrace(STOP).
/// </summary>
public sealed class ReplaySource : RingFedSource
{
    private readonly Action<ReplaySource, CancellationToken> _produce;
    private readonly IReadOnlyList<ReplayRecord> _atStop;
    private readonly CancellationTokenSource _stop = new();
    private Thread? _thread;

    private ReplaySource(TraceInfo info, int ringBytes, Action<ReplaySource, CancellationToken> produce, IReadOnlyList<ReplayRecord> atStop)
        : base(info, ringBytes)
    {
        _produce = produce;
        _atStop = atStop;
    }

    public static ReplaySource FromRecords(TraceInfo info, IEnumerable<ReplayRecord> records,
        IReadOnlyList<ReplayRecord>? atStop = null, int ringBytes = 1 << 20) =>
        new(info, ringBytes, (self, stop) =>
        {
            foreach (ReplayRecord r in records)
            {
                if (stop.IsCancellationRequested) return;
                self.WriteWaiting(r.Header, r.Payload, r.ExtendedData, stop);
            }
        }, atStop ?? []);

    /// <summary>Replays another source (e.g. EtlFileSource) record by record through the ring.</summary>
    public static ReplaySource FromSource(IRecordSource inner, int ringBytes = 4 << 20) =>
        new(inner.Info, ringBytes, (self, stop) => inner.Read(new RingWriter(self, stop), stop), []);

    /// <summary>Records the producer wrote; the ring's <see cref="RecordRing.Dropped"/> stays 0 for replays.</summary>
    public long Produced { get; private set; }

    protected override void StartProducer()
    {
        _thread = new Thread(Produce) { IsBackground = true, Name = "handleetw replay" };
        _thread.Start();
    }

    protected override void StopProducer() => _stop.Cancel();

    private void Produce()
    {
        try
        {
            _produce(this, _stop.Token);
            EndReason ??= _stop.IsCancellationRequested ? null : "end of replay";
            foreach (ReplayRecord r in _atStop)
                WriteWaiting(r.Header, r.Payload, r.ExtendedData, CancellationToken.None);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        finally
        {
            MarkProducerDone();
        }
    }

    private void WriteWaiting(in RawRecordHeader header, ReadOnlySpan<byte> user, ReadOnlySpan<byte> extended, CancellationToken stop)
    {
        var spin = new SpinWait();
        while (!Ring.CanWrite(user.Length, extended.Length))
        {
            if (stop.IsCancellationRequested) return;
            spin.SpinOnce();
        }
        Ring.TryWrite(header, user, extended);
        Produced++;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            RequestStop();
            _thread?.Join();
            _stop.Dispose();
        }
        base.Dispose(disposing);
    }

    private sealed class RingWriter(ReplaySource owner, CancellationToken stop) : IRecordSink
    {
        public void OnRecord(in EventRecord record) =>
            owner.WriteWaiting(RawRecordHeader.From(record), record.Payload, record.ExtendedData, stop);
    }
}
