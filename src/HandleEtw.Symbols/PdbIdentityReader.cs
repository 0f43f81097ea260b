using System.Reflection.Metadata;
using HandleEtw.Core.Records;
using HandleEtw.Symbols.Native.Pdb;

namespace HandleEtw.Symbols;

/// <summary>
/// Reads only the identity of a PDB file: for native (MSF) PDBs the guid and age in the PDB info stream, for portable
/// PDBs the id in the #Pdb metadata stream. Symbols themselves are read by the symbolizer back ends.
/// </summary>
public static class PdbIdentityReader
{
    private const int SuperBlockSize = 56;
    private const int InfoStreamIndex = 1;
    private const int InfoHeaderSize = 28; // version, signature, age, guid

    /// <exception cref="TraceFormatException">The file is neither a native nor a portable PDB, or is damaged.</exception>
    public static PdbIdentity Read(string path)
    {
        using (var file = File.OpenRead(path))
        {
            Span<byte> head = stackalloc byte[SuperBlockSize];
            int got = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            if (got >= 4 && head[..4].SequenceEqual("BSJB"u8)) return ReadPortable(file);
            if (!MsfFile.HasMagic(head[..got]))
                throw new TraceFormatException($"{path}: not a PDB (no MSF 7.00 or portable PDB signature)", 0);
        }
        return ReadNative(path);
    }

    private static PdbIdentity ReadPortable(FileStream file)
    {
        file.Position = 0;
        try
        {
            using var provider = MetadataReaderProvider.FromPortablePdbStream(file, MetadataStreamOptions.LeaveOpen);
            var header = provider.GetMetadataReader().DebugMetadataHeader
                ?? throw new TraceFormatException($"{file.Name}: portable PDB without a #Pdb stream", 0);
            var id = header.Id;
            if (id.Length < 16) throw new TraceFormatException($"{file.Name}: portable PDB id is {id.Length} bytes", 0);
            return new PdbIdentity(new Guid(id.AsSpan(0, 16)), 1, PdbFormat.Portable);
        }
        catch (BadImageFormatException e)
        {
            throw new TraceFormatException($"{file.Name}: damaged portable PDB: {e.Message}", 0);
        }
    }

    private static PdbIdentity ReadNative(string path)
    {
        using var msf = MsfFile.Open(path);
        var info = msf.Read(InfoStreamIndex);
        if (info.Length < InfoHeaderSize) throw info.Damaged(0, "PDB info stream too short");
        return new PdbIdentity(new Guid(info.Bytes(12, 16)), (int)info.U32(8), PdbFormat.Native);
    }
}
