using HandleEtw.Synthetic.Etl;

namespace HandleEtw.Synthetic.Scenarios;

/// <summary>.NET code in a script: managed modules, JIT-compiled methods (named in stacks as "Module!Type.Method"),
/// re-JIT, unloads, and the runtime's end rundown.</summary>
public sealed partial class TraceScript
{
    private ulong _nextClrId = 0x7FF9_0000_1000;

    /// <summary>Loads a managed module (ModuleLoad); its name in frames is the IL file name without extension.</summary>
    public ClrModule LoadClrModule(ScriptProcess process, string ilPath, uint flags = 0)
    {
        var module = new ClrModule(_nextClrId += 0x1000, _nextClrId + 0x800, ilPath, flags);
        process.ClrModules.Add(module);
        int tid = ClrThread(process);
        byte version = Options.ClrEventVersion;
        Add(CpuOf(tid), tid, process.Pid, process.PointerSize, null,
            (k, cpu, t) => ClrEventWriter.Module(k.Writer, rundown: false, load: true, cpu, t, process.Pid, tid, module, version));
        return module;
    }

    /// <summary>JIT-compiles `type.method` at [start, start + size) (MethodLoadVerbose and its IL map); from now on a
    /// frame "Module!Type.Method" in this process's stacks is a call site inside that code. Compiling again (re-JIT,
    /// another tier) moves later frames to the new code; earlier stacks keep the old addresses.</summary>
    public ClrMethod Jit(ScriptProcess process, ClrModule module, string type, string method, ulong start, uint size,
        ulong rejit = 0, ulong? methodId = null)
    {
        var m = new ClrMethod(methodId ?? (_nextClrId += 0x40), module.ModuleId, start, size, type, method, "instance void  ()", rejit);
        process.ManagedFrames[FrameName(module, m)] = start + Math.Min(ScriptModule.CallSiteOffset, size - 1);
        process.LiveMethods.Add(m);
        int tid = ClrThread(process);
        byte version = Options.ClrEventVersion;
        Add(CpuOf(tid), tid, process.Pid, process.PointerSize, null, (k, cpu, t) =>
        {
            ClrEventWriter.Method(k.Writer, ClrEventWriter.MethodKind.Load, cpu, t, process.Pid, tid, m, version);
            ClrEventWriter.ILToNativeMap(k.Writer, cpu, t, process.Pid, tid, m);
        });
        return m;
    }

    /// <summary>The method's code is freed (MethodUnloadVerbose): its frame name no longer resolves.</summary>
    public void UnloadMethod(ScriptProcess process, ClrModule module, ClrMethod m)
    {
        process.LiveMethods.Remove(m);
        process.ManagedFrames.Remove(FrameName(module, m));
        int tid = ClrThread(process);
        byte version = Options.ClrEventVersion;
        Add(CpuOf(tid), tid, process.Pid, process.PointerSize, null,
            (k, cpu, t) => ClrEventWriter.Method(k.Writer, ClrEventWriter.MethodKind.Unload, cpu, t, process.Pid, tid, m, version));
    }

    /// <summary>`System.Data!System.Data.ProviderBase.DbConnectionPool.PutObject`: how a stack and the output name it.</summary>
    public static string FrameName(ClrModule module, ClrMethod m) =>
        $"{Path.GetFileNameWithoutExtension(module.ILPath.Replace('\\', '/'))}!{m.Namespace}.{m.Name}";

    private void WriteClrEndRundown(KernelEventWriter k, long end)
    {
        if (!Options.ClrRundownAtEnd) return;
        foreach (ScriptProcess p in _processes.Where(p => !p.Exited && p.ClrModules.Count > 0))
        {
            int tid = ClrThread(p);
            ClrEventWriter.EndRundownBracket(k.Writer, complete: false, 0, end, p.Pid, tid);
            foreach (ClrMethod m in p.LiveMethods)
                ClrEventWriter.Method(k.Writer, ClrEventWriter.MethodKind.RundownEnd, 0, end, p.Pid, tid, m, Options.ClrEventVersion);
            foreach (ClrModule module in p.ClrModules)
                ClrEventWriter.Module(k.Writer, rundown: true, load: false, 0, end, p.Pid, tid, module, Options.ClrEventVersion);
            ClrEventWriter.EndRundownBracket(k.Writer, complete: true, 0, end, p.Pid, tid);
        }
    }

    private static int ClrThread(ScriptProcess p) => p.Threads.FirstOrDefault()?.Tid ?? 0;
}
