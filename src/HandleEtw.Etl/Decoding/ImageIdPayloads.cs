using HandleEtw.Core.Events;
using HandleEtw.Core.Records;

namespace HandleEtw.Etl.Decoding;

/// <summary>KernelTraceControl ImageID events (FULL headers written when a trace is merged): the PDB identity.</summary>
public static class ImageIdPayloads
{
    /// <summary>KernelTraceControl task "ImageID".</summary>
    public static readonly Guid ImageIdTask = new("b3e675d7-2554-4f18-830b-2762732560de");

    public const byte DbgIdRsds = 0x24;

    public static bool IsRsds(in EventRecord r) =>
        !r.IsKernel && r.Opcode == DbgIdRsds && r.ProviderId == ImageIdTask;

    /// <summary>DbgID_RSDS: ImageBase ptr; ProcessId u32; GuidSig; Age u32; PdbFileName ANSI z.</summary>
    public static bool TryReadRsds(in EventRecord r, out ImageIdentity e)
    {
        e = default;
        if (!IsRsds(r)) return false;
        var reader = new PayloadReader(r.Payload, r.PointerSize);
        ulong imageBase = reader.ReadPointer();
        int pid = reader.ReadInt32();
        Guid guid = reader.ReadGuid();
        int age = reader.ReadInt32();
        if (reader.Failed) return false;
        string pdb = reader.ReadAnsiString();
        e = new ImageIdentity
        {
            Timestamp = r.Timestamp, ProcessId = pid, ImageBase = imageBase, PdbGuid = guid, PdbAge = age, PdbName = pdb,
        };
        return true;
    }
}
