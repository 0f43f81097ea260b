using System.Runtime.Versioning;
using Microsoft.Win32;

namespace HandleEtw.Windows.Native;

/// <summary>Elevation, SeDebugPrivilege and container checks made before a session starts.</summary>
[SupportedOSPlatform("windows")]
public static unsafe class Privileges
{
    /// <summary>True when the process token is elevated (an administrator's full token).</summary>
    public static bool IsElevated()
    {
        if (!Security.OpenProcessToken(Security.CurrentProcess, Security.TokenQuery, out nint token)) return false;
        try
        {
            uint elevated = 0;
            return Security.GetTokenInformation(token, Security.TokenElevation, &elevated, sizeof(uint), out _) && elevated != 0;
        }
        finally
        {
            Security.CloseHandle(token);
        }
    }

    /// <summary>Enables SeDebugPrivilege: on Windows 11 24H2 handle-table object addresses are NULL without it.</summary>
    public static bool TryEnableDebugPrivilege() => TryEnable("SeDebugPrivilege");

    public static bool TryEnable(string privilege)
    {
        if (!Security.LookupPrivilegeValue(null, privilege, out long luid)) return false;
        if (!Security.OpenProcessToken(Security.CurrentProcess, Security.TokenAdjustPrivileges | Security.TokenQuery, out nint token))
            return false;
        try
        {
            var state = new TokenPrivilegesOne
            {
                PrivilegeCount = 1,
                LuidLow = (uint)luid,
                LuidHigh = (int)(luid >> 32),
                Attributes = Security.SePrivilegeEnabled,
            };
            bool ok = Security.AdjustTokenPrivileges(token, false, &state, (uint)sizeof(TokenPrivilegesOne), null, null);
            // AdjustTokenPrivileges succeeds even when the token lacks the privilege; the last error tells.
            return ok && System.Runtime.InteropServices.Marshal.GetLastPInvokeError() != Security.ErrorNotAllAssigned;
        }
        finally
        {
            Security.CloseHandle(token);
        }
    }

    /// <summary>Windows Server containers have this value; system loggers cannot be created inside them.</summary>
    public static bool IsInContainer()
    {
        using RegistryKey? control = Registry.LocalMachine.OpenSubKey(@"System\CurrentControlSet\Control");
        return control?.GetValue("ContainerType") is not null;
    }
}
