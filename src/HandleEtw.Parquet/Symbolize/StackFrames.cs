using Parquet;
using Parquet.Schema;

namespace HandleEtw.Parquet.Symbolize;

/// <summary>Reassembles the `stacks.frames` list column of one row group from its values and Dremel levels.</summary>
internal static class StackFrames
{
    public static List<ArraySegment<ulong>> Read(ParquetRowGroupReader group, DataField element)
    {
        long entries = group.GetMetadata(element)?.MetaData?.NumValues
            ?? throw new ParquetTableException("stacks.frames: column chunk without metadata");
        if (entries < 0 || entries > Array.MaxLength) throw new ParquetTableException($"stacks.frames: {entries} list entries");
        var values = new ulong[entries];
        var definitionLevels = new int[entries];
        var repetitionLevels = new int[entries];
        group.ReadRawAsync<ulong>(element, values, definitionLevels, repetitionLevels).GetAwaiter().GetResult();
        ReadOnlySpan<int> repetition = repetitionLevels;
        ReadOnlySpan<int> definition = definitionLevels;
        var lists = new List<ArraySegment<ulong>>();
        int present = element.MaxDefinitionLevel, next = 0, start = 0, count = 0;
        for (int i = 0; i < repetition.Length; i++)
        {
            if (repetition[i] == 0)
            {
                if (i > 0) lists.Add(new ArraySegment<ulong>(values, start, count));
                start = next;
                count = 0;
            }
            if (definition[i] == present)
            {
                if (next >= values.Length) throw new ParquetTableException("stacks.frames: more list entries than values");
                next++;
                count++;
            }
        }
        if (repetition.Length > 0) lists.Add(new ArraySegment<ulong>(values, start, count));
        return lists;
    }
}
