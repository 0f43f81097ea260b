namespace HandleEtw.Synthetic.Etl;

/// <summary>
/// Typed kernel events over an <see cref="EtlWriter"/>: builds each payload (etl-format.md §3.2-§3.8) into one
/// reusable buffer and picks the header kind Windows uses (SYSTEM for live events, PERFINFO for rundown and stack
/// walks). Pointer size is per event: 4 gives SYSTEM32/PERFINFO32 records with 4-byte pointers.
/// </summary>
public sealed class KernelEventWriter(EtlWriter writer)
{
    public const byte ProcessVersion = 4, ThreadVersion = 3, ImageVersion = 3, ObjectVersion = 2, DuplicateVersion = 3, StackVersion = 2;

    private readonly PayloadBuilder _p = new();

    public EtlWriter Writer { get; } = writer;
    public int Cpus => Writer.Options.Processors;

    /// <summary>The trace's pointer size: records that belong to no process (rundowns, stack keys) use it.</summary>
    public int TracePointerSize => Writer.Options.PointerSize;

    /// <summary>Start/Stop carry the logging thread in the header; DCStart/DCEnd are PERFINFO rundown records.</summary>
    public void Process(LifeEvent kind, int cpu, long ticks, ProcessInfo process, int headerPid, int headerTid)
    {
        int ptr = process.PointerSize;
        _p.Clear().Ptr(process.UniqueProcessKey, ptr).U32((uint)process.Pid).U32((uint)process.ParentPid)
            .U32((uint)process.SessionId).I32(kind == LifeEvent.Stop ? process.ExitStatus : 0x103)
            .Ptr(process.DirectoryTableBase, ptr).U32(0);
        WriteTokenUser(process);
        _p.AnsiZ(process.ImageFileName).Utf16Z(process.CommandLine).Utf16Z("").Utf16Z("");
        Emit(kind, (ushort)(0x0300 | (byte)kind), ProcessVersion, cpu, ticks, headerPid, headerTid, ptr);
    }

    /// <summary>Thread v3: ids, 7 pointers (stacks, affinity, start address, TEB), tag and priorities.</summary>
    public void Thread(LifeEvent kind, int cpu, long ticks, int pid, int tid, ulong startAddress, int headerPid, int headerTid, int pointerSize = 8)
    {
        ulong stack = 0xFFFF_D000_0000_0000UL + (ulong)tid * 0x10000;
        ulong user = 0x0000_00A0_0000_0000UL + (ulong)tid * 0x100000;
        _p.Clear().U32((uint)pid).U32((uint)tid)
            .Ptr(stack, pointerSize).Ptr(stack - 0x6000, pointerSize)
            .Ptr(user, pointerSize).Ptr(user - 0x80000, pointerSize)
            .Ptr(0xFF, pointerSize).Ptr(startAddress, pointerSize).Ptr(0x0000_00B0_0000_0000UL + (ulong)tid * 0x2000, pointerSize)
            .U32(0).U8(8).U8(5).U8(2).U8(0);
        Emit(kind, (ushort)(0x0500 | (byte)kind), ThreadVersion, cpu, ticks, headerPid, headerTid, pointerSize);
    }

    /// <summary>Image v3. Load uses hook 0x030A with the loading thread in the header; Unload 0x1402;
    /// DCStart/DCEnd are PERFINFO records 0x1403/0x1404.</summary>
    public void Image(LifeEvent kind, int cpu, long ticks, int pid, ImageInfo image, int headerPid, int headerTid, int pointerSize = 8)
    {
        _p.Clear().Ptr(image.Base, pointerSize).Ptr(image.Size, pointerSize).U32((uint)pid).U32(image.Checksum)
            .U32(image.TimeDateStamp).U8(12).U8(1).U16(0).Ptr(image.Base, pointerSize)
            .U32(0).U32(0).U32(0).U32(0).Utf16Z(image.FileName);
        ushort hook = kind switch
        {
            LifeEvent.Start => Hooks.ImageLoad,
            LifeEvent.Stop => Hooks.ImageUnload,
            _ => (ushort)(0x1400 | (byte)kind),
        };
        Emit(kind, hook, ImageVersion, cpu, ticks, headerPid, headerTid, pointerSize);
    }

    /// <summary>CreateHandle (32) / CloseHandle (33): Object, Handle, ObjectType, ObjectName (empty unless named).</summary>
    public void Handle(bool create, int cpu, long ticks, int pid, int tid, ulong obj, uint handle, ushort type, string name = "",
        int pointerSize = 8, HandleHeader header = HandleHeader.System)
    {
        _p.Clear().Ptr(obj, pointerSize).U32(handle).U16(type).Utf16Z(name);
        Live(create ? Hooks.CreateHandle : Hooks.CloseHandle, ObjectVersion, cpu, ticks, pid, tid, pointerSize, header);
    }

    /// <summary>DuplicateHandle v3, packed: Object, SourceHandle, TargetHandle, TargetProcessId, ObjectType, SourceProcessId.</summary>
    public void Duplicate(int cpu, long ticks, int pid, int tid, ulong obj, uint sourceHandle, uint targetHandle, int targetPid,
        ushort type, int sourcePid, int pointerSize = 8, HandleHeader header = HandleHeader.System)
    {
        _p.Clear().Ptr(obj, pointerSize).U32(sourceHandle).U32(targetHandle).U32((uint)targetPid).U16(type).U32((uint)sourcePid);
        Live(Hooks.DuplicateHandle, DuplicateVersion, cpu, ticks, pid, tid, pointerSize, header);
    }

    /// <summary>TypeDCStart (36) / TypeDCEnd (37): ObjectType, Reserved, TypeName.</summary>
    public void TypeRundown(bool start, int cpu, long ticks, ushort type, string name)
    {
        _p.Clear().U16(type).U16(0).Utf16Z(name);
        Writer.WritePerfInfo(cpu, start ? Hooks.TypeDCStart : Hooks.TypeDCEnd, ObjectVersion, ticks, _p.Span, TracePointerSize);
    }

    /// <summary>HandleDCStart (38) / HandleDCEnd (39): Object, ProcessId, Handle, ObjectType, ObjectName.</summary>
    public void HandleRundown(bool start, int cpu, long ticks, ulong obj, int pid, uint handle, ushort type, string name = "")
    {
        _p.Clear().Ptr(obj, TracePointerSize).U32((uint)pid).U32(handle).U16(type).Utf16Z(name);
        Writer.WritePerfInfo(cpu, start ? Hooks.HandleDCStart : Hooks.HandleDCEnd, ObjectVersion, ticks, _p.Span, TracePointerSize);
    }

    /// <summary>StackWalk Stack (32): EventTimeStamp (raw), StackProcess, StackThread, frames innermost first.</summary>
    public void Stack(int cpu, long ticks, long targetTicks, int pid, int tid, ReadOnlySpan<ulong> frames, int pointerSize = 8)
    {
        _p.Clear().U64((ulong)Writer.ToRaw(targetTicks)).U32((uint)pid).U32((uint)tid);
        foreach (ulong frame in frames) _p.Ptr(frame, pointerSize);
        Writer.WritePerfInfo(cpu, Hooks.StackWalk, StackVersion, ticks, _p.Span, pointerSize);
    }

    /// <summary>StackKeyKernel (37) / StackKeyUser (38): EventTimeStamp, PID, TID, StackKey.</summary>
    public void StackKey(bool kernel, int cpu, long ticks, long targetTicks, int pid, int tid, ulong key, int pointerSize = 8)
    {
        _p.Clear().U64((ulong)Writer.ToRaw(targetTicks)).U32((uint)pid).U32((uint)tid).Ptr(key, pointerSize);
        Writer.WritePerfInfo(cpu, kernel ? Hooks.StackKeyKernel : Hooks.StackKeyUser, StackVersion, ticks, _p.Span, pointerSize);
    }

    /// <summary>KeyDelete (35) on eviction or KeyRundown (36) at the end: StackKey then frames.</summary>
    public void StackKeyDefinition(bool rundown, int cpu, long ticks, ulong key, ReadOnlySpan<ulong> frames, int pointerSize = 8)
    {
        _p.Clear().Ptr(key, pointerSize);
        foreach (ulong frame in frames) _p.Ptr(frame, pointerSize);
        Writer.WritePerfInfo(cpu, rundown ? Hooks.StackKeyRundown : Hooks.StackKeyDelete, StackVersion, ticks, _p.Span, pointerSize);
    }

    /// <summary>KernelTraceControl DbgID_RSDS as a FULL_HEADER64 record: ImageBase, ProcessId, GuidSig, Age, PdbFileName.</summary>
    public void DbgIdRsds(int cpu, long ticks, int pid, ulong imageBase, PdbIdentity pdb)
    {
        _p.Clear().Ptr(imageBase, TracePointerSize).U32((uint)pid).Guid(pdb.Signature).U32(pdb.Age).AnsiZ(pdb.PdbPath);
        Writer.WriteFull(cpu, EtlGuids.ImageIdTask, EtlGuids.DbgIdRsdsOpcode, 2, pid, -1, ticks, _p.Span, TracePointerSize);
    }

    /// <summary>A lost-event record (task LostEvent, opcode 32) as an EVENT_HEADER64 record; flags the buffer too.</summary>
    public void LostEvents(int cpu, long ticks)
    {
        var descriptor = new EventDescriptor(0, 0, 0, 4, EtlGuids.LostEventOpcode, 0, 0);
        Writer.WriteEventHeader(cpu, EtlGuids.LostEventTask, descriptor, -1, -1, ticks, ReadOnlySpan<byte>.Empty);
        Writer.MarkEventsLost(cpu);
    }

    private void Emit(LifeEvent kind, ushort hook, byte version, int cpu, long ticks, int pid, int tid, int pointerSize)
    {
        if (kind is LifeEvent.DCStart or LifeEvent.DCEnd) Writer.WritePerfInfo(cpu, hook, version, ticks, _p.Span, pointerSize);
        else Writer.WriteSystem(cpu, hook, version, pid, tid, ticks, _p.Span, pointerSize);
    }

    private void Live(ushort hook, byte version, int cpu, long ticks, int pid, int tid, int pointerSize, HandleHeader header)
    {
        if (header == HandleHeader.Compact) Writer.WriteCompact(cpu, hook, version, pid, tid, ticks, _p.Span, pointerSize);
        else Writer.WriteSystem(cpu, hook, version, pid, tid, ticks, _p.Span, pointerSize);
    }

    /// <summary>TOKEN_USER {PSID Sid; DWORD Attributes} (2P bytes) then the SID itself.</summary>
    private void WriteTokenUser(ProcessInfo process)
    {
        int ptr = process.PointerSize;
        _p.Ptr(process.UniqueProcessKey + 0x488, ptr).U32(0);
        if (ptr == 8) _p.U32(0);
        uint[] sub = process.SidSubAuthorities;
        _p.U8(1).U8((byte)sub.Length).U8(0).U8(0).U8(0).U8(0).U8(0).U8(5);
        foreach (uint s in sub) _p.U32(s);
    }
}
