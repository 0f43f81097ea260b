namespace HandleEtw.Core.Analysis;

/// <summary>`--pid N` / `--process NAME` (image name, case-insensitive, `.exe` optional); both null = every process.</summary>
public sealed record ProcessFilter(int? Pid = null, string? Name = null)
{
    public static ProcessFilter All { get; } = new();

    public bool Matches(int pid, string process)
    {
        if (Pid is int p && p != pid) return false;
        if (Name is null) return true;
        return string.Equals(process, Name, StringComparison.OrdinalIgnoreCase)
            || string.Equals(Path.GetFileNameWithoutExtension(process), Name, StringComparison.OrdinalIgnoreCase);
    }
}

/// <summary>Shared inputs of every analysis: where stacks and modules come from.</summary>
public sealed record StackContext(Stacks.StackTable Stacks, Stacks.ModuleMap Modules)
{
    public IReadOnlyList<string> Frames(int stackId, int pid, long time) => Modules.FormatStack(Stacks, stackId, pid, time);
}
