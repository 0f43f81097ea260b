using System.Diagnostics;
using System.Runtime.Versioning;
using HandleEtw.Windows.Live;
using HandleEtw.Windows.Native;
using HandleEtw.Windows.Recording;

namespace HandleEtw.Tests.Windows;

/// <summary>Real sessions on Windows (elevated). They compile everywhere and skip off Windows.</summary>
public class LiveSessionTests
{
    // Creates 200 unnamed events and keeps them open until killed.
    private const string LeakScript =
        "$h = New-Object System.Collections.ArrayList; " +
        "1..200 | ForEach-Object { [void]$h.Add((New-Object System.Threading.EventWaitHandle($false, 'ManualReset'))) }; " +
        "Start-Sleep -Seconds 60";

    [WindowsFact]
    [SupportedOSPlatform("windows")]
    public void Session_records_a_child_leaking_events_with_its_stack_on_top()
    {
        Assert.True(Privileges.IsElevated(), "run the Windows tests from an elevated prompt");
        using var child = new Process();
        var stdout = new StringWriter();
        var io = new RecordingIo(stdout, new StringWriter(), ErrorIsTerminal: false);
        using LiveSessionSource source = LiveSessionSource.Create(new LiveOptions(null, Force: false, Verbose: true), new StringWriter());
        using var cancel = new CancellationTokenSource();
        var filter = new TargetFilter("powershell", []);
        var recorder = new Recorder(new RecordOptions { ProcessName = "powershell", Duration = TimeSpan.FromSeconds(20) }, io);
        var run = Task.Run(() => recorder.Run(source, new NativeInventory(), filter, null, cancel.Token));
        Thread.Sleep(3000);
        child.StartInfo = new ProcessStartInfo("powershell.exe", $"-NoProfile -Command \"{LeakScript}\"") { UseShellExecute = false };
        child.Start();
        Thread.Sleep(10_000);
        cancel.Cancel();
        RecordingResult result = run.Wait(TimeSpan.FromSeconds(60)) ? run.Result : throw new TimeoutException("recorder did not stop");
        child.Kill();

        Assert.False(EtwSession.IsRunning(SessionPlan.PrivateName), "session must be stopped");
        var top = Assert.Single(result.Report.Diff.Groups, g => g.Pid == child.Id && g.Count >= 200);
        Assert.Equal("Event", top.Type);
        Assert.True(top.StackId >= 0 && top.Stack.Count > 3);
    }

    [WindowsFact]
    [SupportedOSPlatform("windows")]
    public void Inventory_lists_our_own_handles_with_type_names()
    {
        using var ev = new EventWaitHandle(false, EventResetMode.ManualReset);
        var inv = new NativeInventory().Take();
        int self = Environment.ProcessId;
        uint handle = (uint)ev.SafeWaitHandle.DangerousGetHandle();
        var row = Assert.Single(inv.Handles, h => h.ProcessId == self && h.Handle == handle);
        Assert.Equal("Event", inv.ObjectTypes[row.ObjectType]);
    }

    [WindowsFact]
    [SupportedOSPlatform("windows")]
    public void A_running_session_is_stopped_only_when_the_decision_says_so()
    {
        var plan = SessionPlan.Private(Environment.ProcessorCount, null);
        var first = EtwSession.Start(plan, () => new ConflictDecision(ConflictAction.StopOrphan, ""));
        var refused = Assert.Throws<RecordingException>(() => EtwSession.Start(plan, () => new ConflictDecision(ConflictAction.Refuse, "in use")));
        Assert.Equal(RecordingError.SessionInUse, refused.Kind);
        Assert.True(EtwSession.IsRunning(SessionPlan.PrivateName), "a refused start must leave the running session alone");
        var second = EtwSession.Start(plan, () => new ConflictDecision(ConflictAction.StopOrphan, ""));
        Assert.True(EtwSession.IsRunning(SessionPlan.PrivateName));
        second.Stop();
        SessionCounters afterGone = first.Stop(); // already stopped: the last good counters, not an error's zeros
        Assert.True(afterGone.EventsLost >= 0);
        Assert.False(EtwSession.IsRunning(SessionPlan.PrivateName));
    }
}
