using HandleEtw.Core.Analysis;
using System.Text.Json;
using HandleEtw.Core.Records;

namespace HandleEtw.Symbols;

/// <summary>Renders `stats --modules`: a text table, or JSON `{modules:[{pid, base, size, path, pdb_guid, ...}]}`.</summary>
public static class ModuleListing
{
    /// <summary>JSON with integer bases and sizes, guids as 8-4-4-4-12, times as seconds since trace start (null if unknown).</summary>
    public static void WriteJson(TextWriter output, IReadOnlyList<ModuleRecord> modules, TraceInfo info)
    {
        output.WriteLine(JsonOutput.Write(json =>
        {
            json.WriteStartObject();
            json.WriteStartArray("modules");
            foreach (var m in modules)
            {
                json.WriteStartObject();
                json.WriteNumber("pid", m.ProcessId);
                json.WriteNumber("base", m.Module.Base);
                json.WriteNumber("size", m.Module.Size);
                json.WriteString("path", m.Module.Path);
                if (m.Module.HasPdbIdentity) json.WriteString("pdb_guid", m.Module.PdbGuid.ToString("D"));
                else json.WriteNull("pdb_guid");
                if (m.Module.HasPdbIdentity) json.WriteNumber("pdb_age", m.Module.PdbAge);
                else json.WriteNull("pdb_age");
                json.WriteString("pdb_name", m.Module.PdbName);
                WriteTime(json, "load_time", m.LoadTime, info);
                WriteTime(json, "unload_time", m.UnloadTime, info);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }));
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

    private static void WriteTime(Utf8JsonWriter json, string name, long? timestamp, TraceInfo info)
    {
        if (timestamp is { } t) json.WriteNumber(name, Math.Round(info.ToRelativeTicks(t) / 1e7, 7));
        else json.WriteNull(name);
    }

    private static string Seconds(long? timestamp, TraceInfo info) =>
        timestamp is { } t ? (info.ToRelativeTicks(t) / 1e7).ToString("F3", System.Globalization.CultureInfo.InvariantCulture) : "-";
}
