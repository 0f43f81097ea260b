using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using HandleEtw.Windows.Recording;

namespace HandleEtw.Windows.Live;

/// <summary>
/// SetConsoleCtrlHandler for every console event (Ctrl+C, Ctrl+Break, console close, logoff, shutdown), handed to a
/// <see cref="ShutdownSequence"/>. One handler owns them all, so a Ctrl+C is never counted twice.
/// </summary>
[SupportedOSPlatform("windows")]
public static unsafe partial class ConsoleSignals
{
    private const uint CtrlC = 0, CtrlBreak = 1, CtrlClose = 2, CtrlLogoff = 5, CtrlShutdown = 6;
    private static ShutdownSequence? _sequence;

    /// <summary>Routes console events to <paramref name="sequence"/> until the returned registration is disposed.</summary>
    public static IDisposable Install(ShutdownSequence sequence)
    {
        _sequence = sequence;
        if (!SetConsoleCtrlHandler(&OnControl, true))
            throw new RecordingException($"SetConsoleCtrlHandler failed with Win32 error {Marshal.GetLastPInvokeError()}", RecordingError.SessionFailed);
        return new Registration();
    }

    [UnmanagedCallersOnly]
    private static int OnControl(uint controlType)
    {
        StopSignal? signal = controlType switch
        {
            CtrlC => StopSignal.Interrupt,
            CtrlBreak => StopSignal.Break,
            CtrlClose => StopSignal.ConsoleClose,
            CtrlLogoff => StopSignal.Logoff,
            CtrlShutdown => StopSignal.Shutdown,
            _ => null,
        };
        try
        {
            return signal is { } s && _sequence?.OnSignal(s) == true ? 1 : 0;
        }
        catch
        {
            return 0; // nothing may escape into the console's thread; the default handler ends the process
        }
    }

    private sealed class Registration : IDisposable
    {
        public void Dispose()
        {
            SetConsoleCtrlHandler(&OnControl, false);
            _sequence = null;
        }
    }

    [LibraryImport("kernel32.dll", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static partial bool SetConsoleCtrlHandler(delegate* unmanaged<uint, int> handler, [MarshalAs(UnmanagedType.Bool)] bool add);
}
