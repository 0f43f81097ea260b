using System.Collections.Concurrent;
using System.Runtime.Versioning;

namespace HandleEtw.Windows.Live;

/// <summary>
/// Sessions outlive their creator and keep non-paged buffers: stop ours on process exit and on an unhandled
/// exception too. (A hard kill still leaves an orphan; the next start stops it.)
/// </summary>
[SupportedOSPlatform("windows")]
internal static class SessionGuard
{
    private static readonly ConcurrentDictionary<string, byte> Running = new(StringComparer.OrdinalIgnoreCase);
    private static int _installed;

    public static void Install()
    {
        if (Interlocked.Exchange(ref _installed, 1) != 0) return;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => StopAll();
        AppDomain.CurrentDomain.UnhandledException += (_, _) => StopAll();
    }

    public static void Track(string name) => Running[name] = 0;
    public static void Untrack(string name) => Running.TryRemove(name, out _);

    private static void StopAll()
    {
        foreach (string name in Running.Keys)
            EtwSession.StopByName(name);
        Running.Clear();
    }
}
