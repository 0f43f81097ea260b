using System.Diagnostics;
using HandleEtw.Symbols;

namespace HandleEtw.Parquet.Symbolize;

/// <summary>Which table directories a symbolize run may write into (see <see cref="ParquetSymbolizer.FindTableDirectories"/>).</summary>
public enum TableSearch { Self, OwnPartitions, Recursive }

/// <summary>What a symbolize run wrote.</summary>
public sealed record SymbolizeResult(IReadOnlyList<string> Directories, long Stacks, long Frames, long InModule,
    long Resolved, TimeSpan Elapsed);

/// <summary>
/// Adds a `symbols` table beside the `stacks` and `modules` of a converted trace: every frame of every stack with its
/// module, function, offset and source line; JIT-compiled .NET frames are named from `methods`. A hive-partitioned root is handled folder by folder.
/// </summary>
public static class ParquetSymbolizer
{
    /// <summary>
    /// The table directories a run writes into. Only handleetw table directories (recognised by their
    /// `meta.parquet`) are ever written: <see cref="TableSearch.Self"/> takes the root alone;
    /// <see cref="TableSearch.OwnPartitions"/> the root, or else the `host=*/date=*/trace=*` partitions `convert --partition`
    /// wrote under it (only `key=value` folders); <see cref="TableSearch.Recursive"/> every table directory at any depth (a fleet root). Throws
    /// <see cref="ParquetTableException"/> when there are none, or a table directory lacks `stacks` or `modules`.
    /// </summary>
    public static IReadOnlyList<string> FindTableDirectories(string root, TableSearch search = TableSearch.OwnPartitions)
    {
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"{root}: no such directory");
        IEnumerable<string> candidates = search switch
        {
            TableSearch.Self => [root],
            TableSearch.OwnPartitions when IsTableDirectory(root) => [root],
            TableSearch.OwnPartitions => Partitions(root),
            _ => new[] { root }.Concat(Directory.EnumerateDirectories(root, "*", SearchOption.AllDirectories)),
        };
        var found = candidates.Where(IsTableDirectory).Order(StringComparer.Ordinal).ToList();
        foreach (string dir in found)
        {
            bool stacks = File.Exists(ParquetLayout.TablePath(dir, "stacks"));
            bool modules = File.Exists(ParquetLayout.TablePath(dir, "modules"));
            if (!stacks || !modules)
                throw new ParquetTableException($"{dir}: a handleetw table directory without {(stacks ? "modules" : "stacks")}.parquet");
        }
        if (found.Count == 0) throw new ParquetTableException(NothingFound(root, search));
        return found;
    }

    /// <summary>A directory written by handleetw convert or record: it has the `meta` table.</summary>
    public static bool IsTableDirectory(string dir) => File.Exists(ParquetLayout.TablePath(dir, "meta"));

    /// <summary>The Hive partition folders (`host=H/date=D/trace=T`, every level `key=value`) below the root.</summary>
    private static IEnumerable<string> Partitions(string root) =>
        Directory.EnumerateDirectories(root, "*=*").SelectMany(d => Partitions(d).Prepend(d));

    private static string NothingFound(string root, TableSearch search)
    {
        string what = $"{root}: not a handleetw table directory (no meta.parquet)";
        if (search == TableSearch.Recursive) return what + " and none below it (run handleetw convert first)";
        bool deeper = search != TableSearch.Self && Directory.EnumerateDirectories(root, "*", SearchOption.AllDirectories).Any(IsTableDirectory);
        return deeper
            ? what + "; table directories lie deeper below it: pass --recursive to symbolize all of them"
            : what + " (run handleetw convert first)";
    }

    /// <summary>
    /// Symbolizes the table directories <paramref name="search"/> finds under the root. Without a resolver frames
    /// are module+offset.
    /// </summary>
    /// <param name="lockDirectories">Take each folder's <see cref="OutputLock"/> (false when the caller holds it:
    /// `convert --symbols`).</param>
    public static SymbolizeResult Run(string root, SymbolResolver? resolver, ParquetWriteOptions? options = null,
        TableSearch search = TableSearch.OwnPartitions, CancellationToken cancel = default, bool lockDirectories = true)
    {
        var clock = Stopwatch.StartNew();
        var directories = FindTableDirectories(root, search);
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
        var methods = ProcessMethods.Read(ParquetLayout.TablePath(dir, "methods"));
        var symbolizer = new StackSymbolizer(modules.Lookup, resolver, (owner, address, time) =>
            modules.InstanceOf(owner) is { } p ? methods.Find(p.Pid, p.Key, address, time) : null);
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
