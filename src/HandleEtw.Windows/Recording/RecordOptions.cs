using HandleEtw.Core.Tracking;
using HandleEtw.Core.Triggers;
using HandleEtw.Etl.Writing;

namespace HandleEtw.Windows.Recording;

/// <summary>`handleetw record` options, parsed.</summary>
public sealed record RecordOptions
{
    public string? ProcessName { get; init; }
    public int? ProcessId { get; init; }
    public TimeSpan? Duration { get; init; }
    public string? OutputPath { get; init; }
    public string? EtlPath { get; init; }

    /// <summary>--roll: write the raw records to a sequence of .etl files named after <see cref="EtlPath"/>.</summary>
    public RollPolicy? Roll { get; init; }
    /// <summary>--ring: keep the last this many bytes of raw records in memory and write them out at a trigger and at the end.</summary>
    public long? Ring { get; init; }

    /// <summary>--trigger: conditions on the live tables that write a ring capture.</summary>
    public IReadOnlyList<TriggerSpec> Triggers { get; init; } = [];

    /// <summary>--trigger-count: captures by trigger before the run ends.</summary>
    public int TriggerCount { get; init; } = 1;

    /// <summary>--preset: how the session is set up (full: every stack; long: create/duplicate stacks, cached).</summary>
    public RecordPreset Preset { get; init; } = RecordPreset.Full;

    /// <summary>--types: keep only these object types (in-process always; the kernel filter where it is available).</summary>
    public ObjectTypeSelection? Types { get; init; }

    public TimeSpan? SnapshotEvery { get; init; }

    /// <summary>--gdi / --user: also GDI and USER handle events (Win32k provider, with stacks).</summary>
    public bool Gdi { get; init; }
    public bool User { get; init; }
    public bool Force { get; init; }
    public bool Verbose { get; init; }

    /// <summary>Stop (and fail) when no handle event arrived in this long; a warning comes at a third of it.</summary>
    public TimeSpan NoHandleEventsLimit { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Write the end-of-run summary as one JSON document (docs/json.md) instead of text.</summary>
    public bool Json { get; init; }

    /// <summary>The .NET runtime provider while recording and its rundown at the stop (`--no-clr`, `--no-clr-rundown`).</summary>
    public ClrCapture Clr { get; init; } = new();

    /// <summary>How many leak groups the end-of-run summary lists.</summary>
    public int TopLeaks { get; init; } = 10;
}

/// <summary>Where the recorder writes and reads keys. Status goes to <see cref="Error"/> only when it is a terminal.</summary>
public sealed record RecordingIo(TextWriter Out, TextWriter Error, bool ErrorIsTerminal, IKeyReader? Keys = null);

/// <summary>Non-blocking key input (the `s` snapshot key).</summary>
public interface IKeyReader
{
    char? TryReadKey();
}

public sealed class ConsoleKeyReader : IKeyReader
{
    public char? TryReadKey() =>
        !Console.IsInputRedirected && Console.KeyAvailable ? Console.ReadKey(intercept: true).KeyChar : null;
}
