namespace HandleEtw.Parquet;

/// <summary>
/// One writer at a time per table directory: an exclusive lock on `DIR/.handleetw.lock` (flock on Unix, a share-none
/// open on Windows), released when the writer finishes or its process dies. A second conversion into the same
/// directory fails at once with one line instead of interleaving its tables with the first one's.
/// </summary>
public sealed class OutputLock : IDisposable
{
    public const string FileName = ".handleetw.lock";
    private readonly FileStream _file;

    private OutputLock(FileStream file) => _file = file;

    /// <summary>Creates the directory if needed and locks it; throws <see cref="IOException"/> when another writer
    /// holds it.</summary>
    public static OutputLock Acquire(string directory)
    {
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, FileName);
        try
        {
            return new OutputLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw new IOException($"{directory}: another conversion is writing there (it holds {FileName}); " +
                                  "wait for it to finish or choose another output directory", e);
        }
    }

    /// <summary>Removes the tables of an earlier conversion (and what a killed one left), so the directory never
    /// mixes two traces' tables: a stale symbols table would join onto the new trace's stack ids.</summary>
    public void ClearTables()
    {
        string directory = Path.GetDirectoryName(_file.Name)!;
        foreach (string table in ParquetLayout.Tables.Append(ParquetLayout.SymbolsTable))
        {
            string path = ParquetLayout.TablePath(directory, table);
            File.Delete(path);
            File.Delete(path + ".tmp");
        }
    }

    public void Dispose() => _file.Dispose();
}
