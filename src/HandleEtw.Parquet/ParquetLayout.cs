namespace HandleEtw.Parquet;

/// <summary>Where a trace's tables go: `DIR/TABLE.parquet`, or Hive-style `DIR/host=H/date=YYYY-MM-DD/trace=START/`.
/// The trace level keeps two traces of one machine on one day apart (before and after a fix); converting the same
/// trace again replaces its own partition.</summary>
public static class ParquetLayout
{
    public static readonly string[] Tables = ["events", "stacks", "modules", "processes", "live_handles", "object_types", "methods", "meta"];

    /// <summary>Written by `symbolize` (or `convert --symbols`) beside the others.</summary>
    public const string SymbolsTable = "symbols";

    public static string TableDirectory(string root, bool partition, string host, DateTime traceStartUtc) =>
        partition
            ? Path.Combine(root, "host=" + PartitionValue(host),
                "date=" + traceStartUtc.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
                "trace=" + TraceValue(traceStartUtc))
            : root;

    /// <summary>The trace's UTC start to 100 ns, e.g. `20260314T101500.1234567Z` (no ':' so it is a path segment
    /// everywhere; sorts by time).</summary>
    public static string TraceValue(DateTime traceStartUtc) =>
        traceStartUtc.ToString("yyyyMMdd'T'HHmmss.fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    public static string TablePath(string directory, string table) => Path.Combine(directory, table + ".parquet");

    /// <summary>The host to record: the one given, else the trace's own, else the file name without extension.</summary>
    public static string HostFor(string? given, string? fromTrace, string sourcePath)
    {
        if (!string.IsNullOrWhiteSpace(given)) return given.Trim();
        if (!string.IsNullOrWhiteSpace(fromTrace)) return fromTrace.Trim();
        string stem = Path.GetFileNameWithoutExtension(sourcePath);
        return stem.Length > 0 ? stem : "unknown";
    }

    /// <summary>A partition value that is one safe path segment and parses back unchanged.</summary>
    public static string PartitionValue(string value)
    {
        var chars = value.ToCharArray();
        for (int i = 0; i < chars.Length; i++)
            if (!(char.IsLetterOrDigit(chars[i]) || chars[i] is '-' or '_' or '.')) chars[i] = '_';
        string safe = new(chars);
        return safe.Trim('.').Length == 0 ? "unknown" : safe;
    }
}
