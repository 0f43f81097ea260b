using HandleEtw.Core.Events;
using HandleEtw.Core.Records;

namespace HandleEtw.Etl.Decoding;

/// <summary>
/// Method and module events of the .NET runtime (Microsoft-Windows-DotNETRuntime) and its rundown provider, EVENT_HEADER
/// manifest events, versions 0-2 (layouts: ClrEtwAll.man, templates MethodLoadUnloadVerbose*, ModuleLoadUnload*,
/// MethodILToNativeMap, DCStartEnd; R2RGetEntryPoint as TraceEvent decodes it). Every id field is 8 bytes whatever
/// the process's pointer size; strings are NUL-terminated UTF-16 and must be terminated inside the payload.
/// </summary>
public static class ClrPayloads
{
    public static readonly Guid RuntimeProvider = new("e13c0d23-ccbc-4e12-931b-d9cc2eee27e4");
    public static readonly Guid RundownProvider = new("a669021c-c450-4609-a035-5af59af4df18");

    // Runtime provider event ids.
    public const ushort MethodLoadVerbose = 143, MethodUnloadVerbose = 144, ModuleLoad = 152, ModuleUnload = 153,
        R2RGetEntryPoint = 159, MethodILToNativeMap = 190;

    // Rundown provider event ids.
    public const ushort MethodDCStartVerbose = 143, MethodDCEndVerbose = 144, DCStartComplete = 145, DCEndComplete = 146,
        DCStartInit = 147, DCEndInit = 148, MethodDCStartILToNativeMap = 149, MethodDCEndILToNativeMap = 150,
        ModuleDCStart = 153, ModuleDCEnd = 154;

    public enum Kind : byte { None, Method, Module, Note }

    /// <summary>Which of the decoded kinds a record is (None for every other record).</summary>
    public static Kind Classify(in EventRecord r)
    {
        if (r.IsKernel || r.Header != HeaderKind.EventHeader) return Kind.None;
        Guid provider = r.ProviderId;
        if (provider == RuntimeProvider)
            return r.EventId switch
            {
                MethodLoadVerbose or MethodUnloadVerbose or R2RGetEntryPoint => Kind.Method,
                ModuleLoad or ModuleUnload => Kind.Module,
                MethodILToNativeMap => Kind.Note,
                _ => Kind.None,
            };
        if (provider == RundownProvider)
            return r.EventId switch
            {
                MethodDCStartVerbose or MethodDCEndVerbose => Kind.Method,
                ModuleDCStart or ModuleDCEnd => Kind.Module,
                >= DCStartComplete and <= MethodDCEndILToNativeMap => Kind.Note,
                _ => Kind.None,
            };
        return Kind.None;
    }

    private static bool IsRundown(in EventRecord r) => r.ProviderId == RundownProvider;

    public static bool TryReadMethod(in EventRecord r, out MethodEvent e)
    {
        e = default;
        var reader = new PayloadReader(r.Payload, 8);
        if (!IsRundown(r) && r.EventId == R2RGetEntryPoint) return TryReadEntryPoint(r, ref reader, out e);
        ulong methodId = reader.ReadUInt64(), moduleId = reader.ReadUInt64(), start = reader.ReadUInt64();
        uint size = reader.ReadUInt32(), token = reader.ReadUInt32(), flags = reader.ReadUInt32();
        if (!ReadString(ref reader, out string ns) || !ReadString(ref reader, out string name)
            || !ReadString(ref reader, out string signature)) return false;
        ushort clr = r.Version >= 1 ? reader.ReadUInt16() : (ushort)0;
        ulong rejit = r.Version >= 2 ? reader.ReadUInt64() : 0;
        if (reader.Failed) return false;
        MethodOp op = (IsRundown(r), r.EventId) switch
        {
            (false, MethodLoadVerbose) => MethodOp.Load,
            (false, _) => MethodOp.Unload,
            (true, MethodDCStartVerbose) => MethodOp.DCStart,
            _ => MethodOp.DCEnd,
        };
        e = new MethodEvent
        {
            Op = op, Timestamp = r.Timestamp, ProcessId = r.ProcessId, MethodId = methodId, ModuleId = moduleId,
            Start = start, Size = size, Token = token, Flags = flags, Namespace = ns, Name = name, Signature = signature,
            ClrInstanceId = clr, ReJitId = rejit,
        };
        return true;
    }

    /// <summary>R2RGetEntryPoint: MethodID u64, MethodNamespace, MethodName, MethodSignature, EntryPoint u64, ClrInstanceID u16.</summary>
    private static bool TryReadEntryPoint(in EventRecord r, ref PayloadReader reader, out MethodEvent e)
    {
        e = default;
        ulong methodId = reader.ReadUInt64();
        if (!ReadString(ref reader, out string ns) || !ReadString(ref reader, out string name)
            || !ReadString(ref reader, out string signature)) return false;
        ulong entry = reader.ReadUInt64();
        ushort clr = reader.ReadUInt16();
        if (reader.Failed) return false;
        e = new MethodEvent
        {
            Op = MethodOp.R2REntryPoint, Timestamp = r.Timestamp, ProcessId = r.ProcessId, MethodId = methodId,
            Start = entry, Namespace = ns, Name = name, Signature = signature, ClrInstanceId = clr,
        };
        return true;
    }

    /// <summary>ModuleLoadUnload v0-v2 (rundown: ModuleLoadUnloadRundown, same layout): ModuleID, AssemblyID, ModuleFlags,
    /// Reserved1, ModuleILPath, ModuleNativePath, then (v1) ClrInstanceID and (v2) the PDB identities, not needed here.</summary>
    public static bool TryReadModule(in EventRecord r, out ClrModuleEvent e)
    {
        e = default;
        var reader = new PayloadReader(r.Payload, 8);
        ulong moduleId = reader.ReadUInt64(), assemblyId = reader.ReadUInt64();
        uint flags = reader.ReadUInt32();
        reader.Skip(4);
        if (!ReadString(ref reader, out string ilPath) || !ReadString(ref reader, out string nativePath)) return false;
        if (r.Version >= 1) reader.ReadUInt16();
        if (reader.Failed) return false;
        ClrModuleOp op = (IsRundown(r), r.EventId) switch
        {
            (false, ModuleLoad) => ClrModuleOp.Load,
            (false, _) => ClrModuleOp.Unload,
            (true, ModuleDCStart) => ClrModuleOp.DCStart,
            _ => ClrModuleOp.DCEnd,
        };
        e = new ClrModuleEvent
        {
            Op = op, Timestamp = r.Timestamp, ProcessId = r.ProcessId, ModuleId = moduleId, AssemblyId = assemblyId,
            Flags = flags, ILPath = ilPath, NativePath = nativePath,
        };
        return true;
    }

    /// <summary>Rundown brackets (DCStartEnd: ClrInstanceID; v0 empty) and MethodILToNativeMap (rundown: 149/150, same
    /// layout): MethodID, ReJITID,
    /// MethodExtent u8, CountOfMapEntries u16, ILOffsets u32[n], NativeOffsets u32[n], ClrInstanceID.</summary>
    public static bool TryReadNote(in EventRecord r, out ClrNoteEvent e)
    {
        e = default;
        if (IsRundown(r) && r.EventId <= DCEndInit)
        {
            ClrNoteKind kind = r.EventId switch
            {
                DCStartComplete => ClrNoteKind.StartComplete,
                DCEndComplete => ClrNoteKind.EndComplete,
                DCStartInit => ClrNoteKind.StartInit,
                _ => ClrNoteKind.EndInit,
            };
            e = new ClrNoteEvent { Kind = kind, Timestamp = r.Timestamp, ProcessId = r.ProcessId };
            return true;
        }
        var reader = new PayloadReader(r.Payload, 8);
        ulong methodId = reader.ReadUInt64(), rejit = reader.ReadUInt64();
        reader.ReadByte();
        int entries = reader.ReadUInt16();
        reader.Skip(entries * 8); // the two offset arrays; checked against the payload, nothing allocated
        reader.ReadUInt16();
        if (reader.Failed) return false;
        e = new ClrNoteEvent
        {
            Kind = ClrNoteKind.ILToNativeMap, Timestamp = r.Timestamp, ProcessId = r.ProcessId, MethodId = methodId,
            ReJitId = rejit, MapEntries = entries,
        };
        return true;
    }

    /// <summary>A string that ends inside the payload; an unterminated one is damage.</summary>
    private static bool ReadString(ref PayloadReader reader, out string value)
    {
        int before = reader.Remaining;
        value = reader.ReadUtf16String();
        return !reader.Failed && before - reader.Remaining == (value.Length + 1) * 2;
    }
}
