namespace HandleEtw.Core.Tracking;

/// <summary>
/// One process incarnation: a pid plus a generation bumped at every Process/Start of that pid, so a reused pid
/// never mixes two processes' handles.
/// </summary>
internal sealed class ProcessState(int id, int pid, int generation, EntryPool pool)
{
    /// <summary>Unique across the trace (index for groups).</summary>
    public int Id { get; } = id;
    public int Pid { get; } = pid;
    public int Generation { get; } = generation;
    public ulong UniqueProcessKey { get; set; }
    public string Name { get; set; } = "";
    public bool StartedInTrace { get; set; }
    public long StartTime { get; set; } = long.MinValue;

    /// <summary>Terminate or Stop seen: closes from now on are the exit sweep.</summary>
    public bool Exiting { get; set; }

    /// <summary>Process/Stop seen (or the pid was reused): the table is released, not leaked.</summary>
    public bool Exited { get; set; }
    public long StopTime { get; set; } = long.MaxValue;

    /// <summary>A handle rundown listed this process, so any handle it had at start is known.</summary>
    public bool HasRundown { get; set; }

    /// <summary>.NET methods whose code left its range so far (unloads): a JIT address can name another method only
    /// after one, so creates are grouped apart across them and regrouped by the names at the end.</summary>
    public int MethodUnloads { get; set; }

    /// <summary>Kernel handles.</summary>
    public HandleTable Table { get; } = new(pool);

    /// <summary>GDI objects owned by this process.</summary>
    public HandleTable GdiTable { get; } = new(pool);

    /// <summary>USER objects owned by this process (their values are session-wide).</summary>
    public HandleTable UserTable { get; } = new(pool);

    public HandleTable TableOf(Events.HandleKind kind) => kind switch
    {
        Events.HandleKind.Gdi => GdiTable,
        Events.HandleKind.User => UserTable,
        _ => Table,
    };

    /// <summary>The earlier incarnation of this pid, while its grace period runs (late exit-sweep closes).</summary>
    public ProcessState? Previous { get; set; }

    /// <summary>The parent at creation (inherited handles that were not logged are matched against its table).</summary>
    public ProcessState? Parent { get; set; }

    /// <summary>Inheritance duplicates logged by this process since its last child started.</summary>
    public List<PendingInherit>? PendingInheritance { get; set; }

    /// <summary>Leak groups owned by this process (freed with it).</summary>
    public List<int> Groups { get; } = new();

    /// <summary>Recent closes, direct-mapped by handle value (misuse detection).</summary>
    public RecentClose[]? RecentCloses { get; set; }

    public string DisplayName => Name.Length > 0 ? Name : $"pid {Pid}";
}

internal readonly record struct PendingInherit(uint Handle, ulong Object, ushort Type, int Thread, int StackId, long Time);
