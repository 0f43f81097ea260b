using HandleEtw.Core.Events;
using Parquet;
using Parquet.Schema;

namespace HandleEtw.Parquet.Tables;

/// <summary>
/// `processes`: one row per process instance. A row is written when the process stops (or at the end), so memory
/// holds only the processes alive now. Also answers pid → process_key for the event rows.
/// </summary>
internal sealed class ProcessesTable : TableBuffer
{
    public static readonly DataField ProcessKey = new DataField<ulong>("process_key");
    public static readonly DataField Pid = new DataField<int>("pid");
    public static readonly DataField ParentPid = new DataField<int>("parent_pid");
    public static readonly DataField SessionId = new DataField<int>("session_id");
    public static readonly DataField Image = new DataField<string>("image", nullable: true);
    public static readonly DataField CommandLine = new DataField<string>("command_line", nullable: true);
    public static readonly DataField StartNs = new DataField<long?>("start_time_ns");
    public static readonly DataField EndNs = new DataField<long?>("end_time_ns");
    public static readonly DataField ExitStatus = new DataField<int?>("exit_status");
    public static readonly ParquetSchema Schema = new(ProcessKey, Pid, ParentPid, SessionId, Image, CommandLine,
        StartNs, EndNs, ExitStatus);

    private readonly TraceClock _clock;
    private readonly Dictionary<int, OpenProcess> _open = new();
    private readonly Dictionary<int, ulong> _keyByPid = new();
    private int _lastPid; // pid 0 has key 0 until a process event says otherwise, like any pid never seen
    private ulong _lastKey;
    private readonly RequiredColumn<ulong> _key;
    private readonly RequiredColumn<int> _pid, _parent, _session;
    private readonly StringColumn _image, _commandLine;
    private readonly NullableColumn<long> _start, _end;
    private readonly NullableColumn<int> _exit;

    public ProcessesTable(string path, ParquetWriteOptions options, TraceClock clock)
        : base(path, Schema, options, new Dictionary<string, EncodingHint>(), 64 * 1024)
    {
        _clock = clock;
        int n = Capacity;
        SetColumns(_key = new(ProcessKey, n), _pid = new(Pid, n), _parent = new(ParentPid, n),
            _session = new(SessionId, n), _image = new(Image, n), _commandLine = new(CommandLine, n),
            _start = new(StartNs, n), _end = new(EndNs, n), _exit = new(ExitStatus, n));
    }

    /// <summary>The kernel's unique key of the process that has (or last had) this pid; 0 when never seen. Asked for
    /// every event row, and events come in runs of one process, so the last answer is kept (and updated when that pid's process starts).</summary>
    public ulong KeyOf(int pid)
    {
        if (pid == _lastPid) return _lastKey;
        ulong key = _keyByPid.GetValueOrDefault(pid);
        (_lastPid, _lastKey) = (pid, key);
        return key;
    }

    public void On(in ProcessEvent e)
    {
        switch (e.Op)
        {
            case ProcessOp.Start:
            case ProcessOp.DCStart:
                Open(e, started: e.Op == ProcessOp.Start ? _clock.ToNanoseconds(e.Timestamp) : null);
                break;
            case ProcessOp.Stop:
                OpenProcess stopped = _open.TryGetValue(e.ProcessId, out var p) && p.Key == e.UniqueProcessKey
                    ? p : OpenFrom(e, null);
                _open.Remove(e.ProcessId);
                Emit(stopped with { EndNs = _clock.ToNanoseconds(e.Timestamp), ExitStatus = e.ExitStatus });
                break;
            default: // DCEnd, Defunct, Terminate: alive (or a zombie) at the end; make sure it has a row
                if (!_open.ContainsKey(e.ProcessId)) Open(e, started: null);
                break;
        }
    }

    /// <summary>Writes the rows of processes still alive, then the footer.</summary>
    public void Finish()
    {
        foreach (OpenProcess p in _open.Values) Emit(p);
        _open.Clear();
        Close();
    }

    private void Open(in ProcessEvent e, long? started)
    {
        if (_open.TryGetValue(e.ProcessId, out var previous) && previous.Key != e.UniqueProcessKey)
            Emit(previous); // pid reused without a stop we saw
        _open[e.ProcessId] = OpenFrom(e, started);
        _keyByPid[e.ProcessId] = e.UniqueProcessKey;
        if (e.ProcessId == _lastPid) _lastKey = e.UniqueProcessKey;
    }

    private static OpenProcess OpenFrom(in ProcessEvent e, long? started) =>
        new(e.UniqueProcessKey, e.ProcessId, e.ParentId, e.SessionId, e.ImageFileName, e.CommandLine, started, null, null);

    private void Emit(OpenProcess p)
    {
        int r = Row;
        _key.Values[r] = p.Key;
        _pid.Values[r] = p.Pid;
        _parent.Values[r] = p.Parent;
        _session.Values[r] = p.Session;
        _image.Values[r] = p.Image;
        _commandLine.Values[r] = p.CommandLine;
        _start.Set(r, p.StartNs);
        _end.Set(r, p.EndNs);
        _exit.Set(r, p.ExitStatus);
        Commit();
    }

    private readonly record struct OpenProcess(ulong Key, int Pid, int Parent, int Session, string? Image,
        string? CommandLine, long? StartNs, long? EndNs, int? ExitStatus);
}
