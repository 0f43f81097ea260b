namespace HandleEtw.Synthetic.Etl;

/// <summary>A JIT-compiled method as the runtime reports it (MethodLoadVerbose fields).</summary>
public sealed record ClrMethod(ulong MethodId, ulong ModuleId, ulong Start, uint Size, string Namespace, string Name,
    string Signature, ulong ReJitId = 0, uint Flags = 0x8);

/// <summary>A managed module (ModuleLoad fields).</summary>
public sealed record ClrModule(ulong ModuleId, ulong AssemblyId, string ILPath, uint Flags = 0);

/// <summary>
/// .NET runtime events as EVENT_HEADER manifest records (ClrEtwAll.man): Microsoft-Windows-DotNETRuntime method and
/// module events while running, Microsoft-Windows-DotNETRuntimeRundown at the end. Version 0-2 payload layouts.
/// </summary>
public static class ClrEventWriter
{
    public static readonly Guid Runtime = new("e13c0d23-ccbc-4e12-931b-d9cc2eee27e4");
    public static readonly Guid Rundown = new("a669021c-c450-4609-a035-5af59af4df18");
    private const ushort ClrInstance = 9;
    private const ulong LoaderKeyword = 0x8, JitKeyword = 0x10, EndRundownKeyword = 0x100, ILMapKeyword = 0x20000;

    public enum MethodKind : byte { Load, Unload, RundownStart, RundownEnd }

    /// <summary>MethodLoadVerbose (143) / MethodUnloadVerbose (144), or rundown MethodDCStartVerbose / DCEndVerbose.</summary>
    public static void Method(EtlWriter w, MethodKind kind, int cpu, long ticks, int pid, int tid, ClrMethod m, byte version = 2)
    {
        var p = new PayloadBuilder().U64(m.MethodId).U64(m.ModuleId).U64(m.Start).U32(m.Size).U32(0x0600_0001)
            .U32(m.Flags).Utf16Z(m.Namespace).Utf16Z(m.Name).Utf16Z(m.Signature);
        if (version >= 1) p.U16(ClrInstance);
        if (version >= 2) p.U64(m.ReJitId);
        bool rundown = kind is MethodKind.RundownStart or MethodKind.RundownEnd;
        var (id, task, opcode) = kind switch
        {
            MethodKind.Load => ((ushort)143, (ushort)9, (byte)37),
            MethodKind.Unload => ((ushort)144, (ushort)9, (byte)38),
            MethodKind.RundownStart => ((ushort)143, (ushort)1, (byte)39),
            _ => ((ushort)144, (ushort)1, (byte)40),
        };
        var d = new EventDescriptor(id, version, 0, 4, opcode, task, JitKeyword | (rundown ? EndRundownKeyword : 0));
        w.WriteEventHeader(cpu, rundown ? Rundown : Runtime, d, pid, tid, ticks, p.Span);
    }

    /// <summary>ModuleLoad (152) / ModuleUnload (153), or rundown ModuleDCStart (153) / ModuleDCEnd (154).</summary>
    public static void Module(EtlWriter w, bool rundown, bool load, int cpu, long ticks, int pid, int tid, ClrModule m, byte version = 2)
    {
        var p = new PayloadBuilder().U64(m.ModuleId).U64(m.AssemblyId).U32(m.Flags).U32(0).Utf16Z(m.ILPath).Utf16Z("");
        if (version >= 1) p.U16(ClrInstance);
        if (version >= 2) p.Guid(Guid.Empty).U32(0).Utf16Z("").Guid(Guid.Empty).U32(0).Utf16Z("");
        ushort id = rundown ? (ushort)(load ? 153 : 154) : (ushort)(load ? 152 : 153);
        byte opcode = rundown ? (byte)(load ? 35 : 36) : (byte)(load ? 33 : 34);
        var d = new EventDescriptor(id, version, 0, 4, opcode, rundown ? (ushort)2 : (ushort)10, LoaderKeyword);
        w.WriteEventHeader(cpu, rundown ? Rundown : Runtime, d, pid, tid, ticks, p.Span);
    }

    /// <summary>Rundown DCEndInit (148) before the end rundown, DCEndComplete (146) after it.</summary>
    public static void EndRundownBracket(EtlWriter w, bool complete, int cpu, long ticks, int pid, int tid)
    {
        var p = new PayloadBuilder().U16(ClrInstance);
        var d = new EventDescriptor(complete ? (ushort)146 : (ushort)148, 1, 0, 4, complete ? (byte)15 : (byte)17, 1, EndRundownKeyword);
        w.WriteEventHeader(cpu, Rundown, d, pid, tid, ticks, p.Span);
    }

    /// <summary>MethodILToNativeMap (190): MethodID, ReJITID, extent, count, IL offsets, native offsets, ClrInstanceID.</summary>
    public static void ILToNativeMap(EtlWriter w, int cpu, long ticks, int pid, int tid, ClrMethod m)
    {
        var p = new PayloadBuilder().U64(m.MethodId).U64(m.ReJitId).U8(0).U16(2).U32(0).U32(6).U32(0).U32(m.Size / 2).U16(ClrInstance);
        var d = new EventDescriptor(190, 0, 0, 5, 87, 9, ILMapKeyword);
        w.WriteEventHeader(cpu, Runtime, d, pid, tid, ticks, p.Span);
    }
}
