using System.Globalization;
using System.Text.RegularExpressions;

namespace HandleEtw.Tests.Symbols;

/// <summary>
/// The real PE + PDB (and link map) built from tests/assets/native/symtest.c, committed beside it; rebuild them with
/// scripts/build-native-testassets.sh (clang + lld), which also records their hashes in symtest.sha256.
/// </summary>
public static class NativeAssets
{
    public static string Directory => Path.Combine(TestPaths.RepoRoot, "tests", "assets", "native");
    public static string Exe => Path.Combine(Directory, "symtest.exe");
    public static string Pdb => Path.Combine(Directory, "symtest.pdb");
    public static string Map => Path.Combine(Directory, "symtest.map");
    public static string Hashes => Path.Combine(Directory, "symtest.sha256");

    /// <summary>Function name → RVA, from the linker's map file (`Rva+Base` minus the preferred load address).</summary>
    public static IReadOnlyDictionary<string, uint> FunctionRvas()
    {
        string map = File.ReadAllText(Map);
        ulong imageBase = ulong.Parse(Regex.Match(map, @"Preferred load address is ([0-9a-fA-F]+)").Groups[1].Value, NumberStyles.HexNumber);
        var rvas = new Dictionary<string, uint>();
        foreach (Match m in Regex.Matches(map, @"^\s*\d{4}:[0-9a-fA-F]{8}\s+(\w+)\s+([0-9a-fA-F]{16})\s", RegexOptions.Multiline))
            rvas[m.Groups[1].Value] = (uint)(ulong.Parse(m.Groups[2].Value, NumberStyles.HexNumber) - imageBase);
        return rvas;
    }
}
