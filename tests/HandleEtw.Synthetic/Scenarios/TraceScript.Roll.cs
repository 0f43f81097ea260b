using HandleEtw.Synthetic.Etl;

namespace HandleEtw.Synthetic.Scenarios;

/// <summary>How <see cref="TraceScript.WriteRolled"/> cuts a script into a roll of files.</summary>
public sealed record RollOptions
{
    public int Files { get; init; } = 5;

    /// <summary>Every later file starts with a HandleDCStart for each handle open at the cut (a new session's start
    /// rundown); without it the files only cut the record stream, as a session's new-file mode does.</summary>
    public bool HandleRundownPerFile { get; init; }
}

/// <summary>The script written as a roll of files: what one session in new-file mode leaves on disk.</summary>
public sealed partial class TraceScript
{
    /// <summary>Writes NAME_1.etl … NAME_N.etl into <paramref name="directory"/>, cut at operations spread evenly
    /// through the script; each file is a valid .etl whose header starts where the previous one ended. Returns the
    /// paths in time order.</summary>
    public IReadOnlyList<string> WriteRolled(string directory, string name, RollOptions? roll = null)
    {
        roll ??= new RollOptions();
        long[] cuts = CutTimes(roll.Files);
        string[] paths = Enumerable.Range(1, cuts.Length + 1).Select(i => Path.Combine(directory, $"{name}_{i}.etl")).ToArray();
        using var writer = new EtlWriter(Create(paths[0]), Options.Writer);
        Write(writer, cuts, (i, ticks, events) =>
        {
            writer.Roll(Create(paths[i + 1]), ticks);
            if (roll.HandleRundownPerFile) WriteOpenHandlesRundown(events, ticks);
        });
        return paths;
    }

    private static FileStream Create(string path) => new(path, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16);

    /// <summary>Times of the operations that open files 2..N: evenly spread by operation count, each later than the
    /// operation before it so a cut never splits operations logged at one instant.</summary>
    private long[] CutTimes(int files)
    {
        if (files < 2) throw new ArgumentOutOfRangeException(nameof(files), "a roll has at least two files");
        var cuts = new List<long>();
        for (int k = 1; k < files; k++)
        {
            int i = Math.Max(1, k * _ops.Count / files);
            while (i < _ops.Count && _ops[i].Ticks == _ops[i - 1].Ticks) i++;
            if (i >= _ops.Count || (cuts.Count > 0 && _ops[i].Ticks <= cuts[^1])) continue;
            cuts.Add(_ops[i].Ticks);
        }
        if (cuts.Count != files - 1) throw new InvalidOperationException($"the script has too few operations for {files} files");
        return cuts.ToArray();
    }

    /// <summary>HandleDCStart for every handle open at <paramref name="ticks"/>: created before it, closed at or after it.</summary>
    private void WriteOpenHandlesRundown(KernelEventWriter k, long ticks)
    {
        foreach (HandleFact f in Facts.Handles)
        {
            bool open = f.CreateTicks < ticks && f.ClosedBy != CloseKind.Lost && (f.CloseTicks is null || f.CloseTicks >= ticks);
            if (open) k.HandleRundown(start: true, 0, ticks, f.Object, f.Pid, f.Handle, f.Type, "");
        }
    }
}
