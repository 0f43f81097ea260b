namespace HandleEtw.Synthetic.Etl;

/// <summary>What a Process event says about a process (Process v4 payload, etl-format.md §3.3).</summary>
public sealed record ProcessInfo(int Pid, int ParentPid, string ImageFileName, string CommandLine)
{
    public int SessionId { get; init; } = 1;
    public int ExitStatus { get; init; } = 0x103; // STILL_ACTIVE until the process stops
    public int PointerSize { get; init; } = 8;
    public ulong UniqueProcessKey { get; init; } = 0xFFFF_A000_0000_0000UL + (ulong)Pid * 0x1000;
    public ulong DirectoryTableBase { get; init; } = 0x1_0000_0000UL + (ulong)Pid * 0x2000;

    /// <summary>Sub-authorities of the user SID (S-1-5-...); S-1-5-21-…-1001 by default, S-1-5-18 for SYSTEM.</summary>
    public uint[] SidSubAuthorities { get; init; } = [21, 3623811015, 3361044348, 30300820, 1001];
}

/// <summary>An image as Image events describe it (Image v3, etl-format.md §3.5).</summary>
public sealed record ImageInfo(ulong Base, ulong Size, string FileName)
{
    public uint Checksum { get; init; } = 0x0001_F00D;
    public uint TimeDateStamp { get; init; } = 0x65A1_B2C3;
}

public enum LifeEvent : byte
{
    Start = 1,
    Stop = 2,
    DCStart = 3,
    DCEnd = 4,
}

/// <summary>Framing used for handle Create/Close/Duplicate records.</summary>
public enum HandleHeader : byte
{
    System,
    Compact,
}

/// <summary>A PDB identity (KernelTraceControl DbgID_RSDS).</summary>
public sealed record PdbIdentity(Guid Signature, uint Age, string PdbPath);
