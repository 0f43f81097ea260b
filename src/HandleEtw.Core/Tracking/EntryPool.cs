namespace HandleEtw.Core.Tracking;

/// <summary>
/// All live entries of all processes, in fixed-size chunks with a free list: no per-handle object, no copying when it
/// grows, and freed slots are reused so memory follows the live count, not the event count.
/// </summary>
internal sealed class EntryPool
{
    private const int ChunkBits = 12;
    private const int ChunkSize = 1 << ChunkBits;
    private HandleEntry[][] _chunks = new HandleEntry[4][];
    private int _allocated;
    private int _freeHead = -1;

    public int Live { get; private set; }

    public ref HandleEntry this[int index] => ref _chunks[index >> ChunkBits][index & (ChunkSize - 1)];

    public int Allocate()
    {
        Live++;
        if (_freeHead >= 0)
        {
            int index = _freeHead;
            _freeHead = this[index].Group;
            return index;
        }
        int chunk = _allocated >> ChunkBits;
        if (chunk == _chunks.Length) Array.Resize(ref _chunks, _chunks.Length * 2);
        _chunks[chunk] ??= new HandleEntry[ChunkSize];
        return _allocated++;
    }

    public void Free(int index)
    {
        Live--;
        ref HandleEntry e = ref this[index];
        e = default;
        e.Group = _freeHead; // the free list runs through the Group field
        _freeHead = index;
    }
}
