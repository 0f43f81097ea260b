using HandleEtw.Core.Tracking;

namespace HandleEtw.Core.Analysis;

public sealed record MisuseStacks(IReadOnlyList<string> FirstClose, IReadOnlyList<string> Create,
                                  IReadOnlyList<string> StaleClose, IReadOnlyList<string>? CrossedClose);

public sealed record MisuseSuspect(int Pid, string Process, uint Handle, int Count, double Confidence,
                                   int StaleThread, int CreateThread, MisuseStacks Stacks);

public sealed record MisuseReport(bool Lossy, IReadOnlyList<MisuseSuspect> Suspects);

/// <summary>Double-close suspects, the most recurrent stale-close stack first.</summary>
public static class MisuseAnalysis
{
    public static MisuseReport Build(HandleTracker tracker, StackContext context, ProcessFilter filter)
    {
        var suspects = tracker.Suspects
            .Where(s => s.Count > 0 && filter.Matches(s.Pid, s.ProcessName))
            .OrderByDescending(s => s.Count).ThenByDescending(s => s.Confidence).ThenBy(s => s.Pid)
            .Select(s => new MisuseSuspect(s.Pid, s.ProcessName, s.Handle, s.Count, s.Confidence,
                s.FirstCloseThread, s.CreateThread, new MisuseStacks(
                    context.Frames(s.FirstCloseStack, s.Pid, s.FirstCloseTime),
                    context.Frames(s.CreateStack, s.Pid, s.StaleCloseTime),
                    context.Frames(s.StaleCloseStack, s.Pid, s.StaleCloseTime),
                    s.CrossedCloseSeen ? context.Frames(s.CrossedCloseStack, s.Pid, s.CrossedCloseTime) : null)))
            .ToList();
        return new MisuseReport(tracker.Lossy, suspects);
    }
}
