using System.Diagnostics;
using System.Runtime.Versioning;
using HandleEtw.Core.Events;
using HandleEtw.Core.Records;
using HandleEtw.Windows.Native;
using HandleEtw.Windows.Recording;
using HandleEtw.Windows.Ring;

namespace HandleEtw.Windows.Live;

/// <summary>
/// The live kernel session as an <see cref="IRecordSource"/> (windows-live.md §2.3, §3.4): private system logger with
/// the handle group mask, else the system Object provider, else the NT Kernel Logger. Records flow through the same
/// ring and consumer loop as a replay.
/// </summary>
[SupportedOSPlatform("windows")]
public sealed class LiveSessionSource : RingFedSource
{
    private const int RingBytes = 64 << 20;
    private readonly LiveOptions _options;
    private readonly TextWriter _log;
    private EtwSession? _session;
    private EtwConsumer? _consumer;
    private Timer? _lossTimer;
    private string _path = "not started";
    private readonly SessionOwnerFile _ownerFile = SessionOwnerFile.For(SessionPlan.PrivateName);
    private SessionOwner? _owner;
    private volatile bool _stoppedHere;
    private bool _userProviders;
    private readonly ClrStatus _clr = new();
    private readonly ClrRundownProgress _rundown = new();
    private readonly CancellationTokenSource _abandonRundown = new();

    private LiveSessionSource(LiveOptions options, TextWriter log, TraceInfo info) : base(info, RingBytes)
    {
        _options = options;
        _log = log;
    }

    public override string Description => _path;
    public override ClrStatus Clr => _clr;
    public override TraceConsumer? Observer => _options.Clr.Rundown ? _rundown : null;

    /// <summary>Checks what can be checked before touching ETW: container, elevation, SeDebugPrivilege.</summary>
    public static LiveSessionSource Create(LiveOptions options, TextWriter log)
    {
        // The native structs are declared with 64-bit layouts (pointers, ULONG_PTR): a 32-bit process would misread them.
        if (!Environment.Is64BitProcess)
            throw new RecordingException("handleetw record needs the 64-bit build (this is a 32-bit process): use handleetw.exe for win-x64 or win-arm64",
                RecordingError.NotSupported);
        if (Privileges.IsInContainer())
            throw new RecordingException("running inside a Windows container, where kernel sessions cannot start: run handleetw record on the host",
                RecordingError.Container);
        if (!Privileges.IsElevated())
            throw new RecordingException("not elevated: run from an Administrator prompt (e.g. Start → Terminal (Admin)) and retry handleetw record",
                RecordingError.NotElevated);
        if (!Privileges.TryEnableDebugPrivilege())
            log.WriteLine("warning: SeDebugPrivilege not enabled; object addresses may be missing from the initial inventory");
        var info = new TraceInfo
        {
            Source = SessionPlan.PrivateName,
            SessionName = SessionPlan.PrivateName,
            HostName = Environment.MachineName,
            StartUtc = DateTime.UtcNow,
            StartTimestamp = Stopwatch.GetTimestamp(), // RAW_TIMESTAMP + ClientContext 1: the session clock is QPC
            ClockFrequency = Stopwatch.Frequency,
            ClockType = 1,
            PointerSize = IntPtr.Size,
            OsVersion = Environment.OSVersion.Version,
            OsBuild = Environment.OSVersion.Version.Build,
            Processors = Environment.ProcessorCount,
            BufferSize = 1024 * 1024,
        };
        return new LiveSessionSource(options, log, info);
    }

    protected override void StartProducer()
    {
        SessionGuard.Install();
        List<ActiveSession> active = EtwSession.QueryAll();
        if (_options.Verbose)
            _log.WriteLine($"active ETW sessions: {string.Join(", ", active.Select(s => s.Name))}");
        _session = StartWithHandleEvents(active);
        SessionGuard.Track(_session.Name);
        EnableClrRuntime(_session);
        _consumer = new EtwConsumer(Ring, OnProcessTraceEnd);
        _consumer.Open(_session.Name);
        if (_options.Verbose) _log.WriteLine($"session path: {_path}");
        _lossTimer = new Timer(_ => PollLoss(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    private EtwSession StartWithHandleEvents(List<ActiveSession> active)
    {
        string? etl = _options.EtlPath is null ? null : Path.GetFullPath(_options.EtlPath);
        EtwSession session;
        try
        {
            session = EtwSession.Start(SessionPlan.Private(Environment.ProcessorCount, etl, _options.Preset), DecidePrivateConflict);
        }
        catch (RecordingException e) when (e.Kind == RecordingError.NoSessionSlot)
        {
            // All system-logger slots are taken; the kernel logger has a slot of its own.
            _log.WriteLine("warning: no system-logger slot free for the private session; trying the NT Kernel Logger");
            return StartKernelLogger(active, etl);
        }
        _owner = SessionOwner.Current();
        _ownerFile.Write(_owner);
        uint stackError = EnableStacks(session);
        EnableWin32k(session);
        if (session.TrySetHandleGroupMask(out uint maskError))
        {
            SetTypeFilter(session);
            _path = $"private system logger \"{session.Name}\", group mask (stacks: {Describe(stackError)})";
            _userProviders = true;
            return session;
        }
        if (session.TryEnableSystemProviders(out uint providerError))
        {
            _path = $"private system logger \"{session.Name}\", system Object provider handle keyword (group mask: error {maskError}; stacks: {Describe(stackError)})";
            _userProviders = true;
            return session;
        }
        session.Stop();
        ReleaseOwner();
        _log.WriteLine($"warning: private logger refused handle events (errors {maskError}/{providerError}); trying the NT Kernel Logger");
        return StartKernelLogger(active, etl);
    }

    /// <summary>A running "handleetw": an orphan when its recorded owner has ended, else another run (refused unless --force).</summary>
    private ConflictDecision DecidePrivateConflict()
    {
        ConflictDecision decision = SessionConflict.Decide(SessionPlan.PrivateName, _ownerFile.Read(), SessionOwner.IsAlive, _options.Force);
        if (decision.Action != ConflictAction.Refuse) _log.WriteLine(decision.Message);
        return decision;
    }

    private void ReleaseOwner()
    {
        if (_owner is not null) _ownerFile.Remove(_owner);
        _owner = null;
    }

    private EtwSession StartKernelLogger(List<ActiveSession> active, string? etl)
    {
        ActiveSession? holder = KernelLoggerOwner.Find(active);
        if (holder is not null && !_options.Force)
            throw new RecordingException(KernelLoggerOwner.RefusalMessage(KernelLoggerOwner.Guess(holder, active)), RecordingError.KernelLoggerInUse);
        // Only reached with the kernel logger free or --force (checked above); a holder that appeared since is refused.
        EtwSession session = EtwSession.Start(SessionPlan.KernelLogger(Environment.ProcessorCount, etl, _options.Preset), () => _options.Force
            ? new ConflictDecision(ConflictAction.TakeOver, "--force: stopping the NT Kernel Logger's current trace")
            : new ConflictDecision(ConflictAction.Refuse, KernelLoggerOwner.RefusalMessage("another tool")));
        uint stackError = EnableStacks(session);
        if (!session.TrySetHandleGroupMask(out uint maskError))
        {
            session.Stop();
            throw new RecordingException($"the kernel refused handle events on every session path (last error {maskError})", RecordingError.SessionFailed);
        }
        if (_options.Win32kKeywords != 0)
            _log.WriteLine("warning: the NT Kernel Logger takes no other provider: GDI/USER handle events are not recorded on this path");
        SetTypeFilter(session);
        _path = $"NT Kernel Logger, group mask (stacks: {Describe(stackError)})";
        return session;
    }

    /// <summary>--gdi/--user: Win32k's handle keywords with stacks, in the same session as the kernel handles.</summary>
    private void EnableWin32k(EtwSession session)
    {
        if (_options.Win32kKeywords == 0) return;
        if (!session.TryEnableWin32k(_options.Win32kKeywords, out uint error))
            _log.WriteLine($"warning: Microsoft-Windows-Win32k refused the GDI/USER handle keywords (error {error}): kernel handles only");
    }

    private static string Describe(uint error) => error == 0 ? "on" : $"error {error}";

    /// <summary>The .NET runtime provider on the same session (a system logger takes user-mode providers; the NT Kernel
    /// Logger does not, and then JIT frames stay addresses).</summary>
    private void EnableClrRuntime(EtwSession session)
    {
        if (!_options.Clr.Runtime)
        {
            _clr.RuntimeProblem = "off (--no-clr): JIT-compiled frames stay addresses";
            return;
        }
        if (!_userProviders)
        {
            _clr.RuntimeProblem = "the NT Kernel Logger cannot carry the .NET runtime provider: JIT-compiled frames stay addresses";
            _log.WriteLine("warning: " + _clr.RuntimeProblem);
            return;
        }
        uint error = session.EnableProvider(ClrCapture.RuntimeProvider, ClrCapture.Level, ClrCapture.RuntimeKeywords);
        _clr.Runtime = error == 0;
        if (error != 0)
        {
            _clr.RuntimeProblem = $"enabling Microsoft-Windows-DotNETRuntime failed with Win32 error {error}: JIT-compiled frames stay addresses";
            _log.WriteLine("warning: " + _clr.RuntimeProblem);
        }
    }

    /// <summary>The rundown before the stop, on a thread of its own: the drain goes on meanwhile (it may even be the
    /// thread that asked for the stop, when the target exited).</summary>
    private void RundownThenStop()
    {
        try
        {
            EtwSession session = _session!;
            var sequence = new ClrRundownSequence(_options.Clr,
                keywords => session.EnableProvider(ClrCapture.RundownProvider, ClrCapture.Level, keywords),
                () => session.Flush(), _rundown.Snapshot, () => _rundownClock.Elapsed, Thread.Sleep,
                line => _log.Write("\r" + line + "   "));
            _log.WriteLine($"\r.NET rundown: listing the methods of running .NET processes (at most {_options.Clr.RundownTimeout.TotalSeconds:F0} s; --no-clr-rundown skips it)");
            _clr.Rundown = sequence.Run(_abandonRundown.Token);
            _log.WriteLine("\r" + _clr.Rundown.Summary());
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _log.WriteLine($"warning: .NET rundown failed: {e.Message}");
        }
        finally
        {
            StopSession();
        }
    }

    private readonly Stopwatch _rundownClock = new();

    /// <summary>Stacks as the preset says; its stack cache when it asks for one (a line when the OS refuses).</summary>
    private uint EnableStacks(EtwSession session)
    {
        RecordPreset preset = _options.Preset ?? RecordPreset.Full;
        uint error = session.EnableHandleStacks(preset.StackedOpcodes);
        if (preset.StackCaching && session.EnableStackCaching(RecordPreset.StackCacheSize, RecordPreset.StackCacheBuckets) is uint cacheError and not 0)
            _log.WriteLine($"handleetw record: stack caching not available on this Windows (error {cacheError}); every stack is logged in full");
        return error;
    }

    /// <summary>--types: the kernel's object-type filter, best effort; in-process filtering applies either way.</summary>
    private void SetTypeFilter(EtwSession session)
    {
        if (_options.TypeTags is not { } tags) return;
        uint status = session.SetObjectTypeFilter(tags);
        if (status != 0)
            _log.WriteLine($"handleetw record: the kernel object-type filter is not available here (NTSTATUS 0x{status:X8}); filtering types in-process only");
    }

    private void PollLoss()
    {
        try
        {
            if (_session is null || StopRequested) return;
            SessionCounters c = _session.Query();
            Loss.SetSession(c.EventsLost, c.BuffersLost);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A failed poll is retried next second.
        }
    }

    private void OnProcessTraceEnd(uint error)
    {
        if (!StopRequested && !_stoppedHere)
            EndReason = error == 4201 ? "the session was stopped by another program" : $"ProcessTrace ended (Win32 error {error})";
        MarkProducerDone();
    }

    public override void Flush() => _session?.Flush();

    /// <summary>STOP first: ProcessTrace then delivers the stop-time rundown and returns; CloseTrace comes after the drain.
    /// With the runtime provider on, the .NET rundown runs first (bounded), on its own thread.</summary>
    protected override void StopProducer()
    {
        _lossTimer?.Dispose();
        if (_session is null) return;
        if (_options.Clr.Rundown && _userProviders && !_stoppedHere && EndReason is null)
        {
            _rundownClock.Start();
            new Thread(RundownThenStop) { IsBackground = true, Name = "handleetw .NET rundown" }.Start();
            return;
        }
        StopSession();
    }

    private void StopSession()
    {
        if (_session is null) return;
        SessionCounters final = _session.Stop();
        Loss.SetSession(final.EventsLost, final.BuffersLost);
        SessionGuard.Untrack(_session.Name);
        ReleaseOwner();
    }

    /// <summary>
    /// Any thread, at once (console close, a second Ctrl+C): ControlTrace(STOP) so the kernel session never outlives
    /// the process. The normal stop that follows finds it gone and keeps the counters read here.
    /// </summary>
    public void StopSessionNow()
    {
        EtwSession? session = _session;
        if (session is null) return;
        _stoppedHere = true;
        _abandonRundown.Cancel();
        SessionCounters final = session.Stop();
        Loss.SetSession(final.EventsLost, final.BuffersLost);
    }

    protected override void AfterDrained()
    {
        _consumer?.Join(TimeSpan.FromSeconds(10));
        _consumer?.Dispose();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _abandonRundown.Cancel();
            RequestStop();
            _consumer?.Join(TimeSpan.FromSeconds(10));
            _consumer?.Dispose();
        }
        base.Dispose(disposing);
    }
}

/// <summary>What the live session needs from the command line.</summary>
/// <param name="TypeTags">The kernel object-type filter to ask for (--types with at most 4 types), or null.</param>
public sealed record LiveOptions(string? EtlPath, bool Force, bool Verbose, RecordPreset? Preset = null, uint[]? TypeTags = null)
{
    /// <summary>The .NET runtime provider while recording and its rundown at the stop.</summary>
    public ClrCapture Clr { get; init; } = new();

    /// <summary>Win32k GDI/USER handle keywords to enable with stacks (0: none).</summary>
    public ulong Win32kKeywords { get; init; }
}
