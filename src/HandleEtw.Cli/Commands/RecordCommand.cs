using System.CommandLine;
using System.Diagnostics;
using System.Runtime.Versioning;
using HandleEtw.Core.Tracking;
using HandleEtw.Etl.Writing;
using HandleEtw.Windows.Live;
using HandleEtw.Windows.Recording;

namespace HandleEtw.Cli.Commands;

/// <summary>`handleetw record`: a live kernel session. Windows only.</summary>
public static class RecordCommand
{
    public static Command Create()
    {
        var command = new Command("record", "Record handle create/close/duplicate events with stacks from a live ETW session (Windows, elevated).");
        var process = new Option<string?>("--process") { Description = "Keep and show only this process (image name, e.g. lsass)." };
        var pid = TraceOptions.Pid("Keep and show only this process id (decimal, or hex with 0x).");
        var duration = TimeText.DurationOption("--duration", "Stop after this long: seconds with an optional unit (300, 90s, 5m, 2h); default: until Ctrl+C.");
        var output = new Option<string?>("-o", "--output") { Description = "Write the events as Parquet tables to this directory." };
        var etl = new Option<string?>("--etl") { Description = "Also write the raw session to this .etl file." };
        var roll = new Option<string?>("--roll") { Description = "With --etl NAME.etl: write NAME_001.etl, NAME_002.etl, … starting the next file after this long (10m, 2h) or at this size (512MB, 1GB); analysis commands read them together." };
        var ring = new Option<string?>("--ring") { Description = "Keep only the last SIZE of raw records in memory (1MB to 1GB, e.g. 256MB) while the live handle tables cover the whole run; write them at each trigger and at the end (--etl NAME.etl: NAME_capture1.etl, …; -o DIR: DIR/capture1, …)." };
        var trigger = new Option<string[]>("--trigger") { Description = "With --ring: write a capture when this holds on the live tables: lsass:handles>50000, Event>10000, growth>100/min (a create-stack group's growth sustained over 10m; growth>100/min,30m for another window). Repeatable.", AllowMultipleArgumentsPerToken = false };
        var triggerCount = new Option<int?>("--trigger-count") { Description = "Captures by trigger before the run ends (default 1)." };
        var preset = new Option<string?>("--preset") { Description = "full (default: a stack on every handle create, close and duplicate) or long (for runs of hours or days: create and duplicate stacks only, cached by the kernel, more buffer room, the ring kept to --process in-process)." };
        var types = new Option<string?>("--types") { Description = "Keep only these object types, e.g. Event,File,Key: always in-process; also in the kernel (up to 4 types) where Windows allows it." };
        var snapshotEvery = TimeText.DurationOption("--snapshot-every", "Take a snapshot at this interval (30, 30s, 5m; the s key takes one any time).");
        var force = new Option<bool>("--force") { Description = "Stop a running handleetw session of another run, or the NT Kernel Logger's trace when the fallback needs it." };
        var verbose = new Option<bool>("--verbose") { Description = "Say which session path is used and list active sessions." };
        var json = new Option<bool>("--json") { Description = "Write the end-of-run summary as JSON instead of text." };
        var noClr = new Option<bool>("--no-clr") { Description = "Do not enable the .NET runtime's method events (JIT-compiled frames then stay addresses)." };
        var noClrRundown = new Option<bool>("--no-clr-rundown") { Description = "Skip the .NET rundown at the stop: quicker, no JIT pause in busy services, but methods compiled before the recording stay unnamed." };
        var clrTimeout = TimeText.DurationOption("--clr-rundown-timeout", "The most the .NET rundown at the stop may take (default 30s); then the recording ends with what arrived.");
        var gdi = new Option<bool>("--gdi") { Description = "Also record GDI handle events with stacks (Microsoft-Windows-Win32k; Windows 10 1903 or later): leaks --kind gdi." };
        var user = new Option<bool>("--user") { Description = "Also record USER handle events with stacks (windows, menus, cursors ...; Windows 10 1903 or later): leaks --kind user." };
        foreach (Option o in new Option[] { process, pid, duration, output, etl, roll, ring, trigger, triggerCount, preset, types, snapshotEvery, gdi, user, force, verbose, json,
                     noClr, noClrRundown, clrTimeout })
            command.Options.Add(o);
        command.SetGuardedAction((parseResult, context) =>
        {
            RollPolicy? rollPolicy = ParseRoll(parseResult.GetValue(roll), parseResult.GetValue(etl));
            RingChoice ringChoice = RingChoice.Parse(parseResult.GetValue(ring), parseResult.GetValue(trigger) ?? [], parseResult.GetValue(triggerCount),
                rollPolicy is not null, parseResult.GetValue(etl), parseResult.GetValue(output));
            ClrCapture clr = ParseClr(parseResult.GetValue(noClr), parseResult.GetValue(noClrRundown), parseResult.GetValue(clrTimeout));
            RecordPreset presetChoice = ParseWith("--preset", parseResult.GetValue(preset), RecordPreset.Parse) ?? RecordPreset.Full;
            ObjectTypeSelection? typeChoice = ParseWith("--types", parseResult.GetValue(types), ObjectTypeSelection.Parse);
            if (!OperatingSystem.IsWindows())
                throw new UserErrorException(
                    "live recording needs Windows (an ETW kernel session); on this OS, analyse a recorded .etl with diff, leaks or stats",
                    ExitCodes.NotSupported);
            if (Win32kProvider.Unsupported(Environment.OSVersion.Version, parseResult.GetValue(gdi), parseResult.GetValue(user)) is { } old)
                throw new UserErrorException(old, ExitCodes.NotSupported);
            var options = new RecordOptions
            {
                Gdi = parseResult.GetValue(gdi),
                User = parseResult.GetValue(user),
                ProcessName = parseResult.GetValue(process),
                ProcessId = parseResult.GetValue(pid),
                Duration = parseResult.GetValue(duration),
                OutputPath = parseResult.GetValue(output),
                EtlPath = parseResult.GetValue(etl),
                Roll = rollPolicy,
                Ring = ringChoice.Bytes,
                Triggers = ringChoice.Triggers,
                TriggerCount = ringChoice.Count,
                Preset = presetChoice,
                Types = typeChoice,
                SnapshotEvery = parseResult.GetValue(snapshotEvery),
                Force = parseResult.GetValue(force),
                Verbose = parseResult.GetValue(verbose),
                Json = parseResult.GetValue(json),
                Clr = clr,
            };
            return RunOnWindows(options, context);
        });
        return command;
    }

    [SupportedOSPlatform("windows")]
    private static int RunOnWindows(RecordOptions options, CommandContext context)
    {
        Validate(options);
        if (options.Types is { } selected && selected.KernelTags is null)
            context.Error.WriteLine($"handleetw record: the kernel object-type filter takes at most {ObjectTypeSelection.KernelLimit} types; " +
                                    $"filtering the {selected.Names.Count} types in-process only");
        var filter = new TargetFilter(options.ProcessName, ResolveTargets(options));
        using var cancel = new CancellationTokenSource();
        using var finished = new ManualResetEventSlim(false);
        var io = new RecordingIo(context.Out, context.Error, ReferenceEquals(context.Error, Console.Error) && !Console.IsErrorRedirected,
            new ConsoleKeyReader());
        LiveSessionSource? live = null;
        // Every console event stops the session: Ctrl+C finishes the files, a second one exits, close/logoff/shutdown
        // stop the session before the process is ended.
        var shutdown = new ShutdownSequence(
            finish: cancel.Cancel,
            stopSessionNow: () => Volatile.Read(ref live)?.StopSessionNow(),
            exitNow: code =>
            {
                Console.Error.WriteLine("handleetw record: interrupted twice, exiting (session stopped, files unfinished)");
                Environment.Exit(code);
            },
            waitFinished: finished.Wait);
        using IDisposable signals = ConsoleSignals.Install(shutdown);
        try
        {
            using LiveSessionSource source = LiveSessionSource.Create(new LiveOptions(options.Roll is null && options.Ring is null ? options.EtlPath : null,
                options.Force, options.Verbose, options.Preset, options.Types?.KernelTags) { Clr = options.Clr, Win32kKeywords = Win32kProvider.Keywords(options.Gdi, options.User) }, context.Error);
            Volatile.Write(ref live, source);
            RecordingResult result = new Recorder(options, io).Run(source, new NativeInventory(), filter, output: null, cancel.Token);
            if (result.NoHandleEvents)
                throw new UserErrorException(result.StopReason, ExitCodes.Failure);
            if (result.TargetExited) context.Error.WriteLine($"handleetw record: {result.StopReason}; files finished");
            return ExitCodes.Ok;
        }
        catch (RecordingException e)
        {
            throw new UserErrorException(e.Message, e.Kind switch
            {
                RecordingError.NotSupported or RecordingError.Container => ExitCodes.NotSupported,
                RecordingError.UnknownProcess => ExitCodes.ArgumentError,
                _ => ExitCodes.Failure,
            });
        }
        finally
        {
            Volatile.Write(ref live, null);
            finished.Set();
        }
    }

    private static ClrCapture ParseClr(bool noClr, bool noRundown, TimeSpan? timeout)
    {
        try
        {
            return ClrCapture.From(noClr, noRundown, timeout);
        }
        catch (ArgumentException e)
        {
            throw new UserErrorException(e.Message);
        }
    }

    /// <summary>An option's text through a parser that throws <see cref="FormatException"/>: one line naming the option.</summary>
    private static T? ParseWith<T>(string option, string? text, Func<string, T> parse) where T : class
    {
        if (text is null) return null;
        try
        {
            return parse(text);
        }
        catch (FormatException e)
        {
            throw new UserErrorException($"{option} {e.Message}");
        }
    }

    /// <summary>--roll 10m|1GB; it names its files after --etl, so it needs one.</summary>
    private static RollPolicy? ParseRoll(string? text, string? etl)
    {
        if (text is null) return null;
        if (etl is null) throw new UserErrorException("--roll needs --etl NAME.etl (the files are NAME_001.etl, NAME_002.etl, …)");
        try
        {
            return RollPolicy.Parse(text);
        }
        catch (FormatException e)
        {
            throw new UserErrorException("--roll " + e.Message);
        }
    }

    private static void Validate(RecordOptions options)
    {
        if (options.ProcessName is not null && options.ProcessId is not null)
            throw new UserErrorException("give --process or --pid, not both");
        if (options.Duration is { } d && d <= TimeSpan.Zero) throw new UserErrorException("--duration must be positive");
        if (options.SnapshotEvery is { } s && s <= TimeSpan.Zero) throw new UserErrorException("--snapshot-every must be positive");
        if (options.OutputPath is not null && File.Exists(options.OutputPath))
            throw new UserErrorException($"-o {options.OutputPath}: is a file, expected a directory");
    }

    private static List<int> ResolveTargets(RecordOptions options)
    {
        if (options.ProcessId is int id)
        {
            try { using var p = Process.GetProcessById(id); }
            catch (ArgumentException) { throw new UserErrorException($"no running process with id {id}"); }
            return [id];
        }
        if (options.ProcessName is null) return [];
        string name = options.ProcessName.EndsWith(".exe", StringComparison.OrdinalIgnoreCase) ? options.ProcessName[..^4] : options.ProcessName;
        Process[] found = Process.GetProcessesByName(name);
        List<int> pids = found.Select(p => p.Id).ToList();
        foreach (Process p in found) p.Dispose();
        if (pids.Count == 0) throw new UserErrorException($"no running process named \"{options.ProcessName}\"");
        return pids;
    }
}
