using HandleEtw.Synthetic.Etl;

namespace HandleEtw.Synthetic.Scenarios;

/// <summary>How a script is written out.</summary>
public sealed record ScriptOptions
{
    public EtlWriterOptions Writer { get; init; } = new();
    public StackMode Stacks { get; init; } = StackMode.Fragments;
    public int StackCacheSize { get; init; } = 256;
    public StackCacheEviction StackCacheEviction { get; init; } = StackCacheEviction.Lru;

    /// <summary>Type rundown (TypeDCStart) at the start and TypeDCEnd at the end.</summary>
    public bool TypeRundown { get; init; } = true;

    /// <summary>HandleDCStart for handles open before the first operation.</summary>
    public bool HandleRundownAtStart { get; init; }

    /// <summary>HandleDCEnd for handles still open at the end.</summary>
    public bool HandleRundownAtEnd { get; init; }

    /// <summary>Process/Thread/Image DCEnd at the end.</summary>
    public bool ProcessRundownAtEnd { get; init; } = true;

    /// <summary>.NET end rundown (DCEndInit, MethodDCEndVerbose, ModuleDCEnd, DCEndComplete) for running processes.</summary>
    public bool ClrRundownAtEnd { get; init; } = true;

    /// <summary>Version of the .NET method and module events written (0-2: the manifest's layouts).</summary>
    public byte ClrEventVersion { get; init; } = 2;

    /// <summary>Win32k (GDI/USER) events: EVENT_HEADER32 with 4-byte handle values, or EVENT_HEADER64.</summary>
    public int Win32kPointerSize { get; init; } = 8;

    /// <summary>STACK_TRACE32 (4) or STACK_TRACE64 (8) items on Win32k events; null: the header's pointer size.</summary>
    public int? Win32kStackItemSize { get; init; }

    /// <summary>Descriptor version of the Win32k events (0 in the manifest).</summary>
    public byte Win32kEventVersion { get; init; }

    public HandleHeader HandleHeader { get; init; } = HandleHeader.System;

    /// <summary>Logical time between two operations (100-ns ticks).</summary>
    public long Step { get; init; } = 100;
}
