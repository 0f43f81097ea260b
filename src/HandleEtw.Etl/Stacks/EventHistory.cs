using System.Runtime.CompilerServices;

namespace HandleEtw.Etl.Stacks;

/// <summary>
/// The last <see cref="Size"/> non-stack events (timestamp, thread, cpu), which stack records name their target
/// among. Fixed size: a stack that arrives later than this is an orphan.
/// </summary>
internal sealed class EventHistory
{
    public const int Size = 2048;

    private readonly Entry[] _entries = new Entry[Size];

    /// <summary>Events logged so far; the newest has serial <c>Count - 1</c>.</summary>
    public long Count { get; private set; }

    public long Add(long timestamp, int thread, ushort cpu, long heldSeq)
    {
        long serial = Count++;
        _entries[serial & (Size - 1)] = new Entry { Timestamp = timestamp, Thread = thread, Cpu = cpu, HeldSeq = heldSeq };
        return serial;
    }

    /// <summary>True while <paramref name="serial"/> can still be the target of a stack record.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Holds(long serial) => serial >= 0 && serial >= Count - Size && serial < Count;

    public ref Entry this[long serial] { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => ref _entries[serial & (Size - 1)]; }

    /// <summary>
    /// The event a stack record belongs to: same timestamp and thread, newest first; an entry without a thread (-1)
    /// matches on timestamp, preferring the same cpu, and then takes the stack's thread. -1 when none matches.
    /// </summary>
    public long FindTarget(long timestamp, int thread, ushort cpu)
    {
        long result = -1;
        bool exact = false, adoptThread = false;
        long oldest = Math.Max(0, Count - Size);
        for (long s = Count - 1; s >= oldest; s--)
        {
            ref Entry e = ref this[s];
            if (e.Timestamp < timestamp) break; // records arrive in time order
            if (e.Timestamp != timestamp) continue;
            if (e.Thread == thread)
            {
                if (exact) return result; // ambiguous: keep the newest perfect match
                exact = e.Cpu == cpu;
                result = s;
                adoptThread = false;
            }
            else if (e.Thread == -1 && (result < 0 || (!exact && e.Cpu == cpu)))
            {
                result = s;
                adoptThread = true;
            }
        }
        if (adoptThread) this[result].Thread = thread;
        return result;
    }

    internal struct Entry
    {
        public long Timestamp;
        public int Thread;
        public ushort Cpu;
        public bool HasStack;

        /// <summary>Sequence number of the decoded event held for this record, or -1.</summary>
        public long HeldSeq;
    }
}
