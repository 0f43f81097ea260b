namespace HandleEtw.Core.Analysis;

/// <summary>
/// Renders stacks for a report and shares the result: handles with the same stack in the same process reference one
/// frame list instead of each holding its own copy, so a report's memory grows with distinct stacks, not handles.
/// A stack is still rendered per request (the module map may differ by time), and a rendering that differs from the
/// kept ones is kept beside them, so the output is exactly what rendering each handle on its own gives.
/// </summary>
public sealed class RenderedStacks(StackContext context)
{
    private readonly Dictionary<(int StackId, int Pid), List<IReadOnlyList<string>>> _kept = new();

    public IReadOnlyList<string> Frames(int stackId, int pid, long time)
    {
        IReadOnlyList<string> rendered = context.Frames(stackId, pid, time);
        if (rendered.Count == 0) return rendered;
        if (!_kept.TryGetValue((stackId, pid), out var renderings)) _kept[(stackId, pid)] = renderings = [];
        foreach (IReadOnlyList<string> kept in renderings)
            if (SameFrames(kept, rendered)) return kept;
        renderings.Add(rendered);
        return rendered;
    }

    private static bool SameFrames(IReadOnlyList<string> a, IReadOnlyList<string> b)
    {
        if (a.Count != b.Count) return false;
        for (int i = 0; i < a.Count; i++)
            if (!string.Equals(a[i], b[i], StringComparison.Ordinal)) return false;
        return true;
    }
}
