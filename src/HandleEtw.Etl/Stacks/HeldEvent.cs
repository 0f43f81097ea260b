using System.Runtime.CompilerServices;
using HandleEtw.Core.Events;
using HandleEtw.Core.Stacks;

namespace HandleEtw.Etl.Stacks;

internal enum HeldKind : byte { Handle, Process, Thread, Image, ImageIdentity, ObjectType, Loss, Method, ClrModule, ClrNote, Segment, GuiHandle, Skipped }

/// <summary>A decoded event waiting in the delay queue for its stack records, with the stack parts seen so far.</summary>
internal struct HeldEvent
{
    public HeldKind Kind;
    public HandleEvent Handle;

    /// <summary>The decoded event of the rarer kinds, boxed (process, thread, image, identity, loss, object type):
    /// keeps the queue slot small for the hot handle path.</summary>
    public object? Other;

    public long HistorySerial;
    public StackPart Kernel;
    public StackPart User;

    /// <summary>Has a kernel part and waits for the user part logged when its thread leaves the kernel.</summary>
    public bool AwaitingUser;
    public int StackThread;

    /// <summary>The previous event parked on the same thread (older sequence number), or -1.</summary>
    public long NextParked;

    public readonly bool HasStack => !Kernel.IsNone || !User.IsNone;
}

/// <summary>Fixed-capacity FIFO of held events, addressed by a monotonically growing sequence number.</summary>
internal sealed class DelayQueue
{
    private HeldEvent[] _items;
    private long _mask;

    public DelayQueue(int capacityPowerOfTwo)
    {
        _items = new HeldEvent[capacityPowerOfTwo];
        _mask = capacityPowerOfTwo - 1;
    }

    public long HeadSeq { get; private set; }
    public long TailSeq { get; private set; }
    public int Count => (int)(TailSeq - HeadSeq);
    public bool IsFull => Count == _items.Length;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Contains(long seq) => seq >= HeadSeq && seq < TailSeq;

    public ref HeldEvent this[long seq] { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => ref _items[seq & _mask]; }

    public ref HeldEvent Head { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => ref _items[HeadSeq & _mask]; }

    /// <summary>Doubles the capacity unless that would pass <paramref name="max"/>; sequence numbers stay.</summary>
    public bool TryGrow(int max)
    {
        if (_items.Length * 2 > max) return false;
        var items = new HeldEvent[_items.Length * 2];
        long mask = items.Length - 1;
        for (long seq = HeadSeq; seq < TailSeq; seq++) items[seq & mask] = _items[seq & _mask];
        _items = items;
        _mask = mask;
        return true;
    }

    /// <summary>Appends a slot (already reset by <see cref="Dequeue"/>) and returns its sequence number; the caller
    /// fills it through the indexer.</summary>
    public long Enqueue() => TailSeq++;

    /// <summary>Drops the head after it was emitted (clears references so strings can be collected).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Dequeue() => _items[HeadSeq++ & _mask] = default;
}
