using System.Globalization;
using System.Runtime.InteropServices;
using HandleEtw.Core.Events;
using HandleEtw.Core.Records;
using HandleEtw.Core.Stacks;
using HandleEtw.Etl.Decoding;
using HandleEtw.Etl.File;

namespace HandleEtw.Bench;

/// <summary>
/// The decoder and the stack join alone, without the read walk: the first records of an .etl file are copied into
/// memory once, then pushed again and again to (1) a sink that only counts them (the replay's own cost, the
/// baseline), (2) the decoder with stack records dropped, (3) the whole decoder with the stack join. Figures are CPU
/// nanoseconds of this thread per record, medians over the rounds, the replay's own cost taken off.
/// </summary>
public sealed class ReplayBenchmark : IBenchmark
{
    public string Name => "replay";
    public string Description => "decode and stack-join CPU ns per record, replayed from memory (args: FILE [records] [rounds] [--only STAGE] for a profile of one stage)";

    public int Run(string[] args)
    {
        if (args.Length == 0 || !File.Exists(args[0]))
        {
            Console.Error.WriteLine("usage: replay FILE [records] [rounds] [--only STAGE]");
            return 2;
        }
        int limit = args.Length > 1 && int.TryParse(args[1], out int n) && n > 0 ? n : 4_000_000;
        int rounds = args.Length > 2 && int.TryParse(args[2], out int r) && r > 0 ? r : 5;
        var records = new RecordCopy();
        using (var source = EtlFileSource.Open(args[0])) records.Capture(source, limit);
        var stages = new (string Name, Func<IRecordSink> Sink, Action<IRecordSink> End)[]
        {
            ("replay only", () => new CountingSink(), _ => { }),
            ("decode (stacks dropped)", () => new WithoutStacks(NewDecoder()), s => ((WithoutStacks)s).Decoder.Finish()),
            ("decode + stack join", NewDecoder, s => ((TraceDecoder)s).Finish()),
        };
        int only = Array.IndexOf(args, "--only") is int at and >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : -1;
        var ns = stages.Select(_ => new List<double>()).ToArray();
        for (int round = -1; round < rounds; round++) // round -1 warms up
            for (int s = 0; s < stages.Length; s++)
            {
                if (only >= 0 && s != only) { ns[s].Add(0); continue; }
                IRecordSink sink = stages[s].Sink();
                double before = ThreadCpuClock.Seconds() ?? 0;
                records.Push(sink);
                stages[s].End(sink);
                double seconds = (ThreadCpuClock.Seconds() ?? 0) - before;
                if (round >= 0) ns[s].Add(seconds * 1e9 / records.Count);
            }
        var c = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(c, $"{args[0]}: first {records.Count:N0} records, median of {rounds} rounds, thread CPU"));
        Console.WriteLine("| stage | ns/record | ns/record less replay | ÷ replay | fastest round, less replay |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        double replay = Medians.Of(ns[0]), fastestReplay = ns[0].Min();
        for (int s = 0; s < stages.Length; s++)
        {
            double m = Medians.Of(ns[s]);
            Console.WriteLine(string.Create(c, $"| {stages[s].Name} | {m:F1} | {m - replay:F1} | {m / replay:F2} | {ns[s].Min() - fastestReplay:F1} |"));
        }
        return 0;
    }

    private static TraceDecoder NewDecoder() => new(new TraceInfo(), new StackTable(), new NoConsumer());

    /// <summary>Records held in memory: header fields and the payload and extended data bytes, back to back.</summary>
    private sealed class RecordCopy : IRecordSink
    {
        private readonly List<Row> _rows = new();
        private byte[] _bytes = new byte[1 << 20];
        private long _used;
        private int _limit;

        public int Count => _rows.Count;

        public void Capture(EtlFileSource source, int limit)
        {
            _limit = limit;
            using var stop = new CancellationTokenSource();
            _stop = stop;
            try
            {
                source.Read(this, stop.Token);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // the first records are enough
            }
        }

        private CancellationTokenSource? _stop;

        public void OnRecord(in EventRecord r)
        {
            if (_rows.Count >= _limit) { _stop!.Cancel(); return; }
            int payload = Append(r.Payload), extended = Append(r.ExtendedData);
            _rows.Add(new Row(r.Group, r.Opcode, r.Version, r.ProviderId, r.EventId, r.Header, r.PointerSize, r.ProcessId,
                r.ThreadId, r.Cpu, r.Timestamp, payload, r.Payload.Length, extended, r.ExtendedData.Length));
        }

        private int Append(ReadOnlySpan<byte> bytes)
        {
            if (_used + bytes.Length > _bytes.Length) Array.Resize(ref _bytes, (int)Math.Min(Array.MaxLength, _bytes.Length * 2L));
            int at = (int)_used;
            bytes.CopyTo(_bytes.AsSpan(at));
            _used += bytes.Length;
            return at;
        }

        /// <summary>Pushes the records a block at a time, each block first copied into one small buffer, as a reader
        /// hands on records from the buffer it has just read: payloads are then in cache, as in a real read.</summary>
        public void Push(IRecordSink sink)
        {
            Span<Row> rows = CollectionsMarshal.AsSpan(_rows);
            for (int first = 0; first < rows.Length;)
            {
                int start = rows[first].Payload, end = first;
                while (end < rows.Length && End(rows[end]) - start <= _block.Length) end++;
                if (end == first) end++; // one record larger than the block: pushed from where it is
                ReadOnlySpan<byte> block = Stage(start, End(rows[end - 1]) - start);
                for (int i = first; i < end; i++) sink.OnRecord(ToRecord(rows[i], block, start));
                first = end;
            }
        }

        private readonly byte[] _block = new byte[256 << 10];

        private ReadOnlySpan<byte> Stage(int start, int length)
        {
            if (length > _block.Length) return _bytes.AsSpan(start, length);
            _bytes.AsSpan(start, length).CopyTo(_block);
            return _block.AsSpan(0, length);
        }

        private static int End(in Row r) => r.Extended + r.ExtendedLength;

        private static EventRecord ToRecord(in Row r, ReadOnlySpan<byte> block, int start) => new()
        {
            Group = r.Group, Opcode = r.Opcode, Version = r.Version, ProviderId = r.Provider, EventId = r.EventId,
            Header = r.Header, PointerSize = r.PointerSize, ProcessId = r.Pid, ThreadId = r.Tid, Cpu = r.Cpu,
            Timestamp = r.Timestamp, Payload = block.Slice(r.Payload - start, r.PayloadLength),
            ExtendedData = block.Slice(r.Extended - start, r.ExtendedLength),
        };

        private readonly record struct Row(KernelGroup Group, byte Opcode, byte Version, Guid Provider, ushort EventId,
            HeaderKind Header, byte PointerSize, int Pid, int Tid, ushort Cpu, long Timestamp, int Payload, int PayloadLength,
            int Extended, int ExtendedLength);
    }

    private sealed class WithoutStacks(TraceDecoder decoder) : IRecordSink
    {
        public TraceDecoder Decoder => decoder;

        public void OnRecord(in EventRecord record)
        {
            if (record.Group != KernelGroup.StackWalk) decoder.OnRecord(record);
        }
    }

    private sealed class NoConsumer : TraceConsumer;
}
