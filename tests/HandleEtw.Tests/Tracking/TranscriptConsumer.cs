using HandleEtw.Core.Events;

namespace HandleEtw.Tests.Tracking;

/// <summary>
/// Writes every call it receives as a line (the event's own text, so every field counts), in order, with the threads
/// that made them; optionally throws at the given line, as a consumer whose disk filled up would.
/// </summary>
internal sealed class TranscriptConsumer : TraceConsumer
{
    public List<string> Lines { get; } = new();
    public HashSet<int> Threads { get; } = new();
    public int? ThrowAt { get; init; }

    private void Add(string line)
    {
        Threads.Add(Environment.CurrentManagedThreadId);
        if (Lines.Count == ThrowAt) throw new IOException("no space left on device");
        Lines.Add(line);
    }

    public override void OnHandle(in HandleEvent e) => Add($"H {e}");
    public override void OnProcess(in ProcessEvent e) => Add($"P {e}");
    public override void OnThread(in ThreadEvent e) => Add($"T {e}");
    public override void OnImage(in ImageEvent e) => Add($"I {e}");
    public override void OnImageIdentity(in ImageIdentity e) => Add($"D {e}");
    public override void OnObjectType(long timestamp, ushort typeIndex, string name) => Add($"O {timestamp} {typeIndex} {name}");
    public override void OnLoss(in LossEvent e) => Add($"L {e}");
    public override void OnSnapshot(long timestamp, string label) => Add($"S {timestamp} {label}");
    public override void OnEnd(long endTimestamp) => Lines.Add($"E {endTimestamp}");
}
