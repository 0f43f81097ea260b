namespace HandleEtw.Symbols;

public enum PdbFormat { Native, Portable }

/// <summary>What a PDB file says it is: the guid + age an image's CodeView record must name to use it.</summary>
public sealed record PdbIdentity(Guid Guid, int Age, PdbFormat Format)
{
    /// <summary>Native PDBs match on guid and age; portable PDBs carry no age (images record 1), so the guid decides.</summary>
    public bool Matches(Guid guid, int age) => Guid == guid && (Format == PdbFormat.Portable || Age == age);
}
