using HandleEtw.Synthetic.Etl;

namespace HandleEtw.Synthetic.Scenarios;

/// <summary>The script's handle bookkeeping and the records each operation writes.</summary>
public sealed partial class TraceScript
{
    private static readonly string[] SystemModules = ["ntdll", "kernel32", "kernelbase", "ntoskrnl", "ucrtbase", "msvcrt", "gdi32", "gdi32full", "user32", "win32u"];
    private readonly Dictionary<(int Pid, uint Handle), string> _preexistingNames = [];

    public static bool IsSystemModule(string module) =>
        SystemModules.Contains(Path.GetFileNameWithoutExtension(module), StringComparer.OrdinalIgnoreCase);

    /// <summary>Bit 31 marks a kernel handle: it lives in the System process's table whoever logs it.</summary>
    internal ScriptProcess OwnerOf(ScriptProcess actor, uint handle) => (handle & 0x8000_0000) != 0 ? System : actor;

    internal void Track(ScriptProcess owner, HandleFact fact)
    {
        if (owner.Open.TryGetValue(fact.Handle, out HandleFact? stale)) stale.ClosedBy = CloseKind.Lost;
        owner.Open[fact.Handle] = fact;
        Facts.Handles.Add(fact);
        if (fact.Origin == "Create") Facts.Creates++;
    }

    internal void CloseTracked(ScriptProcess owner, uint handle, int tid, CloseKind kind, out HandleFact? fact)
    {
        Facts.Closes++;
        if (!owner.Open.Remove(handle, out fact))
        {
            Facts.UnmatchedCloses++;
            return;
        }
        fact.CloseTicks = Now;
        fact.CloserTid = tid;
        fact.ClosedBy = kind;
        owner.ReleaseValue(handle);
    }

    internal void WriteCreate(ScriptThread thread, HandleFact fact, string name, CallStack? stack)
    {
        ScriptProcess p = thread.Process;
        HandleHeader header = Options.HandleHeader;
        Add(CpuOf(thread.Tid), thread.Tid, p.Pid, p.PointerSize, stack,
            (k, cpu, t) => k.Handle(create: true, cpu, t, p.Pid, thread.Tid, fact.Object, fact.Handle, fact.Type, name, p.PointerSize, header));
    }

    internal void WriteClose(ScriptThread thread, uint handle, ushort type, ulong obj, string name, CallStack? stack)
    {
        ScriptProcess p = thread.Process;
        HandleHeader header = Options.HandleHeader;
        Add(CpuOf(thread.Tid), thread.Tid, p.Pid, p.PointerSize, stack,
            (k, cpu, t) => k.Handle(create: false, cpu, t, p.Pid, thread.Tid, obj, handle, type, name, p.PointerSize, header));
    }

    internal void WriteDuplicate(ScriptThread thread, int sourcePid, uint sourceHandle, int targetPid, uint targetHandle,
        HandleFact source, CallStack? stack, bool advance)
    {
        ScriptProcess p = thread.Process;
        HandleHeader header = Options.HandleHeader;
        Add(CpuOf(thread.Tid), thread.Tid, p.Pid, p.PointerSize, stack,
            (k, cpu, t) => k.Duplicate(cpu, t, p.Pid, thread.Tid, source.Object, sourceHandle, targetHandle, targetPid, source.Type, sourcePid, p.PointerSize, header),
            advance);
    }

    internal void LoadImage(ScriptProcess process, ScriptModule module)
    {
        int tid = process.Threads.FirstOrDefault()?.Tid ?? 0;
        Add(CpuOf(tid), tid, process.Pid, process.PointerSize, null, (k, cpu, t) =>
        {
            k.Image(LifeEvent.Start, cpu, t, process.Pid, module.ToImage(), process.Pid, tid, process.PointerSize);
            if (module.Pdb is { } pdb) k.DbgIdRsds(cpu, t, process.Pid, module.Base, pdb);
        });
    }

    internal void StartThread(ScriptThread thread)
    {
        ScriptProcess p = thread.Process;
        int creator = p.Threads.Count > 1 ? p.Threads[0].Tid : thread.Tid;
        ulong start = p.Modules.FirstOrDefault()?.Base ?? 0;
        Add(CpuOf(creator), creator, p.Pid, p.PointerSize, null,
            (k, cpu, t) => k.Thread(LifeEvent.Start, cpu, t, p.Pid, thread.Tid, start, p.Pid, creator, p.PointerSize));
    }

    private void WriteStartRundown(KernelEventWriter k)
    {
        if (Options.TypeRundown)
            foreach ((ushort index, string name) in ObjectTypes.Default) k.TypeRundown(start: true, 0, RundownTicks, index, name);
        foreach (ScriptProcess p in _processes.Where(p => p.AtStart)) WriteProcessRundown(k, p, LifeEvent.DCStart, RundownTicks);
        if (!Options.HandleRundownAtStart) return;
        foreach (HandleFact fact in Facts.Handles.Where(f => f.Origin == "Rundown"))
            k.HandleRundown(start: true, 0, RundownTicks, fact.Object, fact.Pid, fact.Handle, fact.Type, _preexistingNames.GetValueOrDefault((fact.Pid, fact.Handle), ""));
    }

    private void WriteEndRundown(KernelEventWriter k, long end)
    {
        WriteClrEndRundown(k, end);
        if (Options.HandleRundownAtEnd)
            foreach (HandleFact fact in Facts.OpenAtEnd.Where(f => f.ClosedBy is null))
                k.HandleRundown(start: false, 0, end, fact.Object, fact.Pid, fact.Handle, fact.Type);
        if (Options.TypeRundown)
            foreach ((ushort index, string name) in ObjectTypes.Default) k.TypeRundown(start: false, 0, end, index, name);
        if (!Options.ProcessRundownAtEnd) return;
        foreach (ScriptProcess p in _processes.Where(p => !p.Exited)) WriteProcessRundown(k, p, LifeEvent.DCEnd, end);
    }

    private void WriteProcessRundown(KernelEventWriter k, ScriptProcess p, LifeEvent kind, long ticks)
    {
        k.Process(kind, 0, ticks, p.Info, -1, -1);
        foreach (ScriptThread thread in p.Threads)
            k.Thread(kind, 0, ticks, p.Pid, thread.Tid, p.Modules.FirstOrDefault()?.Base ?? 0, -1, -1, p.PointerSize);
        IEnumerable<ScriptModule> images = p.Pid == 4 ? KernelModules : p.Modules;
        foreach (ScriptModule m in images)
        {
            k.Image(kind, 0, ticks, p.Pid, m.ToImage(), -1, -1, p.PointerSize);
            if (kind == LifeEvent.DCStart && m.Pdb is { } pdb) k.DbgIdRsds(0, ticks, p.Pid, m.Base, pdb);
        }
    }
}
