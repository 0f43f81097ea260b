using HandleEtw.Symbols;
using Parquet;
using Parquet.Schema;

namespace HandleEtw.Parquet.Symbolize;

/// <summary>
/// `symbols`: one row per frame of every stack. Written to `symbols.parquet.tmp` and renamed only when complete;
/// a failure deletes the temporary file and leaves any previous `symbols.parquet` as it was.
/// </summary>
internal sealed class SymbolsTable : IDisposable
{
    public const string Name = "symbols";
    public static readonly DataField StackId = new DataField<int>("stack_id");
    public static readonly DataField FrameIndex = new DataField<int>("frame_index");
    public static readonly DataField Address = new DataField<ulong>("address");
    public static readonly DataField Module = new DataField<string>("module", nullable: true);
    public static readonly DataField Function = new DataField<string>("function", nullable: true);
    public static readonly DataField Offset = new DataField<ulong>("offset");
    public static readonly DataField SourceFile = new DataField<string>("source_file", nullable: true);
    public static readonly DataField SourceLine = new DataField<int?>("source_line");
    public static readonly ParquetSchema Schema = new(StackId, FrameIndex, Address, Module, Function, Offset, SourceFile, SourceLine);

    private static readonly IReadOnlyDictionary<string, EncodingHint> Hints = new Dictionary<string, EncodingHint>
    {
        ["stack_id"] = EncodingHint.DeltaBinaryPacked,
        ["module"] = EncodingHint.Dictionary,
        ["function"] = EncodingHint.Dictionary,
        ["source_file"] = EncodingHint.Dictionary,
    };

    private readonly ParquetTableFile _file;
    private readonly RequiredColumn<int> _stackId, _frameIndex;
    private readonly RequiredColumn<ulong> _address, _offset;
    private readonly StringColumn _module, _function, _sourceFile;
    private readonly NullableColumn<int> _sourceLine;
    private readonly IColumnBuffer[] _columns;
    private readonly int _capacity;
    private int _rows;

    public long RowsWritten => _file.RowsWritten;

    public SymbolsTable(string directory, ParquetWriteOptions options)
    {
        _capacity = Math.Max(1, options.RowGroupSize);
        _columns = [_stackId = new(StackId, _capacity), _frameIndex = new(FrameIndex, _capacity),
            _address = new(Address, _capacity), _module = new(Module, _capacity), _function = new(Function, _capacity),
            _offset = new(Offset, _capacity), _sourceFile = new(SourceFile, _capacity), _sourceLine = new(SourceLine, _capacity)];
        _file = ParquetTableFile.Create(ParquetLayout.TablePath(directory, Name), Schema, options.ToParquetOptions(Hints));
    }

    public void Add(in SymbolRow row)
    {
        int r = _rows;
        _stackId.Values[r] = row.StackId;
        _frameIndex.Values[r] = row.FrameIndex;
        _address.Values[r] = row.Address;
        _module.Values[r] = row.Module;
        _function.Values[r] = row.Function;
        _offset.Values[r] = row.Offset;
        _sourceFile.Values[r] = row.SourceFile;
        if (row.SourceLine > 0) _sourceLine.Set(r, row.SourceLine); else _sourceLine.SetNull(r);
        if (++_rows == _capacity) Flush();
    }

    /// <summary>Writes the footer and renames the file into place.</summary>
    public void Complete()
    {
        Flush();
        _file.Close();
    }

    private void Flush()
    {
        _file.WriteRowGroup(_rows, _columns);
        _rows = 0;
    }

    /// <summary>Without <see cref="Complete"/>, the temporary file is removed: no half-written table is left.</summary>
    public void Dispose() => _file.Abandon(); // nothing left to do once Complete closed it
}
