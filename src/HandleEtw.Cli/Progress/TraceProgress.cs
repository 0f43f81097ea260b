using HandleEtw.Core.Records;
using HandleEtw.Etl;

namespace HandleEtw.Cli.Progress;

/// <summary>
/// The progress line on stderr while a long command reads a trace, rewritten in place a few times a second and
/// cleared when the read ends. Shown only on a terminal, never with --json or --quiet, and only once a read has taken
/// longer than <see cref="FirstAfter"/> (short reads stay silent).
/// </summary>
public sealed class TraceProgress(TextWriter error, TimeProvider clock)
{
    public static readonly TimeSpan FirstAfter = TimeSpan.FromMilliseconds(500);
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);
    private readonly TextWriter _error = error;
    private readonly TimeProvider _clock = clock;

    /// <summary>The display for this command, or null when nothing should be shown.</summary>
    public static TraceProgress? For(TextWriter error, bool json, bool quiet) =>
        ShouldShow(IsTerminal(error), json, quiet) ? new TraceProgress(error, TimeProvider.System) : null;

    public static bool ShouldShow(bool errorIsTerminal, bool json, bool quiet) => errorIsTerminal && !json && !quiet;

    /// <summary>Stderr itself (not a writer a test or a caller supplied), attached to a terminal.</summary>
    private static bool IsTerminal(TextWriter error) => ReferenceEquals(error, Console.Error) && !Console.IsErrorRedirected;

    /// <summary>Shows the progress of one read of <paramref name="source"/> until disposed; sources without progress show nothing.</summary>
    public Watcher Watch(IRecordSource source) => new(this, (source as IReportsProgress)?.Progress);

    /// <summary>One read: the timer calls <see cref="Tick"/>; dispose stops the timer and clears the line.</summary>
    public sealed class Watcher : IDisposable
    {
        private readonly TraceProgress _owner;
        private readonly ReadProgress? _progress;
        private readonly long _started;
        private readonly ITimer? _timer;
        private readonly object _gate = new();
        private TimeSpan? _lastWritten;
        private bool _done;

        internal Watcher(TraceProgress owner, ReadProgress? progress)
        {
            _owner = owner;
            _progress = progress;
            _started = owner._clock.GetTimestamp();
            if (progress is not null) _timer = owner._clock.CreateTimer(_ => Tick(), null, Interval, Interval);
        }

        /// <summary>Writes the line when it is due: after <see cref="FirstAfter"/>, then every <see cref="Interval"/>.</summary>
        public void Tick()
        {
            lock (_gate)
            {
                if (_done || _progress is null) return;
                TimeSpan elapsed = _owner._clock.GetElapsedTime(_started);
                if (elapsed < FirstAfter || (_lastWritten is { } last && elapsed - last < Interval - TimeSpan.FromMilliseconds(10))) return;
                _lastWritten = elapsed;
                _owner._error.Write("\r" + ProgressLine.Format(_progress.BytesRead, _progress.TotalBytes, _progress.Records, elapsed) + "\u001b[K");
                _owner._error.Flush();
            }
        }

        public void Dispose()
        {
            _timer?.Dispose();
            lock (_gate)
            {
                if (_done) return;
                _done = true;
                if (_lastWritten is null) return;
                _owner._error.Write("\r\u001b[K");
                _owner._error.Flush();
            }
        }
    }
}
