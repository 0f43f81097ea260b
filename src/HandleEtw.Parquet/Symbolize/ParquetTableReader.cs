using Parquet;
using Parquet.Schema;

namespace HandleEtw.Parquet.Symbolize;

/// <summary>A table file that cannot be read as the schema expects: named with its path, for a one-line error.</summary>
public sealed class ParquetTableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Reads an existing table one row group at a time, columns by name. Any reader failure (not Parquet, wrong column
/// type, truncated file) becomes a <see cref="ParquetTableException"/> naming the file.
/// </summary>
internal sealed class ParquetTableReader : IDisposable
{
    private readonly FileStream _stream;
    private readonly ParquetReader _reader;

    private ParquetTableReader(string path, FileStream stream, ParquetReader reader)
    {
        Path = path;
        _stream = stream;
        _reader = reader;
    }

    public string Path { get; }
    public int RowGroupCount => _reader.RowGroupCount;

    public static ParquetTableReader Open(string path)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        try
        {
            var reader = ParquetReader.CreateAsync(stream, null, true).GetAwaiter().GetResult();
            return new ParquetTableReader(path, stream, reader);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            stream.Dispose();
            throw new ParquetTableException($"{path}: not a readable Parquet file ({e.Message})", e);
        }
    }

    /// <summary>The data field of a top-level column (for a list, its element), or an error naming the column.</summary>
    public DataField Column(string name) =>
        _reader.Schema.GetDataFields().FirstOrDefault(f => f.Path.FirstPart == name)
        ?? throw new ParquetTableException($"{Path}: no column {name}");

    public bool HasColumn(string name) => _reader.Schema.GetDataFields().Any(f => f.Path.FirstPart == name);

    /// <summary>Runs a read of row group <paramref name="index"/>; failures name the file.</summary>
    public T Read<T>(int index, Func<ParquetRowGroupReader, T> read)
    {
        try
        {
            using ParquetRowGroupReader group = _reader.OpenRowGroupReader(index);
            return read(group);
        }
        catch (Exception e) when (e is not (ParquetTableException or OperationCanceledException))
        {
            throw new ParquetTableException($"{Path}: row group {index} unreadable ({e.Message})", e);
        }
    }

    public static T[] Required<T>(ParquetRowGroupReader group, DataField field) where T : struct
    {
        var values = new T[checked((int)group.RowCount)];
        group.ReadAsync<T>(field, values.AsMemory()).GetAwaiter().GetResult();
        return values;
    }

    public static T?[] Nullable<T>(ParquetRowGroupReader group, DataField field) where T : struct
    {
        var values = new T?[checked((int)group.RowCount)];
        group.ReadAsync<T>(field, values.AsMemory()).GetAwaiter().GetResult();
        return values;
    }

    public static string?[] Strings(ParquetRowGroupReader group, DataField field)
    {
        var values = new string?[checked((int)group.RowCount)];
        group.ReadAsync(field, values.AsMemory()).GetAwaiter().GetResult();
        return values;
    }

    public void Dispose()
    {
        _reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _stream.Dispose();
    }
}
