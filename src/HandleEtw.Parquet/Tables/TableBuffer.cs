using Parquet;
using Parquet.Schema;

namespace HandleEtw.Parquet.Tables;

/// <summary>
/// Row buffering for the smaller tables: columns are preallocated at the row-group size (capped for tables that are
/// small by nature) and flushed when full.
/// </summary>
internal abstract class TableBuffer : IDisposable
{
    private readonly ParquetTableFile _file;
    private IColumnBuffer[] _columns = [];
    private int _rows;

    protected TableBuffer(string path, ParquetSchema schema, ParquetWriteOptions options,
        IReadOnlyDictionary<string, EncodingHint> hints, int maxRowGroup)
    {
        Capacity = Math.Max(1, Math.Min(options.RowGroupSize, maxRowGroup));
        _file = ParquetTableFile.Create(path, schema, options.ToParquetOptions(hints));
    }

    protected int Capacity { get; }
    public long RowsWritten => _file.RowsWritten + _rows;

    protected void SetColumns(params IColumnBuffer[] columns) => _columns = columns;

    /// <summary>Index of the row to fill; call <see cref="Commit"/> once it is filled.</summary>
    protected int Row => _rows;

    protected void Commit()
    {
        if (++_rows == Capacity) Flush();
    }

    public void Flush()
    {
        _file.WriteRowGroup(_rows, _columns);
        _rows = 0;
    }

    public void Close()
    {
        Flush();
        _file.Close();
    }

    public void Dispose() => _file.Dispose();
}
