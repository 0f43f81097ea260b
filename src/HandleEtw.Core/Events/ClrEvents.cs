namespace HandleEtw.Core.Events;

/// <summary>What a .NET method event says happened to the method's native code.</summary>
public enum MethodOp : byte
{
    /// <summary>MethodLoadVerbose: code compiled (JIT, re-JIT) or restored during the trace.</summary>
    Load,
    /// <summary>MethodUnloadVerbose: the code is gone (collectible assembly or app domain unloaded).</summary>
    Unload,
    /// <summary>Rundown MethodDCStartVerbose: the code existed when the trace started.</summary>
    DCStart,
    /// <summary>Rundown MethodDCEndVerbose: the code existed when the trace ended.</summary>
    DCEnd,
    /// <summary>R2RGetEntryPoint: a ReadyToRun method's entry point was looked up (no size: named from the PDB).</summary>
    R2REntryPoint,
}

/// <summary>
/// A method event of Microsoft-Windows-DotNETRuntime (or its rundown provider): where the method's native code lies.
/// Namespace is the declaring type's full name (`System.Data.ProviderBase.DbConnectionPool`).
/// </summary>
public readonly record struct MethodEvent
{
    public MethodOp Op { get; init; }
    public long Timestamp { get; init; }
    public int ProcessId { get; init; }
    public ulong MethodId { get; init; }
    public ulong ModuleId { get; init; }
    public ulong Start { get; init; }
    public uint Size { get; init; }
    public uint Token { get; init; }
    public uint Flags { get; init; }
    public string Namespace { get; init; }
    public string Name { get; init; }
    public string Signature { get; init; }
    public ushort ClrInstanceId { get; init; }
    public ulong ReJitId { get; init; }

    public const uint DynamicFlag = 0x1, GenericFlag = 0x2, SharedGenericFlag = 0x4, JittedFlag = 0x8;

    /// <summary>Optimization tier (MethodFlags bits 7-9; 0 = unknown).</summary>
    public int Tier => (int)((Flags >> 7) & 0x7);

    /// <summary>`Namespace.Method`, or the bare name when the namespace is empty.</summary>
    public string FullName => string.IsNullOrEmpty(Namespace) ? Name ?? "" : $"{Namespace}.{Name}";
}

public enum ClrModuleOp : byte { Load, Unload, DCStart, DCEnd }

/// <summary>A ModuleLoad/ModuleUnload (or rundown ModuleDCStart/DCEnd) event: which file a module id stands for.</summary>
public readonly record struct ClrModuleEvent
{
    public ClrModuleOp Op { get; init; }
    public long Timestamp { get; init; }
    public int ProcessId { get; init; }
    public ulong ModuleId { get; init; }
    public ulong AssemblyId { get; init; }
    public uint Flags { get; init; }
    public string ILPath { get; init; }
    public string NativePath { get; init; }

    public const uint ReadyToRunFlag = 0x20;
}

/// <summary>Rundown brackets (DCStartInit/Complete, DCEndInit/Complete) and IL-to-native maps: counted, so a
/// rundown that began and never completed is visible.</summary>
public enum ClrNoteKind : byte { StartInit, StartComplete, EndInit, EndComplete, ILToNativeMap }

public readonly record struct ClrNoteEvent
{
    public ClrNoteKind Kind { get; init; }
    public long Timestamp { get; init; }
    public int ProcessId { get; init; }

    /// <summary>ILToNativeMap only: the method and how many IL/native offset pairs it maps.</summary>
    public ulong MethodId { get; init; }
    public ulong ReJitId { get; init; }
    public int MapEntries { get; init; }
}
