using Parquet;
using Parquet.Schema;

namespace HandleEtw.Parquet;

/// <summary>One column of a table, buffered for the current row group and written in schema order.</summary>
internal interface IColumnBuffer
{
    DataField Field { get; }
    void Write(ParquetRowGroupWriter rowGroup, int rows);

    /// <summary>
    /// False when compressing this chunk gains nothing: every row null (the page holds only its definition levels),
    /// or a column whose encoded values do not shrink (<see cref="RequiredColumn{T}"/>/<see cref="NullableColumn{T}"/>
    /// built with `compress: false`). Such chunks are written uncompressed, which saves the codec's time.
    /// </summary>
    bool Compressible(int rows) => true;
}

/// <summary>A required (non-null) column held in a preallocated array.</summary>
internal sealed class RequiredColumn<T>(DataField field, int capacity, bool compress = true) : IColumnBuffer where T : struct
{
    public readonly T[] Values = new T[capacity];
    public DataField Field { get; } = field;

    public bool Compressible(int rows) => compress;

    public void Write(ParquetRowGroupWriter rowGroup, int rows) =>
        rowGroup.WriteAsync(Field, new ReadOnlyMemory<T>(Values, 0, rows)).GetAwaiter().GetResult();
}

/// <summary>
/// A nullable column: values by row plus a presence flag. Written as compacted values and definition levels
/// (no nullable-struct copy of the whole row group).
/// </summary>
internal sealed class NullableColumn<T>(DataField field, int capacity, bool compress = true) : IColumnBuffer where T : struct
{
    private readonly T[] _values = new T[capacity];
    private readonly bool[] _present = new bool[capacity];
    public DataField Field { get; } = field;

    public void Set(int row, T value) { _values[row] = value; _present[row] = true; }
    public void SetNull(int row) => _present[row] = false;
    public void Set(int row, T? value) { if (value is { } v) Set(row, v); else SetNull(row); }

    public bool Compressible(int rows) => compress && Array.IndexOf(_present, true, 0, rows) >= 0;

    public void Write(ParquetRowGroupWriter rowGroup, int rows)
    {
        T[] scratch = ColumnScratch.Rent<T>(rows);
        int[] levels = ColumnScratch.Rent<int>(rows);
        try
        {
            int present = 0;
            for (int i = 0; i < rows; i++)
            {
                if (_present[i]) { scratch[present++] = _values[i]; levels[i] = 1; }
                else levels[i] = 0;
            }
            rowGroup.WriteAllPartsAsync(Field, new ReadOnlyMemory<T>(scratch, 0, present),
                new ReadOnlyMemory<int>(levels, 0, rows), null, CancellationToken.None).GetAwaiter().GetResult();
        }
        finally
        {
            ColumnScratch.Return(scratch);
            ColumnScratch.Return(levels);
        }
    }
}

/// <summary>A string column (nullable or not). Strings are references to interned or event-owned strings.</summary>
internal sealed class StringColumn(DataField field, int capacity) : IColumnBuffer
{
    public readonly string?[] Values = new string?[capacity];
    public DataField Field { get; } = field;

    /// <summary>False when every row holds the same string (or null): the page is one dictionary entry and a run.</summary>
    public bool Compressible(int rows)
    {
        string? first = rows > 0 ? Values[0] : null;
        for (int i = 1; i < rows; i++)
            if (!ReferenceEquals(Values[i], first)) return true;
        return false;
    }

    public void Write(ParquetRowGroupWriter rowGroup, int rows)
    {
        var scratch = ColumnScratch.Rent<ReadOnlyMemory<char>>(rows);
        int[] levels = ColumnScratch.Rent<int>(rows);
        try
        {
            if (!Field.IsNullable)
            {
                for (int i = 0; i < rows; i++) scratch[i] = (Values[i] ?? "").AsMemory();
                rowGroup.WriteAsync(Field, new ReadOnlyMemory<ReadOnlyMemory<char>>(scratch, 0, rows)).GetAwaiter().GetResult();
            }
            else
            {
                int present = 0;
                for (int i = 0; i < rows; i++)
                {
                    if (Values[i] is { } s) { scratch[present++] = s.AsMemory(); levels[i] = 1; }
                    else levels[i] = 0;
                }
                rowGroup.WriteAllPartsAsync(Field, new ReadOnlyMemory<ReadOnlyMemory<char>>(scratch, 0, present),
                    new ReadOnlyMemory<int>(levels, 0, rows), null, CancellationToken.None).GetAwaiter().GetResult();
            }
        }
        finally
        {
            ColumnScratch.Return(scratch, clear: true); // drop string references
            ColumnScratch.Return(levels);
        }
        Array.Clear(Values, 0, rows);
    }
}

/// <summary>Pooled scratch arrays for compacting a column while it is written (returned right after).</summary>
internal static class ColumnScratch
{
    public static T[] Rent<T>(int rows) => System.Buffers.ArrayPool<T>.Shared.Rent(Math.Max(rows, 1));

    public static void Return<T>(T[] array, bool clear = false) =>
        System.Buffers.ArrayPool<T>.Shared.Return(array, clear);
}
