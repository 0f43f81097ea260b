using System.Runtime.InteropServices;
using HandleEtw.Core.Records;
using HandleEtw.Core.Text;

namespace HandleEtw.Etl.Statistics;

/// <summary>
/// Counts raw records by kind, platform-neutral (file or live). Kernel kinds are named as TraceEvent names them
/// ("Object/CreateHandle", "StackWalk/Stack"); KernelTraceControl kinds as "KernelTraceControl/ImageID/DbgID_RSDS";
/// other providers "Name/EventId" (GUID when the name is unknown). Counting allocates nothing per record once a
/// kind has been seen.
/// </summary>
public sealed class RecordStatistics : IRecordSink
{
    private readonly long[] kernelCounts = new long[256 * 256];
    private readonly Dictionary<KindKey, long> otherCounts = new(KindKeyComparer.Instance);

    public long Events { get; private set; }
    public long FirstTimestamp { get; private set; }
    public long LastTimestamp { get; private set; }

    public void OnRecord(in EventRecord record)
    {
        if (Events++ == 0) FirstTimestamp = record.Timestamp;
        LastTimestamp = record.Timestamp;
        if (record.IsKernel && (ushort)record.Group < 256)
        {
            kernelCounts[((ushort)record.Group << 8) | record.Opcode]++;
            return;
        }
        var key = new KindKey(record.Header, record.ProviderId, record.Opcode, record.EventId);
        CollectionsMarshal.GetValueRefOrAddDefault(otherCounts, key, out _)++;
    }

    /// <summary>Count per kind name, sorted by name (ordinal).</summary>
    public SortedDictionary<string, long> ByKind()
    {
        var result = new SortedDictionary<string, long>(StartupText.Ordinal);
        for (int hook = 0; hook < kernelCounts.Length; hook++)
        {
            if (kernelCounts[hook] == 0) continue;
            Add(result, KernelKindName((KernelGroup)(hook >> 8), (byte)hook), kernelCounts[hook]);
        }
        foreach (var (key, count) in otherCounts) Add(result, key.Name(), count);
        return result;
    }

    /// <summary>The kind name of a record (allocates: for reports and tests, not per record in a pipeline).</summary>
    public static string KindName(in EventRecord record) =>
        record.IsKernel && (ushort)record.Group < 256
            ? KernelKindName(record.Group, record.Opcode)
            : new KindKey(record.Header, record.ProviderId, record.Opcode, record.EventId).Name();

    private static string KernelKindName(KernelGroup group, byte opcode) =>
        KernelTasks.EventName(group, opcode) ?? $"Kernel(0x{(ushort)group:X2})/Opcode({opcode})";

    /// <summary>Count of one kind name (0 when absent).</summary>
    public long Count(string kind) => ByKind().GetValueOrDefault(kind);

    private static void Add(SortedDictionary<string, long> result, string name, long count) =>
        result[name] = result.TryGetValue(name, out long before) ? before + count : count;

    private readonly record struct KindKey(HeaderKind Header, Guid Provider, byte Opcode, ushort EventId)
    {
        public string Name()
        {
            if (Header is HeaderKind.EventHeader)
                return $"{ProviderNames.Find(Provider) ?? Provider.ToString()}/{EventId}";
            string? kernel = KernelTasks.EventName(Provider, Opcode);
            if (kernel != null) return kernel;
            string? control = KernelTasks.KernelTraceControlEventName(Provider, Opcode);
            if (control != null) return "KernelTraceControl/" + control;
            return $"{Provider}/Opcode({Opcode})";
        }
    }

    /// <summary>Field by field: the runtime's default comparer for this struct would be compiled at start-up.</summary>
    private sealed class KindKeyComparer : IEqualityComparer<KindKey>
    {
        public static readonly KindKeyComparer Instance = new();

        public bool Equals(KindKey x, KindKey y) =>
            x.Header == y.Header && x.Opcode == y.Opcode && x.EventId == y.EventId && x.Provider == y.Provider;

        public int GetHashCode(KindKey key) =>
            key.Provider.GetHashCode() ^ ((int)key.Header << 24) ^ (key.Opcode << 16) ^ key.EventId;
    }
}
