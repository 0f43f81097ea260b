using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace HandleEtw.Core.Events;

/// <summary>
/// Runs a consumer on a thread of its own, so reading and decoding use one core and tracking or writing the other.
/// Events are copied into fixed-size batches in arrival order and replayed in that same order: the consumer sees
/// exactly the stream it would see inline, whatever the scheduling. <see cref="OnEnd"/> waits for the thread and
/// then ends the consumer on the caller's thread; <see cref="Dispose"/> (after a failure or cancellation upstream)
/// still hands over everything already received, without ending it. A consumer failure is rethrown to the caller.
/// </summary>
public sealed class BackgroundConsumer : TraceConsumer, IDisposable
{
    private const int BatchSize = 4096;
    private const int BatchesInFlight = 8;

    /// <summary>An idle consumer thread is woken when this many batches wait (or at the end), not for each one:
    /// every wake-up is a context switch, and on two cores shared by three threads those cost more than the work.</summary>
    private const int WakeAt = 4;

    private readonly TraceConsumer _inner;
    private readonly Queue<EventBatch> _full = new(BatchesInFlight);
    private readonly object _gate = new();
    private bool _completed;
    private readonly ConcurrentQueue<EventBatch> _free = new();
    private readonly Thread _thread;
    private EventBatch _current = new(BatchSize);
    private volatile ExceptionDispatchInfo? _failure;
    private bool _stopped;

    public BackgroundConsumer(TraceConsumer inner)
    {
        _inner = inner;
        _thread = new Thread(Consume) { IsBackground = true, Name = "handleetw consumer" };
        _thread.Start();
    }

    public override void OnHandle(in HandleEvent e)
    {
        _current.Handles[_current.Count++] = e;
        if (_current.Count == BatchSize) Hand();
    }

    public override void OnGuiHandle(in GuiHandleEvent e) => Other(OtherKind.GuiHandle, e);
    public override void OnProcess(in ProcessEvent e) => Other(OtherKind.Process, e);
    public override void OnThread(in ThreadEvent e) => Other(OtherKind.Thread, e);
    public override void OnImage(in ImageEvent e) => Other(OtherKind.Image, e);
    public override void OnImageIdentity(in ImageIdentity e) => Other(OtherKind.ImageIdentity, e);
    public override void OnLoss(in LossEvent e) => Other(OtherKind.Loss, e);
    public override void OnMethod(in MethodEvent e) => Other(OtherKind.Method, e);
    public override void OnClrModule(in ClrModuleEvent e) => Other(OtherKind.ClrModule, e);
    public override void OnClrNote(in ClrNoteEvent e) => Other(OtherKind.ClrNote, e);

    public override void OnObjectType(long timestamp, ushort typeIndex, string name) =>
        Other(OtherKind.ObjectType, name, timestamp, typeIndex);

    public override void OnSnapshot(long timestamp, string label) => Other(OtherKind.Snapshot, label, timestamp);
    public override void OnSegment(in TraceSegment segment) => Other(OtherKind.Segment, segment);

    /// <summary>Waits until every event has been consumed, then ends the consumer here.</summary>
    public override void OnEnd(long endTimestamp)
    {
        Stop();
        _failure?.Throw();
        _inner.OnEnd(endTimestamp);
    }

    /// <summary>Hands over what was received and waits for the thread; the consumer is not ended.</summary>
    public void Dispose() => Stop();

    private void Other(OtherKind kind, object payload, long timestamp = 0, ushort typeIndex = 0)
    {
        _current.Others.Add(new OtherEvent(_current.Count, kind, payload, timestamp, typeIndex));
        if (_current.Others.Count >= BatchSize) Hand();
    }

    private void Hand()
    {
        _failure?.Throw();
        Enqueue(_current);
        _current = _free.TryDequeue(out EventBatch? reused) ? reused : new EventBatch(BatchSize);
    }

    /// <summary>Queues a full batch, waiting while <see cref="BatchesInFlight"/> are queued already.</summary>
    private void Enqueue(EventBatch batch)
    {
        lock (_gate)
        {
            while (_full.Count >= BatchesInFlight) Monitor.Wait(_gate);
            _full.Enqueue(batch);
            if (_full.Count == WakeAt) Monitor.PulseAll(_gate);
        }
    }

    private void Stop()
    {
        if (_stopped) return;
        _stopped = true;
        if (_current.Count > 0 || _current.Others.Count > 0) Enqueue(_current);
        lock (_gate)
        {
            _completed = true;
            Monitor.PulseAll(_gate);
        }
        _thread.Join();
    }

    /// <summary>The next batch; an idle consumer waits for <see cref="WakeAt"/> of them. Null once all are done.</summary>
    private EventBatch? Dequeue(bool idle)
    {
        lock (_gate)
        {
            while (_full.Count < (idle && !_completed ? WakeAt : 1))
            {
                if (_completed) return null;
                if (!idle) idle = true; // drained: from now on wait for a few batches at once
                else Monitor.Wait(_gate);
            }
            if (_full.Count == BatchesInFlight) Monitor.PulseAll(_gate); // the reader may be waiting for room
            return _full.Dequeue();
        }
    }

    private void Consume()
    {
        bool idle = true;
        while (Dequeue(idle) is { } batch)
        {
            idle = false;
            if (_failure is null)
            {
                try { Replay(batch); }
                catch (Exception ex) { _failure = ExceptionDispatchInfo.Capture(ex); }
            }
            batch.Clear();
            _free.Enqueue(batch);
        }
    }

    /// <summary>The handle events between two rarer ones go over as one run (<see cref="TraceConsumer.OnHandles"/>).</summary>
    private void Replay(EventBatch batch)
    {
        HandleEvent[] handles = batch.Handles;
        int start = 0;
        foreach (OtherEvent other in batch.Others)
        {
            if (other.Position > start) _inner.OnHandles(handles.AsSpan(start, other.Position - start));
            start = other.Position;
            Replay(other);
        }
        if (batch.Count > start) _inner.OnHandles(handles.AsSpan(start, batch.Count - start));
    }

    private void Replay(in OtherEvent o)
    {
        switch (o.Kind)
        {
            case OtherKind.GuiHandle: _inner.OnGuiHandle((GuiHandleEvent)o.Payload); break;
            case OtherKind.Process: _inner.OnProcess((ProcessEvent)o.Payload); break;
            case OtherKind.Thread: _inner.OnThread((ThreadEvent)o.Payload); break;
            case OtherKind.Image: _inner.OnImage((ImageEvent)o.Payload); break;
            case OtherKind.ImageIdentity: _inner.OnImageIdentity((ImageIdentity)o.Payload); break;
            case OtherKind.Loss: _inner.OnLoss((LossEvent)o.Payload); break;
            case OtherKind.Method: _inner.OnMethod((MethodEvent)o.Payload); break;
            case OtherKind.ClrModule: _inner.OnClrModule((ClrModuleEvent)o.Payload); break;
            case OtherKind.ClrNote: _inner.OnClrNote((ClrNoteEvent)o.Payload); break;
            case OtherKind.ObjectType: _inner.OnObjectType(o.Timestamp, o.TypeIndex, (string)o.Payload); break;
            case OtherKind.Snapshot: _inner.OnSnapshot(o.Timestamp, (string)o.Payload); break;
            case OtherKind.Segment: _inner.OnSegment((TraceSegment)o.Payload); break;
        }
    }

    private enum OtherKind : byte { Process, Thread, Image, ImageIdentity, Loss, ObjectType, Snapshot, Method, ClrModule, ClrNote, Segment, GuiHandle }

    /// <summary>A rarer event, boxed, replayed before the handle event at <see cref="Position"/>.</summary>
    private readonly record struct OtherEvent(int Position, OtherKind Kind, object Payload, long Timestamp, ushort TypeIndex);

    private sealed class EventBatch(int size)
    {
        public readonly HandleEvent[] Handles = new HandleEvent[size];
        public readonly List<OtherEvent> Others = new();
        public int Count;

        public void Clear()
        {
            Count = 0; // names left in the array are overwritten by the next use: a bounded, brief retention
            Others.Clear();
        }
    }
}
