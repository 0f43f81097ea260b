using HandleEtw.Core.Stacks;
using Parquet;
using Parquet.Schema;

namespace HandleEtw.Parquet.Tables;

/// <summary>`stacks`: each distinct stack once, stack_id → frames (innermost first). Only canonical ids have rows: a
/// provisional id that settled on frames another id already had is that id (<see cref="StackTable.Canonical"/>).</summary>
internal static class StacksTable
{
    public static readonly DataField StackId = new DataField<int>("stack_id");
    public static readonly DataField Frame = new DataField<ulong>("element", nullable: false);
    public static readonly ListField Frames = new("frames", Frame);
    public static readonly DataField Depth = new DataField<int>("depth");
    public static readonly ParquetSchema Schema = new(StackId, Frames, Depth);

    private static readonly IReadOnlyDictionary<string, EncodingHint> Hints = new Dictionary<string, EncodingHint>
    {
        ["stack_id"] = EncodingHint.DeltaBinaryPacked,
    };

    /// <summary>Writes stacks [0, count) of the table, in row groups bounded by rows and by frames.</summary>
    public static long Write(string path, StackTable stacks, int count, ParquetWriteOptions options)
    {
        using ParquetTableFile file = ParquetTableFile.Create(path, Schema, options.ToParquetOptions(Hints));
        var writer = new FramesRowGroup(options.RowGroupSize);
        for (int id = 0; id < count; id++)
        {
            if (stacks.Canonical(id) != id) continue;
            if (!writer.TryAdd(id, stacks.GetFrames(id)))
            {
                writer.WriteTo(file);
                writer.TryAdd(id, stacks.GetFrames(id));
            }
        }
        writer.WriteTo(file);
        file.Close();
        return file.RowsWritten;
    }

    /// <summary>One row group's worth of stacks: ids, frames, and the list levels that Parquet needs.</summary>
    private sealed class FramesRowGroup(int maxRows)
    {
        private const int MaxLevels = 8 << 20;
        private readonly RequiredColumn<int> _ids = new(StackId, maxRows);
        private readonly RequiredColumn<int> _depth = new(Depth, maxRows);
        private readonly GrowableArray<ulong> _frames = new();
        private readonly GrowableArray<int> _definition = new();
        private readonly GrowableArray<int> _repetition = new();
        private int _rows;

        public bool TryAdd(int id, ReadOnlySpan<ulong> frames)
        {
            if (_rows > 0 && (_rows == maxRows || _definition.Count + Math.Max(1, frames.Length) > MaxLevels))
                return false;
            _ids.Values[_rows] = id;
            _depth.Values[_rows] = frames.Length;
            int present = Frame.MaxDefinitionLevel;
            if (frames.IsEmpty)
            {
                _definition.Add(present - 1); // empty list
                _repetition.Add(0);
            }
            for (int i = 0; i < frames.Length; i++)
            {
                _frames.Add(frames[i]);
                _definition.Add(present);
                _repetition.Add(i == 0 ? 0 : 1);
            }
            _rows++;
            return true;
        }

        public void WriteTo(ParquetTableFile file)
        {
            if (_rows == 0) return;
            file.WriteRowGroup(_rows, [_ids, new FramesColumn(this), _depth]);
            _rows = 0;
            _frames.Clear();
            _definition.Clear();
            _repetition.Clear();
        }

        private sealed class FramesColumn(FramesRowGroup group) : IColumnBuffer
        {
            public DataField Field => Frame;

            public void Write(ParquetRowGroupWriter rowGroup, int rows) =>
                rowGroup.WriteAllPartsAsync(Frame, group._frames.Memory, group._definition.Memory,
                    group._repetition.Memory, CancellationToken.None).GetAwaiter().GetResult();
        }
    }
}

/// <summary>An append-only array that exposes its filled part as memory (a List cannot, without a copy).</summary>
internal sealed class GrowableArray<T>
{
    private T[] _items = new T[1024];

    public int Count { get; private set; }
    public ReadOnlyMemory<T> Memory => new(_items, 0, Count);

    public void Add(T item)
    {
        if (Count == _items.Length) Array.Resize(ref _items, _items.Length * 2);
        _items[Count++] = item;
    }

    public void Clear() => Count = 0;
}
