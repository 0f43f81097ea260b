namespace HandleEtw.Cli.Commands;

/// <summary>The .etl files named on a command line: files as given, a folder as the .etl files in it.</summary>
public static class TraceFiles
{
    public static IReadOnlyList<string> Expand(IReadOnlyList<string> paths)
    {
        if (paths.Count == 0) throw new UserErrorException("no trace given");
        var files = new List<string>();
        foreach (string path in paths)
        {
            if (Directory.Exists(path)) files.AddRange(InFolder(path));
            else if (File.Exists(path)) files.Add(InputFile.RequireRegular(path));
            else throw new UserErrorException($"{path}: no such file");
        }
        return files;
    }

    public static bool HasEtlFiles(string folder) => EtlFilesIn(folder).Any();

    /// <summary>The folder's .etl files (not its subfolders'); the sequence orders them by the time they start.</summary>
    private static IEnumerable<string> InFolder(string folder)
    {
        string[] found = EtlFilesIn(folder).Order(StringComparer.Ordinal).ToArray();
        if (found.Length == 0) throw new UserErrorException($"{folder}: is a directory with no .etl files in it");
        return found.Select(InputFile.RequireRegular);
    }

    private static IEnumerable<string> EtlFilesIn(string folder) =>
        Directory.EnumerateFiles(folder).Where(f => f.EndsWith(".etl", StringComparison.OrdinalIgnoreCase));
}
