using System.Diagnostics;
using HandleEtw.Symbols;

namespace HandleEtw.Parquet.Symbolize;

/// <summary>What a symbolize run wrote.</summary>
public sealed record SymbolizeResult(IReadOnlyList<string> Directories, long Stacks, long Frames, long InModule,
    long Resolved, TimeSpan Elapsed);

/// <summary>
/// Adds a `symbols` table beside the `stacks` and `modules` of a converted trace: every frame of every stack with its
/// module, function, offset and source line. A hive-partitioned root is handled folder by folder.
/// </summary>
public static class ParquetSymbolizer
{
    /// <summary>
    /// Folders under <paramref name="root"/> (itself included) holding both `stacks` and `modules`. Throws
    /// <see cref="ParquetTableException"/> when there are none, or a folder has one table without the other.
    /// </summary>
    public static IReadOnlyList<string> FindTableDirectories(string root, bool searchPartitions = true)
    {
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"{root}: no such directory");
        var found = new List<string>();
        IEnumerable<string> candidates = searchPartitions
            ? new[] { root }.Concat(Directory.EnumerateDirectories(root, "*", SearchOption.AllDirectories)).Order(StringComparer.Ordinal)
            : [root];
        foreach (string dir in candidates)
        {
            bool stacks = File.Exists(ParquetLayout.TablePath(dir, "stacks"));
            bool modules = File.Exists(ParquetLayout.TablePath(dir, "modules"));
            if (stacks && modules) found.Add(dir);
            else if (stacks || modules)
                throw new ParquetTableException($"{dir}: has {(stacks ? "stacks" : "modules")}.parquet but no {(stacks ? "modules" : "stacks")}.parquet");
        }
        if (found.Count == 0)
            throw new ParquetTableException($"{root}: no stacks.parquet and modules.parquet here or in its partitions (run handleetw convert first)");
        return found;
    }

    /// <summary>
    /// Symbolizes every table folder under the root (only the root itself without <paramref name="searchPartitions"/>).
    /// Without a resolver frames are module+offset.
    /// </summary>
    /// <param name="lockDirectories">Take each folder's <see cref="OutputLock"/> (false when the caller holds it:
    /// `convert --symbols`).</param>
    public static SymbolizeResult Run(string root, SymbolResolver? resolver, ParquetWriteOptions? options = null,
        bool searchPartitions = true, CancellationToken cancel = default, bool lockDirectories = true)
    {
        var clock = Stopwatch.StartNew();
        var directories = FindTableDirectories(root, searchPartitions);
        var total = new Counts();
        foreach (string dir in directories)
        {
            using OutputLock? locked = lockDirectories ? OutputLock.Acquire(dir) : null;
            SymbolizeDirectory(dir, resolver, options ?? new ParquetWriteOptions(), total, cancel);
        }
        return new SymbolizeResult(directories, total.Stacks, total.Frames, total.InModule, total.Resolved, clock.Elapsed);
    }

    private sealed class Counts
    {
        public long Stacks, Frames, InModule, Resolved;
    }

    private static void SymbolizeDirectory(string dir, SymbolResolver? resolver, ParquetWriteOptions options, Counts counts,
        CancellationToken cancel)
    {
        var modules = ProcessModules.Read(ParquetLayout.TablePath(dir, "modules"));
        var owners = StackOwners.Read(ParquetLayout.TablePath(dir, "events"));
        var symbolizer = new StackSymbolizer(modules.Lookup, resolver);
        using var stacks = ParquetTableReader.Open(ParquetLayout.TablePath(dir, "stacks"));
        var stackId = stacks.Column("stack_id");
        var frames = stacks.Column("frames");
        using var output = new SymbolsTable(dir, options);
        for (int g = 0; g < stacks.RowGroupCount; g++)
        {
            cancel.ThrowIfCancellationRequested();
            var (ids, lists) = stacks.Read(g, group => (ParquetTableReader.Required<int>(group, stackId), StackFrames.Read(group, frames)));
            if (lists.Count != ids.Length) throw new ParquetTableException($"{stacks.Path}: row group {g} has {ids.Length} ids but {lists.Count} frame lists");
            for (int i = 0; i < ids.Length; i++)
            {
                int owner = owners.TryGetValue(ids[i], out var o) ? modules.OwnerOf(o.Pid, o.ProcessKey) : -1;
                long time = o.TimeNs; // default (0) for a stack no event used: kernel images only
                foreach (SymbolRow row in symbolizer.Symbolize(ids[i], owner, time, lists[i]))
                {
                    output.Add(row);
                    counts.Frames++;
                    if (row.Module is not null) counts.InModule++;
                    if (row.Function is not null) counts.Resolved++;
                }
                counts.Stacks++;
            }
        }
        output.Complete();
    }
}
