using HandleEtw.Core.Stacks;
using HandleEtw.Parquet.Symbolize;
using Parquet;
using Parquet.Schema;

namespace HandleEtw.Parquet;

/// <summary>
/// The stack ids a table has written, one bit each (ids are small dense ints), so the end of a conversion can tell
/// whether any of them turned out to be an alias of another id (<see cref="StackTable.Canonical"/>).
/// </summary>
internal sealed class StackIdSet
{
    private ulong[] _bits = new ulong[64];

    public void Add(int id)
    {
        if (id < 0) return;
        int word = id >> 6;
        if (word >= _bits.Length) Array.Resize(ref _bits, Math.Max(word + 1, _bits.Length * 2));
        _bits[word] |= 1UL << (id & 63);
    }

    /// <summary>True when some id written is not the canonical id of its frames.</summary>
    public bool HasAlias(StackTable stacks)
    {
        for (int word = 0; word < _bits.Length; word++)
            for (ulong bits = _bits[word]; bits != 0; bits &= bits - 1)
            {
                int id = (word << 6) + System.Numerics.BitOperations.TrailingZeroCount(bits);
                if (stacks.Canonical(id) != id) return true;
            }
        return false;
    }
}

/// <summary>
/// Rewrites a finished table with every `stack_id` replaced by its canonical id, one row group at a time (memory:
/// one row group). Needed only when a stack's frames became known after events carrying its provisional id were
/// written, and those frames already had an id (a cached key defined long after its references, a key reused).
/// The file is written beside the old one and renamed over it, so a reader sees the old or the new table, whole.
/// </summary>
internal static class StackIdRewrite
{
    public static void Apply(string path, ParquetSchema schema, ParquetOptions options, Func<int, int> canonical)
    {
        ParquetTableFile output = ParquetTableFile.Create(path, schema, options);
        try
        {
            using (ParquetTableReader input = ParquetTableReader.Open(path))
                for (int g = 0; g < input.RowGroupCount; g++)
                    input.Read(g, group => CopyRowGroup(group, input, schema, output, canonical));
            output.Close();
        }
        catch
        {
            output.Abandon();
            throw;
        }
    }

    private static bool CopyRowGroup(ParquetRowGroupReader group, ParquetTableReader input, ParquetSchema schema,
        ParquetTableFile output, Func<int, int> canonical)
    {
        var columns = schema.GetDataFields().Select(f => Column(group, input.Column(f.Name), f, canonical)).ToList();
        output.WriteRowGroup(checked((int)group.RowCount), columns);
        return true;
    }

    private static IColumnBuffer Column(ParquetRowGroupReader group, DataField stored, DataField field, Func<int, int> canonical)
    {
        if (field.Name == "stack_id")
        {
            int?[] ids = ParquetTableReader.Nullable<int>(group, stored);
            for (int i = 0; i < ids.Length; i++)
                if (ids[i] is int id) ids[i] = canonical(id);
            return new NullableCopy<int>(field, ids);
        }
        Type type = field.ClrType;
        if (type == typeof(string) || type == typeof(ReadOnlyMemory<char>)) return new CopiedStrings(field, ParquetTableReader.Strings(group, stored));
        if (type == typeof(long)) return Copy<long>(group, stored, field);
        if (type == typeof(int)) return Copy<int>(group, stored, field);
        if (type == typeof(uint)) return Copy<uint>(group, stored, field);
        if (type == typeof(ulong)) return Copy<ulong>(group, stored, field);
        if (type == typeof(ushort)) return Copy<ushort>(group, stored, field);
        if (type == typeof(byte)) return Copy<byte>(group, stored, field);
        if (type == typeof(bool)) return Copy<bool>(group, stored, field);
        if (type == typeof(double)) return Copy<double>(group, stored, field);
        if (type == typeof(DateTime)) return Copy<DateTime>(group, stored, field);
        throw new NotSupportedException($"stack id rewrite: column {field.Name} of type {type.Name}");
    }

    private static IColumnBuffer Copy<T>(ParquetRowGroupReader group, DataField stored, DataField field) where T : struct =>
        field.IsNullable
            ? new NullableCopy<T>(field, ParquetTableReader.Nullable<T>(group, stored))
            : new RequiredCopy<T>(field, ParquetTableReader.Required<T>(group, stored));

    private sealed class RequiredCopy<T>(DataField field, T[] values) : IColumnBuffer where T : struct
    {
        public DataField Field { get; } = field;

        public void Write(ParquetRowGroupWriter rowGroup, int rows) =>
            rowGroup.WriteAsync<T>(Field, values.AsMemory()).GetAwaiter().GetResult();
    }

    private sealed class NullableCopy<T>(DataField field, T?[] values) : IColumnBuffer where T : struct
    {
        public DataField Field { get; } = field;

        public void Write(ParquetRowGroupWriter rowGroup, int rows) =>
            rowGroup.WriteAsync<T>(Field, values.AsMemory()).GetAwaiter().GetResult();
    }

    private sealed class CopiedStrings(DataField field, string?[] values) : IColumnBuffer
    {
        public DataField Field { get; } = field;

        public void Write(ParquetRowGroupWriter rowGroup, int rows) =>
            rowGroup.WriteAsync(Field, values, null).GetAwaiter().GetResult();
    }
}
