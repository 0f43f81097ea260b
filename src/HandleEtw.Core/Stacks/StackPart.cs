namespace HandleEtw.Core.Stacks;

/// <summary>
/// One half (kernel or user) of an event's stack as the stack join knows it: nothing, an interned frame sequence, or
/// a pending part whose frames arrive later (a cached stack key resolved by KeyDelete/KeyRundown, or a user fragment
/// still to come when the thread leaves the kernel).
/// </summary>
public readonly record struct StackPart
{
    // 0 = none; > 0 = interned part id + 1; < 0 = pending part index, as -(index + 1).
    private readonly int _value;

    private StackPart(int value) => _value = value;

    public static StackPart None => default;

    /// <summary>A fragment interned by <see cref="StackTable.InternPart"/>.</summary>
    public static StackPart Frames(int partId) =>
        partId >= 0 ? new StackPart(partId + 1) : throw new ArgumentOutOfRangeException(nameof(partId));

    internal static StackPart Pending(int index) => new(-(index + 1));

    public bool IsNone => _value == 0;
    public bool IsFrames => _value > 0;
    public bool IsPending => _value < 0;

    /// <summary>The interned part id when <see cref="IsFrames"/>, else -1.</summary>
    public int StackId => _value > 0 ? _value - 1 : -1;

    internal int PendingIndex => _value < 0 ? -_value - 1 : -1;

    /// <summary>The encoded value, as a cache key part.</summary>
    internal uint Raw => (uint)_value;
}
