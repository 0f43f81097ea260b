using System.Diagnostics;
using System.Globalization;

namespace HandleEtw.Cli;

/// <summary>The process's own peak resident memory: VmHWM on Linux, the peak working set elsewhere.</summary>
public static class PeakMemory
{
    public static long PeakResidentBytes()
    {
        if (OperatingSystem.IsLinux() && ReadVmHwm() is long hwm) return hwm;
        using var self = Process.GetCurrentProcess();
        return self.PeakWorkingSet64;
    }

    /// <summary>"VmHWM:   123456 kB" from /proc/self/status, or null if it cannot be read.</summary>
    private static long? ReadVmHwm()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/self/status"))
            {
                if (!line.StartsWith("VmHWM:", StringComparison.Ordinal)) continue;
                string[] parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return parts.Length >= 2 && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out long kb)
                    ? kb * 1024 : null;
            }
        }
        catch (IOException)
        {
        }
        return null;
    }
}
