using HandleEtw.Core.Json;
using HandleEtw.Core.Records;

namespace HandleEtw.Symbols;

/// <summary>Renders `stats --modules`: a text table, or JSON (docs/json.md).</summary>
public static class ModuleListing
{
    /// <summary>JSON with hex-string bases, guids as 8-4-4-4-12, times as seconds since trace start (null if unknown).</summary>
    public static void WriteJson(TextWriter output, IReadOnlyList<ModuleRecord> modules, TraceInfo info)
    {
        var rows = modules.Select(m => new ModuleJson(m.ProcessId, new Hex(m.Module.Base), m.Module.Size, m.Module.Path,
            m.Module.HasPdbIdentity ? m.Module.PdbGuid.ToString("D") : null,
            m.Module.HasPdbIdentity ? m.Module.PdbAge : null, m.Module.PdbName,
            Seconds(m.LoadTime), Seconds(m.UnloadTime))).ToList();
        output.WriteLine(JsonContract.Write(new ModulesJson(info.Lossy, DamageJson.Of(info), rows)));

        double? Seconds(long? timestamp) => timestamp is { } t ? Math.Round(info.ToRelativeTicks(t) / 1e7, 7) : null;
    }

    public static void WriteText(TextWriter output, IReadOnlyList<ModuleRecord> modules, TraceInfo info)
    {
        output.WriteLine($"{"PID",7}  {"BASE",18}  {"SIZE",10}  {"LOADED s",9}  {"UNLOADED s",10}  PDB  PATH");
        foreach (var m in modules)
        {
            string pdb = m.Module.HasPdbIdentity ? m.Module.DescribePdb() : "-";
            output.WriteLine($"{m.ProcessId,7}  0x{m.Module.Base:x16}  0x{m.Module.Size:x8}  {Seconds(m.LoadTime, info),9}  " +
                             $"{Seconds(m.UnloadTime, info),10}  {pdb}  {m.Module.Path}");
        }
    }

    private static string Seconds(long? timestamp, TraceInfo info) =>
        timestamp is { } t ? (info.ToRelativeTicks(t) / 1e7).ToString("F3", System.Globalization.CultureInfo.InvariantCulture) : "-";
}
