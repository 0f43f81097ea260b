namespace HandleEtw.Symbols.Native.Pdb;

/// <summary>
/// The `/names` string table, found through the named-stream map of the PDB info stream (stream 1). C13 file
/// checksums name their files by offsets into it.
/// </summary>
public sealed class PdbNames
{
    private const int InfoHeaderSize = 28; // version, signature, age, guid
    private const uint Signature = 0xEFFEEFFE;
    private const int TableHeaderSize = 12;
    private readonly MsfStream? _names;
    private readonly long _end;
    private readonly Dictionary<uint, string> _cache = new();

    private PdbNames(MsfStream? names, long end)
    {
        _names = names;
        _end = end;
    }

    public static PdbNames Read(MsfFile msf)
    {
        int index = FindNamedStream(msf.Read(1), "/names");
        if (index < 0) return new PdbNames(null, 0);
        var names = msf.Read(index);
        if (names.Length < TableHeaderSize || names.U32(0) != Signature) throw names.Damaged(0, "/names without its signature");
        uint bytes = names.U32(8);
        names.Check(TableHeaderSize, bytes, "/names strings");
        return new PdbNames(names, TableHeaderSize + bytes);
    }

    /// <summary>The string at <paramref name="offset"/>; null when the PDB has no /names stream.</summary>
    public string? At(uint offset)
    {
        if (_names is null) return null;
        if (_cache.TryGetValue(offset, out var known)) return known;
        string text = _names.CString(TableHeaderSize + (long)offset, _end);
        _cache[offset] = text;
        return text;
    }

    /// <summary>The stream index the info stream's name → stream hash table gives <paramref name="name"/>; -1 if absent.</summary>
    private static int FindNamedStream(MsfStream info, string name)
    {
        long at = InfoHeaderSize;
        uint stringBytes = info.U32(at);
        long strings = at + 4;
        info.Check(strings, stringBytes, "named stream strings");
        at = strings + stringBytes;
        uint count = info.U32(at);
        uint capacity = info.U32(at + 4);
        at += 8;
        uint presentWords = info.U32(at);
        info.Check(at + 4, 4L * presentWords, "named stream bit vector");
        long present = at + 4;
        at = present + 4L * presentWords;
        uint deletedWords = info.U32(at);
        info.Check(at + 4, 4L * deletedWords, "named stream bit vector");
        at += 4 + 4L * deletedWords;
        if (count > capacity || capacity > 32L * presentWords) throw info.Damaged(at, $"named stream table of {count}/{capacity}");
        for (uint bucket = 0; bucket < capacity; bucket++)
        {
            if ((info.U32(present + 4 * (bucket / 32)) & (1u << (int)(bucket % 32))) == 0) continue;
            uint key = info.U32(at), value = info.U32(at + 4);
            at += 8;
            if (key < stringBytes && info.CString(strings + key, strings + stringBytes) == name) return (int)value;
        }
        return -1;
    }
}
