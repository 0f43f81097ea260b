using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace HandleEtw.Core.Stacks;

/// <summary>
/// A hash map from 64-bit keys to small structs for the stack join's per-record lookups (cached stack keys, threads
/// with parked stacks): open addressing with linear probing, key and value side by side so a lookup touches one
/// cache line, and deletion by shifting the probe run back (no tombstones to pile up as keys come and go).
/// </summary>
public sealed class KeyMap<T> where T : struct
{
    private Entry[] _entries = new Entry[16];
    private int _shift = 64 - 4;

    public int Count { get; private set; }

    /// <summary>Values of all entries, in no particular order.</summary>
    public ValueList Values => new(this);

    /// <summary>The values, walked by a struct enumerator: an interface-based iterator over this value type would
    /// be compiled at start-up instead of being precompiled with the rest.</summary>
    public readonly struct ValueList(KeyMap<T> map) : IEnumerable<T>
    {
        public ValueEnumerator GetEnumerator() => new(map);

        IEnumerator<T> IEnumerable<T>.GetEnumerator() => Boxed().GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => Boxed().GetEnumerator();

        private IEnumerable<T> Boxed()
        {
            foreach (T value in this) yield return value;
        }
    }

    public struct ValueEnumerator
    {
        private readonly Entry[] _entries;
        private int _index;

        public ValueEnumerator(KeyMap<T> map) => (_entries, _index) = (map._entries, -1);

        public readonly T Current => _entries[_index].Value;

        public bool MoveNext()
        {
            while (++_index < _entries.Length)
                if (_entries[_index].Used) return true;
            return false;
        }
    }

    private int Mask => _entries.Length - 1;

    private int Home(ulong key) => (int)((key * 0x9E3779B97F4A7C15UL) >> _shift);

    /// <summary>The value's slot, or a null reference when the key is absent.</summary>
    public ref T Find(ulong key)
    {
        Entry[] entries = _entries;
        int mask = entries.Length - 1;
        for (int i = Home(key); ; i = (i + 1) & mask)
        {
            ref Entry e = ref At(entries, i);
            if (!e.Used) return ref Unsafe.NullRef<T>();
            if (e.Key == key) return ref e.Value;
        }
    }

    /// <summary>Starts loading the entry a lookup of <paramref name="key"/> reads first.</summary>
    public void Prefetch(ulong key) => Tracking.CacheHint.Prefetch(ref At(_entries, Home(key)));

    /// <summary>The value's slot, added (default) when absent; valid until the next addition.</summary>
    public ref T GetOrAdd(ulong key, out bool existed)
    {
        if ((Count + 1) * 4 > _entries.Length * 3) Grow();
        Entry[] entries = _entries;
        int mask = entries.Length - 1;
        for (int i = Home(key); ; i = (i + 1) & mask)
        {
            ref Entry e = ref At(entries, i);
            if (e.Used)
            {
                if (e.Key != key) continue;
                existed = true;
                return ref e.Value;
            }
            e = new Entry { Key = key, Used = true };
            Count++;
            existed = false;
            return ref e.Value;
        }
    }

    /// <summary>Entry <paramref name="i"/> without a bounds check: every index here is masked to the table's size.</summary>
    private static ref Entry At(Entry[] entries, int i) => ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(entries), i);

    public void Clear()
    {
        Array.Clear(_entries);
        Count = 0;
    }

    public bool Remove(ulong key, out T value)
    {
        int i = Locate(key);
        if (i < 0)
        {
            value = default;
            return false;
        }
        value = _entries[i].Value;
        // Later entries of the probe run move back into the hole unless their home lies after it.
        int mask = Mask;
        for (int j = (i + 1) & mask; _entries[j].Used; j = (j + 1) & mask)
        {
            int home = Home(_entries[j].Key);
            bool staysPut = i <= j ? i < home && home <= j : i < home || home <= j;
            if (staysPut) continue;
            _entries[i] = _entries[j];
            i = j;
        }
        _entries[i] = default;
        Count--;
        return true;
    }

    private int Locate(ulong key)
    {
        int mask = Mask;
        for (int i = Home(key); _entries[i].Used; i = (i + 1) & mask)
            if (_entries[i].Key == key) return i;
        return -1;
    }

    private void Grow()
    {
        Entry[] old = _entries;
        _entries = new Entry[old.Length * 2];
        _shift--;
        int mask = Mask;
        foreach (Entry e in old)
        {
            if (!e.Used) continue;
            int i = Home(e.Key);
            while (_entries[i].Used) i = (i + 1) & mask;
            _entries[i] = e;
        }
    }

    private struct Entry
    {
        public ulong Key;
        public T Value;
        public bool Used;
    }
}
