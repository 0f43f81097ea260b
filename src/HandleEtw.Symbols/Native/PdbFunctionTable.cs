using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace HandleEtw.Symbols.Native;

/// <summary>
/// Function start RVAs of one native PDB (procedures with their sizes, plus public function symbols), read once from
/// `llvm-pdbutil dump --section-headers --publics --symbols`. Gives the `+0xOFFSET` from the function start, which
/// llvm-symbolizer does not report for PDBs.
/// </summary>
public sealed partial class PdbFunctionTable
{
    private readonly uint[] _starts;
    private readonly uint[] _sizes; // 0 = unknown (public symbol)
    private readonly string[] _names;

    private PdbFunctionTable(List<(uint Start, uint Size, string Name)> functions)
    {
        functions.Sort((a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : b.Size.CompareTo(a.Size));
        var unique = functions.Where((f, i) => i == 0 || functions[i - 1].Start != f.Start).ToArray();
        _starts = unique.Select(f => f.Start).ToArray();
        _sizes = unique.Select(f => f.Size).ToArray();
        _names = unique.Select(f => f.Name).ToArray();
    }

    public int Count => _starts.Length;

    /// <summary>The function containing <paramref name="rva"/>: its name and start; null when before the first.</summary>
    public (string Name, uint Start)? Find(uint rva)
    {
        int i = Array.BinarySearch(_starts, rva);
        if (i < 0) i = ~i - 1;
        if (i < 0) return null;
        if (_sizes[i] != 0 && rva >= (ulong)_starts[i] + _sizes[i]) return null;
        return (_names[i], _starts[i]);
    }

    /// <summary>Runs llvm-pdbutil on the PDB; null when the tool is missing or fails.</summary>
    public static PdbFunctionTable? TryLoad(string pdbPath, string? pdbutil = null)
    {
        pdbutil ??= LlvmTools.Find("llvm-pdbutil");
        if (pdbutil is null) return null;
        var info = new ProcessStartInfo(pdbutil) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[] { "dump", "--section-headers", "--publics", "--symbols", pdbPath }) info.ArgumentList.Add(arg);
        using var process = Process.Start(info);
        if (process is null) return null;
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        var table = Parse(process.StandardOutput);
        process.WaitForExit();
        return process.ExitCode == 0 ? table : null;
    }

    /// <summary>Parses the dump text: section RVAs first, then `S_*PROC32`/`S_PUB32` records and their `addr = SSSS:OOOO` lines.</summary>
    public static PdbFunctionTable Parse(TextReader dump)
    {
        var sectionRvas = new List<uint>();
        var pending = new List<(int Section, uint Offset, uint Size, string Name)>();
        string? record = null;
        bool isPublic = false;
        for (string? line = dump.ReadLine(); line != null; line = dump.ReadLine())
        {
            if (VirtualAddress().Match(line) is { Success: true } va)
            {
                sectionRvas.Add(uint.Parse(va.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                continue;
            }
            if (RecordHeader().Match(line) is { Success: true } header)
            {
                isPublic = header.Groups[1].Value == "PUB32";
                record = header.Groups[2].Value;
                continue;
            }
            if (record is null || Address().Match(line) is not { Success: true } addr) continue;
            if (!isPublic || line.Contains("function", StringComparison.Ordinal))
            {
                uint size = addr.Groups[3].Success ? uint.Parse(addr.Groups[3].Value, CultureInfo.InvariantCulture) : 0;
                pending.Add((int.Parse(addr.Groups[1].Value, CultureInfo.InvariantCulture),
                    uint.Parse(addr.Groups[2].Value, CultureInfo.InvariantCulture), size, record));
            }
            record = null;
        }
        var functions = new List<(uint, uint, string)>(pending.Count);
        foreach (var (section, offset, size, name) in pending)
            if (section >= 1 && section <= sectionRvas.Count) functions.Add((sectionRvas[section - 1] + offset, size, name));
        return new PdbFunctionTable(functions);
    }

    [GeneratedRegex(@"^\s+([0-9A-Fa-f]+) virtual address$")]
    private static partial Regex VirtualAddress();

    [GeneratedRegex(@"\|\s+S_(GPROC32|LPROC32|GPROC32_ID|LPROC32_ID|PUB32) \[size = \d+\] `(.*)`$")]
    private static partial Regex RecordHeader();

    [GeneratedRegex(@"addr = (\d{4}):(\d+)(?:, code size = (\d+))?")]
    private static partial Regex Address();
}
