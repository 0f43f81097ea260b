namespace HandleEtw.Core.Stacks;

/// <summary>
/// One loaded image and the PDB it needs: where it was mapped and the identity (guid + age) its debug directory
/// names. <see cref="PdbName"/> is null when neither the trace nor the image file said which PDB it was built with.
/// </summary>
public sealed record ModuleIdentity(string Path, ulong Base, ulong Size, Guid PdbGuid, int PdbAge, string? PdbName)
{
    public bool HasPdbIdentity => PdbName is not null && PdbGuid != Guid.Empty;

    /// <summary>File name without directories, as frames print it (`ntdll.dll`).</summary>
    public string FileName => FileNameOf(Path);

    /// <summary>The name frames print, without extension (`ntdll`): see <see cref="FrameText"/>.</summary>
    public string ModuleName => FrameText.ModuleName(Path);

    /// <summary>The symbol-store key: GUID as 32 upper-case hex digits followed by the age in hex.</summary>
    public string PdbKey => FormatPdbKey(PdbGuid, PdbAge);

    /// <summary>`name.pdb {guid} age N`, the way warnings name a PDB identity.</summary>
    public string DescribePdb() => DescribePdb(PdbName ?? "?", PdbGuid, PdbAge);

    public static string DescribePdb(string name, Guid guid, int age) => $"{name} {{{guid:D}}} age {age}";

    public static string FormatPdbKey(Guid guid, int age) => guid.ToString("N").ToUpperInvariant() + age.ToString("X");

    /// <summary>Last path component for either separator (trace paths are Windows paths).</summary>
    public static string FileNameOf(string path)
    {
        int cut = path.LastIndexOfAny(['\\', '/']);
        return cut < 0 ? path : path[(cut + 1)..];
    }
}
