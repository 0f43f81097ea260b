using HandleEtw.Core.Records;

namespace HandleEtw.Etl.Writing;

/// <summary>
/// Writes a record stream as a sequence of .etl files, NAME_001.etl, NAME_002.etl, … beside the path given: each a
/// standalone file with its own header, each ending where the next begins (so reading them as one timeline finds no
/// gap). A file is finished when the <see cref="RollPolicy"/> says so, measured in trace time, so a replay rolls
/// where a live run would.
/// </summary>
public sealed class RollingEtlWriter : IRecordSink, IDisposable
{
    private readonly string _directory;
    private readonly string _stem;
    private readonly TraceInfo _info;
    private readonly RollPolicy _policy;
    private readonly List<string> _files = [];
    private EtlFileWriter? _current;
    private long _fileStart;
    private long _last;

    /// <param name="path">The capture's name, e.g. `C:\traces\lsass.etl` gives `lsass_001.etl` … in that folder.</param>
    public RollingEtlWriter(string path, TraceInfo info, RollPolicy policy)
    {
        string full = Path.GetFullPath(path);
        _directory = Path.GetDirectoryName(full) ?? ".";
        _stem = Path.GetFileNameWithoutExtension(full);
        _info = info;
        _policy = policy;
    }

    /// <summary>The files written so far, in time order (the last one is still open until Dispose).</summary>
    public IReadOnlyList<string> Files => _files;

    /// <summary>Records too large for a buffer, over all files.</summary>
    public long OversizedRecords { get; private set; }

    public void OnRecord(in EventRecord record)
    {
        long time = record.Timestamp;
        if (_current is null) Open(Math.Min(time, _info.StartTimestamp > 0 ? _info.StartTimestamp : time));
        else if (_policy.IsDue(_current.Length, TimeSpan.FromTicks(_info.ToRelativeTicks(time) - _info.ToRelativeTicks(_fileStart))))
        {
            Finish(_current, time);
            Open(time);
        }
        _current!.OnRecord(record);
        _last = Math.Max(_last, time);
    }

    public void Dispose()
    {
        if (_current is not null) Finish(_current, _last);
        _current = null;
    }

    private void Open(long start)
    {
        string path = Path.Combine(_directory, $"{_stem}_{_files.Count + 1:D3}.etl");
        _current = EtlFileWriter.Create(path, _info, start);
        _files.Add(path);
        _fileStart = start;
    }

    private void Finish(EtlFileWriter file, long end)
    {
        file.Close(end);
        OversizedRecords += file.OversizedRecords;
    }
}
