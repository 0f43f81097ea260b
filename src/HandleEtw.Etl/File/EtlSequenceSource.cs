using HandleEtw.Core.Events;
using HandleEtw.Core.Records;

namespace HandleEtw.Etl.File;

/// <summary>
/// Several .etl files read as one timeline in time order: the files of a rolled capture (Windows' new-file mode,
/// `record --roll`) or traces recorded one after another. Records pass on file after file into one decoder, so stack
/// keys, handle tables and processes carry across files; before each later file the sink hears of the boundary
/// (<see cref="ISegmentSink"/>) so its start rundown can be reconciled. Time no file covers between two files is a
/// gap: recorded in <see cref="TraceInfo.Gaps"/>, and every result is then lossy. A file whose header ends at its own
/// last event says nothing about the quiet time after it (writers that stamp the end at the last record, as Windows'
/// new-file mode can): when the next file is on the same clock, that quiet time is not a gap. Files that overlap in
/// time are not one recording and are refused.
/// </summary>
public sealed class EtlSequenceSource : IRecordSource, IReportsProgress
{
    private readonly EtlFileSource[] _files;
    private readonly SequenceClock[] _clocks;
    private readonly long _tolerance;
    /// <summary>Boundaries whose gap is already decided (the rest are measured once the earlier file is read).</summary>
    private readonly bool[] _gapChecked;

    private EtlSequenceSource(EtlFileSource[] files)
    {
        _files = files;
        TraceInfo first = files[0].Info;
        Info = new TraceInfo
        {
            Source = first.Source, SessionName = first.SessionName, HostName = first.HostName,
            StartUtc = first.StartUtc, EndUtc = files[^1].Info.EndUtc, ClockFrequency = first.ClockFrequency,
            ClockType = first.ClockType, StartTimestamp = first.StartTimestamp, PointerSize = first.PointerSize,
            OsVersion = first.OsVersion, OsBuild = first.OsBuild, Processors = files.Max(f => f.Info.Processors),
            LogFileMode = first.LogFileMode, BufferSize = first.BufferSize,
            SourceFiles = files.Select(f => f.Info.Source).ToArray(),
        };
        _tolerance = (long)(ContiguousSeconds * first.ClockFrequency);
        _clocks = files.Select(f => SequenceClock.For(f.Info, first, _tolerance)).ToArray();
        long totalBytes = 0;
        foreach (var f in files) totalBytes += f.Progress.TotalBytes;
        Progress = new ReadProgress(totalBytes);
        foreach (EtlFileSource f in files)
        {
            f.Progress = Progress;
            f.PartOfSequence = true;
        }
        foreach (EtlFileSource f in files) AddCounters(f.Info, +1);
        _gapChecked = new bool[files.Length];
        for (int i = 0; i + 1 < files.Length; i++)
        {
            if (files[i].Info.EndUtc == default) continue;
            RefuseOverlap(i);
            // Files on another clock are not one session: their headers alone show the gap.
            if (!_clocks[i].IsIdentity || !_clocks[i + 1].IsIdentity) _gapChecked[i] = CheckGap(i);
        }
    }

    /// <summary>Files closer than this (the end in one header, the start in the next) are contiguous.</summary>
    public const double ContiguousSeconds = 1.0;

    public TraceInfo Info { get; }

    /// <summary>Bytes read of all the files together.</summary>
    public ReadProgress Progress { get; }

    /// <summary>Read-ahead on every file (see <see cref="EtlFileSource.ReadAhead"/>).</summary>
    public bool ReadAhead
    {
        get => _files[0].ReadAhead;
        set { foreach (EtlFileSource f in _files) f.ReadAhead = value; }
    }

    /// <summary>Opens every file and orders them by start time; throws <see cref="TraceFormatException"/> for a file
    /// that is not ETL or for files that overlap in time.</summary>
    public static EtlSequenceSource Open(IReadOnlyList<string> paths)
    {
        if (paths.Count == 0) throw new ArgumentException("no files", nameof(paths));
        var opened = new List<EtlFileSource>(paths.Count);
        try
        {
            foreach (string path in paths) opened.Add(EtlFileSource.Open(path));
            return new EtlSequenceSource(opened.OrderBy(f => f.Info.StartUtc).ThenBy(f => f.Info.StartTimestamp).ToArray());
        }
        catch
        {
            foreach (EtlFileSource f in opened) f.Dispose();
            throw;
        }
    }

    /// <summary>One file as itself, several as one timeline.</summary>
    public static IRecordSource OpenAll(IReadOnlyList<string> paths) =>
        paths.Count == 1 ? EtlFileSource.Open(paths[0]) : Open(paths);

    public void Read(IRecordSink sink, CancellationToken cancel = default)
    {
        Progress.Restart();
        for (int i = 0; i < _files.Length; i++)
        {
            EtlFileSource file = _files[i];
            if (i > 0) (sink as ISegmentSink)?.OnSegment(new TraceSegment(i, file.Info.Source, _clocks[i].Map(file.Info.StartTimestamp)));
            AddCounters(file.Info, -1);
            file.Read(_clocks[i].IsIdentity ? sink : new RebasingSink(sink, _clocks[i]), cancel);
            AddCounters(file.Info, +1);
            if (i + 1 < _files.Length && !_gapChecked[i]) _gapChecked[i] = CheckGap(i);
        }
        if (_files[^1].Info.EndUtc != default) Info.EndUtc = _files[^1].Info.EndUtc;
    }

    /// <summary>Refuses file i+1 when it starts before file i ends (checked from the headers, before reading).</summary>
    private void RefuseOverlap(int i)
    {
        TraceInfo before = _files[i].Info, after = _files[i + 1].Info;
        long end = _clocks[i].Map(before.FromUtc(before.EndUtc));
        long start = _clocks[i + 1].Map(after.StartTimestamp);
        if (end - start > _tolerance)
            throw new TraceFormatException(
                $"{after.Source} starts {Info.ToRelativeTicks(end) / 1e7 - Info.ToRelativeTicks(start) / 1e7:0.###} s " +
                $"before {before.Source} ends: files that overlap in time are not one recording", 0);
    }

    /// <summary>After file i is read: records the time between it and file i+1 that no file covers.</summary>
    private bool CheckGap(int i)
    {
        TraceInfo before = _files[i].Info, after = _files[i + 1].Info;
        long end = _clocks[i].Map(before.FromUtc(before.EndUtc));
        long start = _clocks[i + 1].Map(after.StartTimestamp);
        if (start - end > _tolerance && !EndsAtLastEvent(i)) Info.Gaps.Add(new TraceGap(end, start, before.Source, after.Source));
        return true;
    }

    /// <summary>File i ends at its last event (its header gives no end, or the one its last record has, to FILETIME's
    /// 100 ns) and file i+1 runs on the same clock: one session whose header does not say how long it stayed quiet
    /// after that event. An end even one tick later is the writer's word that the file covered that time.</summary>
    private bool EndsAtLastEvent(int i)
    {
        EtlFileSource file = _files[i];
        if (!_clocks[i].IsIdentity || !_clocks[i + 1].IsIdentity || file.LastTimestamp == 0) return false;
        long end = file.Info.FromUtc(file.Info.EndUtc);
        long rounding = Math.Max(1, file.Info.ClockFrequency / 10_000_000 + 1);
        return end <= file.LastTimestamp && file.LastTimestamp - end <= rounding;
    }

    /// <summary>Adds (sign +1) or removes (-1) one file's counters from the timeline's totals.</summary>
    private void AddCounters(TraceInfo file, int sign)
    {
        Info.Buffers += sign * file.Buffers;
        Info.CompressedBuffers += sign * file.CompressedBuffers;
        Info.DamagedBuffers += sign * file.DamagedBuffers;
        Info.DamagedBytes += sign * file.DamagedBytes;
        Info.SkippedRecords += sign * file.SkippedRecords;
        Info.DamagedRecords += sign * file.DamagedRecords;
        Info.EventsLost += sign * file.EventsLost;
        Info.BuffersLost += sign * file.BuffersLost;
    }

    public void Dispose()
    {
        foreach (EtlFileSource f in _files) f.Dispose();
    }
}
