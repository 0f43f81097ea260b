using Parquet;
using Parquet.Schema;

namespace HandleEtw.Parquet;

/// <summary>
/// One table file. Written under a temporary name and renamed on close, so a `TABLE.parquet` that exists always has
/// its footer; a run that dies without closing leaves only `TABLE.parquet.tmp`.
/// </summary>
internal sealed class ParquetTableFile : IDisposable
{
    private readonly string _finalPath;
    private readonly string _tempPath;
    private readonly FileStream _stream;
    private readonly ParquetWriter _writer;
    private readonly ParquetOptions _options;
    private bool _closed;

    private ParquetTableFile(string finalPath, string tempPath, FileStream stream, ParquetWriter writer, ParquetOptions options)
    {
        _options = options;
        _finalPath = finalPath;
        _tempPath = tempPath;
        _stream = stream;
        _writer = writer;
    }

    public string Path => _finalPath;
    public long RowsWritten { get; private set; }

    public static ParquetTableFile Create(string path, ParquetSchema schema, ParquetOptions options)
    {
        string temp = path + ".tmp";
        var stream = new FileStream(temp, FileMode.Create, FileAccess.ReadWrite, FileShare.Read, 1 << 20);
        try
        {
            ParquetWriter writer = ParquetWriter.CreateAsync(schema, stream, options).GetAwaiter().GetResult();
            return new ParquetTableFile(path, temp, stream, writer, options);
        }
        catch
        {
            stream.Dispose();
            File.Delete(temp);
            throw;
        }
    }

    /// <summary>
    /// Writes one row group from the buffered columns, in schema order. Each column chunk records its own codec:
    /// Parquet.Net takes it from the options as it writes the chunk, so a chunk that compression cannot shrink
    /// (<see cref="IColumnBuffer.Compressible"/>) is stored uncompressed and costs no codec time. One row group is
    /// written at a time per file, so changing the options here is safe.
    /// </summary>
    public void WriteRowGroup(int rows, IReadOnlyList<IColumnBuffer> columns)
    {
        if (rows == 0) return;
        CompressionMethod chosen = _options.CompressionMethod;
        try
        {
            using ParquetRowGroupWriter rowGroup = _writer.CreateRowGroup();
            foreach (IColumnBuffer column in columns)
            {
                _options.CompressionMethod = column.Compressible(rows) ? chosen : CompressionMethod.None;
                column.Write(rowGroup, rows);
            }
            rowGroup.CompleteValidate();
        }
        finally
        {
            _options.CompressionMethod = chosen;
        }
        RowsWritten += rows;
    }

    /// <summary>Writes the footer and moves the file to its final name.</summary>
    public void Close()
    {
        if (_closed) return;
        _closed = true;
        try
        {
            _writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
            _stream.Flush(flushToDisk: false);
        }
        finally
        {
            _stream.Dispose();
        }
        File.Move(_tempPath, _finalPath, overwrite: true);
    }

    /// <summary>Drops the table: the temporary file is deleted and any earlier `TABLE.parquet` stays as it was.</summary>
    public void Abandon()
    {
        if (_closed) return;
        _closed = true;
        try { _writer.DisposeAsync().AsTask().GetAwaiter().GetResult(); }
        catch (Exception e) when (e is IOException or InvalidOperationException) { /* the file is deleted anyway */ }
        _stream.Dispose();
        File.Delete(_tempPath);
    }

    public void Dispose()
    {
        if (_closed) return;
        try { Close(); }
        catch (IOException) { /* the .tmp stays behind; the error that got us here is the one to report */ }
    }
}

