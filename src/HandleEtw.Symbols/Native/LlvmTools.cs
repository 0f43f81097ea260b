namespace HandleEtw.Symbols.Native;

/// <summary>Finds LLVM tools on PATH under their plain or versioned Debian names (`llvm-symbolizer-14`).</summary>
public static class LlvmTools
{
    private static readonly string[] Versions = ["", "-19", "-18", "-17", "-16", "-15", "-14", "-13"];

    public static string? Find(string tool)
    {
        string? path = Environment.GetEnvironmentVariable("PATH");
        if (path is null) return null;
        string suffix = OperatingSystem.IsWindows() ? ".exe" : "";
        foreach (string version in Versions)
            foreach (string dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            {
                string candidate = Path.Combine(dir, tool + version + suffix);
                if (File.Exists(candidate)) return candidate;
            }
        return null;
    }
}
