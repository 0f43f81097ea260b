using System.Runtime.InteropServices;
using HandleEtw.Core.Events;
using HandleEtw.Core.Records;
using HandleEtw.Etl.Decoding;

namespace HandleEtw.Etl.Ring;

/// <summary>
/// What a ring's window needs from before it to stand alone: the start record of every process and image that is
/// alive in it (or ended inside it), and every object type name. Written ahead of the window as a rundown
/// (process and image DCStart, object TypeDCStart at the window's start), the way a kernel session opens a file.
/// Bounded by the processes, images and types alive, not by time.
/// </summary>
public sealed class RingContext : IRecordSink
{
    private sealed class Held(RawRecordHeader header, byte[] payload)
    {
        public RawRecordHeader Header = header;
        public readonly byte[] Payload = payload;
        public long EndedAt = long.MaxValue;
    }

    private readonly Dictionary<int, Held> _processes = new();
    private readonly Dictionary<(int Pid, ulong Base), Held> _images = new();
    private readonly SortedDictionary<ushort, Held> _types = new();
    private readonly List<Held> _ended = new();

    public int Processes => _processes.Count;
    public int Images => _images.Count;

    public void OnRecord(in EventRecord r)
    {
        if (r.Group == KernelGroup.Process && ProcessPayloads.TryRead(r, out ProcessEvent p)) OnProcess(r, p);
        else if (ImagePayloads.IsImageEvent(r) && ImagePayloads.TryRead(r, out ImageEvent i)) OnImage(r, i);
        else if (ObjectPayloads.IsTypeEvent(r) && ObjectPayloads.TryReadObjectType(r, out ushort index, out _))
            _types[index] = Hold(r, KernelGroup.Object, ObjectPayloads.TypeDCStart);
    }

    /// <summary>A type name known from elsewhere (the live start inventory), kept as a TypeDCStart record.</summary>
    public void AddObjectType(ushort index, string name, int pointerSize)
    {
        byte[] payload = new byte[4 + 2 * (name.Length + 1)];
        MemoryMarshal.Write(payload, in index);
        MemoryMarshal.AsBytes(name.AsSpan()).CopyTo(payload.AsSpan(4));
        var header = new RawRecordHeader
        {
            Group = KernelGroup.Object, ProviderId = KernelTasks.ObjectTaskId, Opcode = ObjectPayloads.TypeDCStart,
            Version = 2, Header = HeaderKind.System, PointerSize = (byte)pointerSize, ProcessId = -1, ThreadId = -1,
        };
        _types[index] = new Held(header, payload);
    }

    /// <summary>Forgets what ended before <paramref name="windowStart"/>: the window no longer mentions it.</summary>
    public void Prune(long windowStart) => _ended.RemoveAll(h => h.EndedAt < windowStart);

    /// <summary>The rundown for a window starting at <paramref name="at"/>: processes, then images, then types.</summary>
    public void WriteRundown(IRecordSink sink, long at)
    {
        IEnumerable<Held> all = _processes.Values
            .Concat(_ended.Where(h => h.Header.Group == KernelGroup.Process))
            .Concat(_images.Values).Concat(_ended.Where(h => h.Header.Group == KernelGroup.Image))
            .Concat(_types.Values);
        foreach (Held h in all)
        {
            RawRecordHeader header = h.Header;
            header.Timestamp = at;
            sink.OnRecord(header.ToRecord(h.Payload, default));
        }
    }

    private void OnProcess(in EventRecord r, in ProcessEvent e)
    {
        if (e.Op is ProcessOp.Start or ProcessOp.DCStart)
            _processes[e.ProcessId] = Hold(r, KernelGroup.Process, ProcessPayloads.DCStart);
        else if (e.Op is ProcessOp.Stop or ProcessOp.DCEnd or ProcessOp.Terminate && _processes.Remove(e.ProcessId, out Held? held))
            End(held, r.Timestamp);
    }

    private void OnImage(in EventRecord r, in ImageEvent e)
    {
        var key = (e.ProcessId, e.ImageBase);
        if (e.Op is ImageOp.Load or ImageOp.DCStart)
            _images[key] = Hold(r, KernelGroup.Image, ImagePayloads.DCStart);
        else if (e.Op is ImageOp.Unload or ImageOp.DCEnd && _images.Remove(key, out Held? held))
            End(held, r.Timestamp);
    }

    private void End(Held held, long at)
    {
        held.EndedAt = at;
        _ended.Add(held);
    }

    /// <summary>A copy of the record as the rundown event of its group (a legacy Process-group image load becomes an
    /// Image DCStart: the same payload).</summary>
    private static Held Hold(in EventRecord r, KernelGroup group, byte opcode)
    {
        RawRecordHeader header = RawRecordHeader.From(r);
        header.Group = group;
        header.ProviderId = KernelTasks.TaskId(group);
        header.Opcode = opcode;
        header.ExtendedDataLength = 0;
        return new Held(header, r.Payload.ToArray());
    }
}
