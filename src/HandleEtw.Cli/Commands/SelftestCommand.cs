using System.CommandLine;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using HandleEtw.Windows.Inventory;
using HandleEtw.Windows.Live;
using HandleEtw.Windows.Recording;

namespace HandleEtw.Cli.Commands;

/// <summary>
/// `handleetw selftest`: records a child of its own that opens Events from one known function and closes some,
/// with the real live session, and checks the answers (SelftestChecks). Windows, elevated.
/// </summary>
public static partial class SelftestCommand
{
    private const int Created = 40, Closed = 15;
    private static readonly TimeSpan DrainWait = TimeSpan.FromSeconds(3);

    public static Command Create()
    {
        var command = new Command("selftest", "Prove recording works here: record a child that opens and closes Events and check diff, history and loss (Windows, elevated).");
        var verbose = new Option<bool>("--verbose") { Description = "Also print the recording's summary." };
        command.Options.Add(verbose);
        command.SetGuardedAction((p, context) =>
        {
            if (!OperatingSystem.IsWindows())
                throw new UserErrorException("selftest records a live kernel session and needs Windows (elevated)", ExitCodes.NotSupported);
            return RunOnWindows(p.GetValue(verbose), context);
        });
        return command;
    }

    /// <summary>The child: `selftest-child N M` waits for a line, opens N Events, closes M, prints the values, waits for a line.</summary>
    public static Command CreateChild()
    {
        var command = new Command("selftest-child") { Hidden = true };
        var count = new Argument<int>("count");
        var close = new Argument<int>("close");
        command.Arguments.Add(count);
        command.Arguments.Add(close);
        command.SetGuardedAction((p, context) =>
        {
            if (!OperatingSystem.IsWindows()) throw new UserErrorException("selftest-child needs Windows", ExitCodes.NotSupported);
            return RunChild(p.GetValue(count), p.GetValue(close), context.Out);
        });
        return command;
    }

    [SupportedOSPlatform("windows")]
    private static int RunOnWindows(bool verbose, CommandContext context)
    {
        using Process child = StartChild();
        try
        {
            var summary = new StringWriter();
            using LiveSessionSource source = LiveSessionSource.Create(new LiveOptions(null, Force: false, Verbose: false), context.Error);
            var options = new RecordOptions { ProcessId = child.Id, Duration = TimeSpan.FromSeconds(60) };
            var buffer = new HandleEventBuffer();
            using var cancel = new CancellationTokenSource();
            var inventory = new SignallingInventory(new NativeInventory());
            var recorder = new Recorder(options, new RecordingIo(summary, TextWriter.Null, ErrorIsTerminal: false));
            Task<RecordingResult> run = Task.Run(() => recorder.Run(source, inventory, new TargetFilter(null, [child.Id]), buffer, cancel.Token));
            if (!WaitAny(inventory.Taken, run, TimeSpan.FromSeconds(30))) throw new UserErrorException("the session did not start within 30 s", ExitCodes.Failure);
            SelftestExpectation expected = DriveChild(child);
            Thread.Sleep(DrainWait); // the session delivers its buffers about once a second
            source.Flush();
            Thread.Sleep(TimeSpan.FromSeconds(1));
            cancel.Cancel();
            RecordingResult result = run.Wait(TimeSpan.FromSeconds(60)) ? run.Result : throw new UserErrorException("the recording did not stop within 60 s", ExitCodes.Failure);
            if (verbose) context.Out.Write(summary.ToString());
            IReadOnlyList<SelftestCheck> checks = SelftestChecks.Evaluate(result, expected, buffer, source.Info);
            foreach (SelftestCheck check in checks) context.Out.WriteLine(check);
            bool passed = checks.All(c => c.Passed);
            context.Out.WriteLine(passed ? "selftest passed" : "selftest FAILED");
            return passed ? ExitCodes.Ok : ExitCodes.Failure;
        }
        catch (RecordingException e)
        {
            throw new UserErrorException("" + e.Message, e.Kind is RecordingError.NotSupported or RecordingError.Container ? ExitCodes.NotSupported : ExitCodes.Failure);
        }
        finally
        {
            try { child.StandardInput.Close(); } catch (IOException) { }
            if (!child.WaitForExit(5000)) child.Kill();
        }
    }

    private static bool WaitAny(ManualResetEventSlim taken, Task run, TimeSpan limit)
    {
        int which = WaitHandle.WaitAny([taken.WaitHandle, ((IAsyncResult)run).AsyncWaitHandle], limit);
        if (which == 1) run.GetAwaiter().GetResult(); // the recorder failed before the inventory: its error
        return which == 0;
    }

    /// <summary>This very program, run again with the hidden child command.</summary>
    private static Process StartChild()
    {
        // Environment.ProcessPath, not Assembly.Location: a single-file exe has no assembly path.
        string? self = Environment.ProcessPath;
        bool viaHost = self is null || Path.GetFileNameWithoutExtension(self).Equals("dotnet", StringComparison.OrdinalIgnoreCase);
        string dll = Path.Combine(AppContext.BaseDirectory, typeof(SelftestCommand).Assembly.GetName().Name + ".dll");
        var info = viaHost ? new ProcessStartInfo(self ?? "dotnet") { ArgumentList = { dll } } : new ProcessStartInfo(self!);
        foreach (string a in new[] { "selftest-child", Created.ToString(), Closed.ToString() }) info.ArgumentList.Add(a);
        info.UseShellExecute = false;
        info.RedirectStandardInput = true;
        info.RedirectStandardOutput = true;
        return Process.Start(info) ?? throw new UserErrorException($"could not start {info.FileName}", ExitCodes.Failure);
    }

    private static SelftestExpectation DriveChild(Process child)
    {
        child.StandardInput.WriteLine("go");
        child.StandardInput.Flush();
        string? open = child.StandardOutput.ReadLine(), closed = child.StandardOutput.ReadLine();
        if (open?.StartsWith("open") != true || closed?.StartsWith("closed") != true)
            throw new UserErrorException("the child did not report its handles", ExitCodes.Failure);
        return new SelftestExpectation(child.Id, Values(open), Values(closed));
    }

    internal static List<uint> Values(string line) =>
        line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(v => Convert.ToUInt32(v, 16)).ToList();

    [SupportedOSPlatform("windows")]
    private static int RunChild(int count, int close, TextWriter output)
    {
        if (count <= 0 || close < 0 || close > count) throw new UserErrorException("selftest-child: need 0 <= M <= N");
        Console.In.ReadLine();
        var handles = new List<nint>();
        for (int i = 0; i < count; i++) handles.Add(OpenSelftestEvent());
        foreach (nint h in handles.Take(close)) CloseHandle(h);
        output.WriteLine("open " + string.Join(' ', handles.Skip(close).Select(h => $"{h:x}")));
        output.WriteLine("closed " + string.Join(' ', handles.Take(close).Select(h => $"{h:x}")));
        output.Flush();
        Console.In.ReadLine(); // hold the handles open until the recording has stopped
        return ExitCodes.Ok;
    }

    /// <summary>The one known function every Event of the child comes from.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static nint OpenSelftestEvent()
    {
        nint h = CreateEventW(0, true, false, null);
        return h != 0 ? h : throw new UserErrorException($"selftest-child: CreateEventW failed ({Marshal.GetLastPInvokeError()})", ExitCodes.Failure);
    }

    [LibraryImport("kernel32.dll", SetLastError = true, StringMarshalling = StringMarshalling.Utf16)]
    private static partial nint CreateEventW(nint attributes, [MarshalAs(UnmanagedType.Bool)] bool manualReset,
        [MarshalAs(UnmanagedType.Bool)] bool initialState, string? name);

    [LibraryImport("kernel32.dll")]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static partial bool CloseHandle(nint handle);

    /// <summary>Says when the start inventory is taken: from then on the session sees the child's handles.</summary>
    private sealed class SignallingInventory(IInventoryProvider inner) : IInventoryProvider
    {
        public ManualResetEventSlim Taken { get; } = new(false);

        public HandleInventory Take()
        {
            HandleInventory inv = inner.Take();
            Taken.Set();
            return inv;
        }
    }
}
