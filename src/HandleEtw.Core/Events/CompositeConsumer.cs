using System.Diagnostics.CodeAnalysis;

namespace HandleEtw.Core.Events;

/// <summary>Fans one event stream out to several consumers, in the order given. Handle events, by far the most
/// numerous, go only to the consumers that take them, and a run of them to each such consumer in turn.</summary>
public sealed class CompositeConsumer(params TraceConsumer[] consumers) : TraceConsumer
{
    private readonly TraceConsumer[] _handleConsumers = TakingHandles(consumers);

    public override void OnHandle(in HandleEvent e) { foreach (var c in _handleConsumers) c.OnHandle(e); }
    public override void OnHandles(ReadOnlySpan<HandleEvent> events) { foreach (var c in _handleConsumers) c.OnHandles(events); }
    public override void Prefetch(in HandleEvent e) { foreach (var c in _handleConsumers) c.Prefetch(e); }
    public override void OnGuiHandle(in GuiHandleEvent e) { foreach (var c in consumers) c.OnGuiHandle(e); }
    public override void OnProcess(in ProcessEvent e) { foreach (var c in consumers) c.OnProcess(e); }
    public override void OnThread(in ThreadEvent e) { foreach (var c in consumers) c.OnThread(e); }
    public override void OnImage(in ImageEvent e) { foreach (var c in consumers) c.OnImage(e); }
    public override void OnImageIdentity(in ImageIdentity e) { foreach (var c in consumers) c.OnImageIdentity(e); }
    public override void OnObjectType(long timestamp, ushort typeIndex, string name) { foreach (var c in consumers) c.OnObjectType(timestamp, typeIndex, name); }
    public override void OnLoss(in LossEvent e) { foreach (var c in consumers) c.OnLoss(e); }
    public override void OnMethod(in MethodEvent e) { foreach (var c in consumers) c.OnMethod(e); }
    public override void OnClrModule(in ClrModuleEvent e) { foreach (var c in consumers) c.OnClrModule(e); }
    public override void OnClrNote(in ClrNoteEvent e) { foreach (var c in consumers) c.OnClrNote(e); }
    public override void OnSnapshot(long timestamp, string label) { foreach (var c in consumers) c.OnSnapshot(timestamp, label); }
    public override void OnSegment(in TraceSegment segment) { foreach (var c in consumers) c.OnSegment(segment); }
    public override void OnEnd(long endTimestamp) { foreach (var c in consumers) c.OnEnd(endTimestamp); }

    /// <summary>The consumers that override a handle-event method: the others would only run the empty default.</summary>
    private static TraceConsumer[] TakingHandles(TraceConsumer[] consumers)
    {
        var taking = new List<TraceConsumer>(consumers.Length);
        foreach (TraceConsumer c in consumers)
            if (Overrides(c, nameof(OnHandle), typeof(HandleEvent).MakeByRefType())
                || Overrides(c, nameof(OnHandles), typeof(ReadOnlySpan<HandleEvent>))
                || Overrides(c, nameof(Prefetch), typeof(HandleEvent).MakeByRefType()))
                taking.Add(c);
        return taking.ToArray();
    }

    // Without the method's metadata (a trimmed native build) GetMethod gives null, which counts as overriding: the
    // consumer is then called and does nothing, never skipped.
    [UnconditionalSuppressMessage("Trimming", "IL2075", Justification = "null counts as overriding, the safe side")]
    private static bool Overrides(TraceConsumer consumer, string method, Type parameter) =>
        consumer.GetType().GetMethod(method, [parameter])?.DeclaringType != typeof(TraceConsumer);
}
