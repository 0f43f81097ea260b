using HandleEtw.Core.Tracking;

namespace HandleEtw.Core.Analysis;

public sealed record MisuseStacks(IReadOnlyList<string> FirstClose, IReadOnlyList<string> Create,
                                  IReadOnlyList<string> StaleClose, IReadOnlyList<string>? CrossedClose);

/// <summary>When each of the four events happened, in seconds from trace start (crossed close: null if not seen).</summary>
public sealed record MisuseTimes(double FirstClose, double Create, double StaleClose, double? CrossedClose);

/// <param name="StaleThread">Closed the handle first and again after it was reused (the first and the stale close).</param>
/// <param name="CreateThread">Opened the reused value; its own later close of it is the crossed close.</param>
public sealed record MisuseSuspect(int Pid, string Process, uint Handle, int Count, double Confidence,
                                   int StaleThread, int CreateThread, MisuseStacks Stacks, MisuseTimes Times);

public sealed record MisuseReport(bool Lossy, IReadOnlyList<MisuseSuspect> Suspects);

/// <summary>Double-close suspects, the most recurrent stale-close stack first.</summary>
public static class MisuseAnalysis
{
    public static MisuseReport Build(HandleTracker tracker, StackContext context, ProcessFilter filter)
    {
        // Suspects are grouped by stale-close stack id as the trace went; ids that settled on equal frames are one group.
        var suspects = tracker.Suspects
            .Where(s => s.Count > 0 && filter.Matches(s.Pid, s.ProcessName))
            .GroupBy(s => (s.Pid, Stack: context.Stacks.Canonical(s.StaleCloseStack)))
            .Select(g => (First: g.First(), Count: g.Sum(s => s.Count), Confidence: g.Max(s => s.Confidence)))
            .OrderByDescending(x => x.Count).ThenByDescending(x => x.Confidence).ThenBy(x => x.First.Pid)
            .Select(x => Suspect(x.First, x.Count, x.Confidence, tracker, context))
            .ToList();
        return new MisuseReport(tracker.Lossy, suspects);
    }

    private static MisuseSuspect Suspect(SuspectGroup s, int count, double confidence, HandleTracker tracker,
                                         StackContext context) =>
        new(s.Pid, s.ProcessName, s.Handle, count, confidence, s.FirstCloseThread, s.CreateThread, new MisuseStacks(
                context.Frames(s.FirstCloseStack, s.Pid, s.FirstCloseTime),
                context.Frames(s.CreateStack, s.Pid, s.CreateTime),
                context.Frames(s.StaleCloseStack, s.Pid, s.StaleCloseTime),
                s.CrossedCloseSeen ? context.Frames(s.CrossedCloseStack, s.Pid, s.CrossedCloseTime) : null),
            new MisuseTimes(tracker.Seconds(s.FirstCloseTime), tracker.Seconds(s.CreateTime),
                tracker.Seconds(s.StaleCloseTime), s.CrossedCloseSeen ? tracker.Seconds(s.CrossedCloseTime) : null));
}
