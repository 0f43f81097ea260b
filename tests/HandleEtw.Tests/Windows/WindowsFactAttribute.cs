namespace HandleEtw.Tests.Windows;

/// <summary>A fact that needs a real Windows machine (elevated for ETW); skipped elsewhere with the reason.</summary>
public sealed class WindowsFactAttribute : FactAttribute
{
    public WindowsFactAttribute()
    {
        if (!OperatingSystem.IsWindows())
            Skip = "needs Windows: live ETW session (see docs/windows-checklist.md)";
    }
}
