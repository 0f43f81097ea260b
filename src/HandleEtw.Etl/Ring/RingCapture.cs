using HandleEtw.Core.Records;
using HandleEtw.Etl.Decoding;

namespace HandleEtw.Etl.Ring;

/// <summary>
/// One capture of a <see cref="HistoryRing"/> (at a trigger, Ctrl+C or the end of --duration): the context rundown at
/// the window's start, then every record the ring holds, into a target (an .etl writer, a decoder for Parquet). With
/// stack caching the kernel defines a cached stack key only when it leaves the cache or at the session's end, so the
/// capture stays open for the definitions of the keys its window references and takes them from the records that
/// follow (<see cref="OnLaterRecord"/>); it is complete once all are in, or at the end of the run.
/// </summary>
public sealed class RingCapture
{
    private readonly IRecordSink _target;
    private readonly HashSet<ulong> _undefined = new();

    private RingCapture(IRecordSink target) => _target = target;

    /// <summary>Raw timestamp of the window's first record.</summary>
    public long WindowStart { get; private init; }

    /// <summary>Raw timestamp of the window's last record.</summary>
    public long WindowEnd { get; private set; }

    /// <summary>Records copied from the ring.</summary>
    public long Records { get; private set; }

    /// <summary>Stack keys referenced in the window whose definition has not arrived yet.</summary>
    public int UndefinedKeys => _undefined.Count;

    public bool Complete => _undefined.Count == 0;

    /// <summary>Writes the context and the window to <paramref name="target"/>.</summary>
    public static RingCapture Take(HistoryRing ring, RingContext context, IRecordSink target)
    {
        var capture = new RingCapture(target) { WindowStart = ring.WindowStart };
        context.Prune(capture.WindowStart);
        context.WriteRundown(target, capture.WindowStart);
        ring.CopyTo(new Copier(capture));
        return capture;
    }

    /// <summary>A record after the capture: a definition of a key the window is waiting for goes in. True when the
    /// capture is complete.</summary>
    public bool OnLaterRecord(in EventRecord r)
    {
        if (IsDefinition(r) && StackWalkPayloads.TryReadDefinedKey(r, out ulong key) && _undefined.Remove(key))
            _target.OnRecord(r);
        return Complete;
    }

    private void Copy(in EventRecord r)
    {
        if (r.Group == KernelGroup.StackWalk)
        {
            if (r.Opcode is StackWalkPayloads.StackKeyKernel or StackWalkPayloads.StackKeyUser
                && StackWalkPayloads.TryReadKeyReference(r, out _, out ulong referenced))
                _undefined.Add(referenced);
            else if (IsDefinition(r) && StackWalkPayloads.TryReadDefinedKey(r, out ulong defined))
                _undefined.Remove(defined);
        }
        _target.OnRecord(r);
        WindowEnd = Math.Max(WindowEnd, r.Timestamp);
        Records++;
    }

    private static bool IsDefinition(in EventRecord r) =>
        r.Group == KernelGroup.StackWalk && r.Opcode is StackWalkPayloads.KeyDelete or StackWalkPayloads.KeyRundown;

    private sealed class Copier(RingCapture capture) : IRecordSink
    {
        public void OnRecord(in EventRecord record) => capture.Copy(record);
    }
}
