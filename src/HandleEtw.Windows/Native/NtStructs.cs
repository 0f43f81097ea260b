using System.Runtime.InteropServices;

namespace HandleEtw.Windows.Native;

/// <summary>SYSTEM_HANDLE_TABLE_ENTRY_INFO_EX (40 bytes; windows-live.md §4.1).</summary>
[StructLayout(LayoutKind.Explicit, Size = 40)]
public struct SystemHandleTableEntryInfoEx
{
    [FieldOffset(0x00)] public ulong Object;
    [FieldOffset(0x08)] public ulong UniqueProcessId;
    [FieldOffset(0x10)] public ulong HandleValue;
    [FieldOffset(0x18)] public uint GrantedAccess;
    [FieldOffset(0x1C)] public ushort CreatorBackTraceIndex;
    [FieldOffset(0x1E)] public ushort ObjectTypeIndex;
    [FieldOffset(0x20)] public uint HandleAttributes;
    [FieldOffset(0x24)] public uint Reserved;

    /// <summary>Header before the entries: NumberOfHandles, Reserved (two ULONG_PTRs).</summary>
    public const int ListHeaderSize = 16;
}

/// <summary>UNICODE_STRING (16 bytes on x64).</summary>
[StructLayout(LayoutKind.Explicit, Size = 16)]
public struct UnicodeStringNative
{
    [FieldOffset(0)] public ushort Length;
    [FieldOffset(2)] public ushort MaximumLength;
    [FieldOffset(8)] public ulong Buffer;
}

/// <summary>OBJECT_TYPE_INFORMATION (104 bytes; windows-live.md §4.2). The name's characters follow the struct.</summary>
[StructLayout(LayoutKind.Explicit, Size = 104)]
public struct ObjectTypeInformation
{
    [FieldOffset(0)] public UnicodeStringNative TypeName;
    [FieldOffset(16)] public uint TotalNumberOfObjects;
    [FieldOffset(20)] public uint TotalNumberOfHandles;
    [FieldOffset(68)] public uint GenericRead;
    [FieldOffset(84)] public uint ValidAccessMask;
    [FieldOffset(88)] public byte SecurityRequired;
    [FieldOffset(89)] public byte MaintainHandleCount;
    [FieldOffset(90)] public byte TypeIndex;
    [FieldOffset(91)] public byte ReservedByte;
    [FieldOffset(92)] public uint PoolType;
    [FieldOffset(96)] public uint DefaultPagedPoolCharge;
    [FieldOffset(100)] public uint DefaultNonPagedPoolCharge;
}

/// <summary>LUID_AND_ATTRIBUTES inside a one-entry TOKEN_PRIVILEGES (16 bytes).</summary>
[StructLayout(LayoutKind.Explicit, Size = 16)]
public struct TokenPrivilegesOne
{
    [FieldOffset(0)] public uint PrivilegeCount;
    [FieldOffset(4)] public uint LuidLow;
    [FieldOffset(8)] public int LuidHigh;
    [FieldOffset(12)] public uint Attributes;
}
