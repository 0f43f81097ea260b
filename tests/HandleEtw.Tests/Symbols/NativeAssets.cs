using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace HandleEtw.Tests.Symbols;

/// <summary>
/// The real PE + PDB built from tests/assets/native/symtest.c by scripts/build-native-testassets.sh, once per test run,
/// into a fresh temp folder. Missing tools fail the tests with the install hint (CI installs them in ci-setup.sh).
/// </summary>
public static class NativeAssets
{
    private static readonly Lazy<string> Built = new(Build);

    public static string Directory => Built.Value;
    public static string Exe => Path.Combine(Directory, "symtest.exe");
    public static string Pdb => Path.Combine(Directory, "symtest.pdb");
    public static string Map => Path.Combine(Directory, "symtest.map");

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

    /// <summary>Runs a tool to completion and returns its stdout; fails the test when it cannot run.</summary>
    public static string Run(string tool, params string[] args)
    {
        var info = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args) info.ArgumentList.Add(a);
        using var p = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {tool}");
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"{tool} {string.Join(' ', args)} failed ({p.ExitCode}): {stdout}{stderr.Result}");
        return stdout;
    }

    private static string Build()
    {
        if (OperatingSystem.IsWindows())
            throw new InvalidOperationException("native symbol assets are built with bash + clang + lld-link (Linux CI)");
        string output = Path.Combine(Path.GetTempPath(), "handleetw-native-assets-" + Guid.NewGuid().ToString("N"));
        string script = Path.Combine(TestPaths.RepoRoot, "scripts", "build-native-testassets.sh");
        try
        {
            Run("bash", script, output);
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            throw new InvalidOperationException(
                "native test assets could not be built; install clang, lld and llvm (scripts/ci-setup.sh does): " + e.Message, e);
        }
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { System.IO.Directory.Delete(output, recursive: true); } catch (IOException) { }
        };
        return output;
    }
}
