using HandleEtw.Core.Records;
using Parquet;
using Parquet.Schema;

namespace HandleEtw.Reports.Input;

/// <summary>Reads one table written by `convert`, a row group at a time, columns by name.</summary>
internal sealed class ParquetTable : IDisposable
{
    private readonly ParquetReader _reader;
    private readonly string _name;

    private ParquetTable(string path, ParquetReader reader)
    {
        _name = Path.GetFileName(path);
        _reader = reader;
    }

    public static ParquetTable Open(string path)
    {
        if (!File.Exists(path)) throw new TraceFormatException($"{Path.GetFileName(path)}: missing from the Parquet directory", 0);
        string name = Path.GetFileName(path);
        return Read(name, () => new ParquetTable(path, ParquetReader.CreateAsync(path).GetAwaiter().GetResult()));
    }

    /// <summary>
    /// Runs one read of the Parquet library: damaged files make it throw anything (Thrift, Zstd, index and null
    /// reference errors from inside), which is format damage of this table, reported in one line like any other.
    /// </summary>
    private static T Read<T>(string name, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is not TraceFormatException and not OperationCanceledException and not OutOfMemoryException)
        {
            throw new TraceFormatException($"{name}: not a readable Parquet file ({e.GetType().Name}: {e.Message})", 0);
        }
    }

    public int RowGroups => _reader.RowGroupCount;

    public Group Open(int index) => Read(_name, () => new Group(this, _reader.OpenRowGroupReader(index)));

    public bool HasColumn(string name) => _reader.Schema.DataFields.Any(f => f.Name == name);

    public void Dispose() => _reader.DisposeAsync().AsTask().GetAwaiter().GetResult();

    private DataField Field(string name) =>
        _reader.Schema.DataFields.FirstOrDefault(f => f.Name == name || f.Path.ToString().StartsWith(name + "/", StringComparison.Ordinal))
        ?? throw new TraceFormatException($"{_name}: no column {name}", 0);

    /// <summary>One row group: typed columns, one value per row.</summary>
    public sealed class Group(ParquetTable table, ParquetRowGroupReader rows) : IDisposable
    {
        public int Rows { get; } = rows.RowCount is >= 0 and <= int.MaxValue
            ? (int)rows.RowCount
            : throw new TraceFormatException($"{table._name}: a row group of {rows.RowCount} rows", 0);

        public T[] Values<T>(string name) where T : struct
        {
            var values = new T[Rows];
            Read(table._name, () => { rows.ReadAsync<T>(table.Field(name), values.AsMemory()).GetAwaiter().GetResult(); return 0; });
            return values;
        }

        public T?[] Nullable<T>(string name) where T : struct
        {
            var values = new T?[Rows];
            Read(table._name, () => { rows.ReadAsync<T>(table.Field(name), values.AsMemory()).GetAwaiter().GetResult(); return 0; });
            return values;
        }

        public string?[] Strings(string name)
        {
            var values = new string?[Rows];
            Read(table._name, () => { rows.ReadAsync(table.Field(name), values.AsMemory()).GetAwaiter().GetResult(); return 0; });
            return values;
        }

        /// <summary>
        /// Every element of a list column, rows concatenated; <paramref name="count"/> is the total from a length
        /// column (checked against the file's own value count).
        /// </summary>
        public ulong[] Flattened(string name, long count)
        {
            DataField field = table.Field(name);
            long stored = rows.GetMetadata(field)?.MetaData?.NumValues ?? -1;
            if (count < 0 || count > int.MaxValue || (stored >= 0 && stored < count))
                throw new TraceFormatException($"{table._name}: {name} holds {stored} values, the lengths say {count}", 0);
            // Empty lists have level entries but no value: the file's value count covers both.
            int entries = (int)Math.Max(count, Math.Min(stored, int.MaxValue));
            var values = new ulong[entries];
            var definitions = new int[entries];
            var repetitions = new int[entries];
            Read(table._name, () =>
            {
                rows.ReadRawAsync<ulong>(field, values.AsMemory(), definitions.AsMemory(), repetitions.AsMemory()).GetAwaiter().GetResult();
                return 0;
            });
            return values.AsSpan(0, (int)count).ToArray();
        }

        public void Dispose() => rows.Dispose();
    }
}
