using HandleEtw.Core.Records;
using HandleEtw.Etl.Ring;

namespace HandleEtw.Windows.Ring;

/// <summary>
/// An <see cref="IRecordSource"/> whose records arrive on another thread through a <see cref="RecordRing"/>: the
/// live ETW session and the replay source share this consumer side. <see cref="Read"/> drains the ring on the
/// caller's thread; on cancellation it asks the producer to stop and keeps draining until the producer has finished,
/// so stop-time records (rundown, stack-key rundown) still reach the sink.
/// </summary>
public abstract class RingFedSource : IRecordSource
{
    private readonly ManualResetEventSlim _producerDone = new(false);
    private int _started;
    private int _stopRequested;

    protected RingFedSource(TraceInfo info, int ringBytes)
    {
        Info = info;
        Ring = new RecordRing(ringBytes);
    }

    public TraceInfo Info { get; }
    public RecordRing Ring { get; }
    public LossCounters Loss { get; } = new();

    /// <summary>Which session path is in use (live), for --verbose.</summary>
    public virtual string Description => GetType().Name;

    /// <summary>Asks the producer to hand over what it buffers (live: ControlTrace(FLUSH) before a snapshot).</summary>
    public virtual void Flush() { }

    /// <summary>Records handed to the sink so far (read by the status line from another thread).</summary>
    public long Delivered => Volatile.Read(ref _delivered);
    private long _delivered;

    /// <summary>A consumer of the decoded stream the source itself needs (live: the .NET rundown's progress at the stop).</summary>
    public virtual Core.Events.TraceConsumer? Observer => null;

    /// <summary>What the source got from the .NET runtime; null when it does not capture it (replays).</summary>
    public virtual Recording.ClrStatus? Clr => null;

    /// <summary>Set when the producer ended on its own (trace end, session stopped by someone else).</summary>
    public string? EndReason { get; protected set; }

    /// <summary>Starts the producer once; <see cref="Read"/> calls it too. Live: start session + ProcessTrace thread.</summary>
    public void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) == 0) StartProducer();
    }

    /// <summary>Asks the producer to stop (idempotent, any thread). Live: ControlTrace(STOP).</summary>
    public void RequestStop()
    {
        if (Interlocked.Exchange(ref _stopRequested, 1) == 0) StopProducer();
    }

    public bool StopRequested => Volatile.Read(ref _stopRequested) != 0;

    public void Read(IRecordSink sink, CancellationToken cancel = default)
    {
        Start();
        using var registration = cancel.Register(RequestStop);
        var spin = new SpinWait();
        while (true)
        {
            if (DeliverOne(sink))
            {
                spin.Reset();
                continue;
            }
            if (_producerDone.IsSet)
            {
                if (Ring.IsEmpty) break;
                continue;
            }
            if (spin.NextSpinWillYield) _producerDone.Wait(1);
            else spin.SpinOnce();
        }
        AfterDrained();
    }

    private bool DeliverOne(IRecordSink sink)
    {
        if (!Ring.TryPeek(out RawRecordHeader h, out ReadOnlySpan<byte> user, out ReadOnlySpan<byte> extended))
            return false;
        try
        {
            EventRecord record = h.ToRecord(user, extended);
            sink.OnRecord(record);
        }
        finally
        {
            Ring.Release();
        }
        Interlocked.Increment(ref _delivered);
        return true;
    }

    /// <summary>The producer calls this when it will write no more (on its own thread).</summary>
    protected void MarkProducerDone() => _producerDone.Set();

    protected abstract void StartProducer();
    protected abstract void StopProducer();

    /// <summary>After the last record: live closes the consumer handle here (after the drain, windows-live.md §3.4).</summary>
    protected virtual void AfterDrained() { }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing) _producerDone.Dispose();
    }
}
