namespace HandleEtw.Tests;

/// <summary>Where the repository and the shared corpus are, from wherever the tests run.</summary>
public static class TestPaths
{
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>The real traces: `tests/corpus/etl` in the repository.</summary>
    public static string CorpusEtl { get; } = FindCorpus();

    /// <summary>The bundled sample, samples/leakyhandles.etl (the README's first command runs on it).</summary>
    public static string Sample { get; } = Path.Combine(RepoRoot, "samples", "leakyhandles.etl");

    public static string Corpus(string relative) => Path.Combine(CorpusEtl, relative);

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "HandleEtw.sln"))) return dir.FullName;
        throw new InvalidOperationException("HandleEtw.sln not found above " + AppContext.BaseDirectory);
    }

    private static string FindCorpus()
    {
        string candidate = Path.Combine(RepoRoot, "tests", "corpus", "etl");
        if (Directory.Exists(candidate)) return candidate;
        throw new InvalidOperationException("tests/corpus/etl not found in " + RepoRoot);
    }
}
