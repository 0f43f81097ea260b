namespace HandleEtw.Core.Events;

/// <summary>
/// Receives decoded events in time order, stacks already joined. The tracker, the Parquet writer and the
/// statistics are consumers; override what you need.
/// </summary>
public abstract class TraceConsumer
{
    /// <summary>How many handle events ahead <see cref="OnHandles"/> hints what comes (<see cref="Prefetch"/>).</summary>
    public const int PrefetchDistance = 8;

    public virtual void OnHandle(in HandleEvent e) { }

    /// <summary>A run of handle events with no other event between them, in order. The default passes each to <see
    /// cref="OnHandle"/>, hinting the one <see cref="PrefetchDistance"/> ahead. A <see cref="CompositeConsumer"/> hands
    /// the whole run to each of its consumers in turn, so none may read another's state while handling them.</summary>
    public virtual void OnHandles(ReadOnlySpan<HandleEvent> events)
    {
        for (int i = 0; i < events.Length; i++)
        {
            if (i + PrefetchDistance < events.Length) Prefetch(events[i + PrefetchDistance]);
            OnHandle(events[i]);
        }
    }

    /// <summary>A hint that <paramref name="e"/> comes a few events from now: a consumer may start loading what it will
    /// touch for it. It must change nothing a result depends on.</summary>
    public virtual void Prefetch(in HandleEvent e) { }

    /// <summary>GDI and USER handle events (Win32k provider); kept apart so kernel-handle consumers never mix them in.</summary>
    public virtual void OnGuiHandle(in GuiHandleEvent e) { }
    public virtual void OnProcess(in ProcessEvent e) { }
    public virtual void OnThread(in ThreadEvent e) { }
    public virtual void OnImage(in ImageEvent e) { }
    public virtual void OnImageIdentity(in ImageIdentity e) { }

    /// <summary>Object type index → name, from the type rundown (or the live inventory).</summary>
    public virtual void OnObjectType(long timestamp, ushort typeIndex, string name) { }
    public virtual void OnLoss(in LossEvent e) { }

    /// <summary>.NET runtime method code (JIT, rundown) and module events, for naming managed frames.</summary>
    public virtual void OnMethod(in MethodEvent e) { }
    public virtual void OnClrModule(in ClrModuleEvent e) { }
    public virtual void OnClrNote(in ClrNoteEvent e) { }

    /// <summary>A snapshot mark (live `s` key, --snapshot-every): consumers that keep tables label them.</summary>
    public virtual void OnSnapshot(long timestamp, string label) { }

    /// <summary>The next file of a sequence starts here (several files read as one timeline).</summary>
    public virtual void OnSegment(in TraceSegment segment) { }

    /// <summary>No more events. <paramref name="endTimestamp"/> is the last event's time.</summary>
    public virtual void OnEnd(long endTimestamp) { }
}
