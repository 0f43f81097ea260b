using System.Diagnostics;
using System.Globalization;

namespace HandleEtw.Windows.Live;

/// <summary>Who started the running "handleetw" session: written beside it when it starts, removed when it stops.</summary>
public sealed record SessionOwner(int ProcessId, DateTime ProcessStartUtc)
{
    public string Format() => $"{ProcessId} {ProcessStartUtc.Ticks.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Null for a missing, empty or garbled record (treated as an unknown owner).</summary>
    public static SessionOwner? Parse(string? text)
    {
        string[] parts = (text ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int pid)
            || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out long ticks)
            || ticks > DateTime.MaxValue.Ticks)
            return null;
        return new SessionOwner(pid, new DateTime(ticks, DateTimeKind.Utc));
    }

    public static SessionOwner Current()
    {
        using Process self = Process.GetCurrentProcess();
        return new SessionOwner(self.Id, self.StartTime.ToUniversalTime());
    }

    /// <summary>True when that process still runs (same pid and the same start time, so a reused pid is not it).</summary>
    public static bool IsAlive(SessionOwner owner)
    {
        try
        {
            using Process p = Process.GetProcessById(owner.ProcessId);
            return Math.Abs((p.StartTime.ToUniversalTime() - owner.ProcessStartUtc).TotalSeconds) < 1;
        }
        catch (ArgumentException)
        {
            return false; // no such process
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return true; // it exists but cannot be inspected: do not stop what may be a live run
        }
    }
}

public enum ConflictAction
{
    /// <summary>The session was left by a run that has ended: stop it and start again.</summary>
    StopOrphan,

    /// <summary>--force: stop the running session even though its owner may be alive.</summary>
    TakeOver,

    /// <summary>Leave the running session alone and exit with <see cref="ConflictDecision.Message"/>.</summary>
    Refuse,
}

public sealed record ConflictDecision(ConflictAction Action, string Message);

/// <summary>
/// What to do when StartTrace says a session of our name already runs (ERROR_ALREADY_EXISTS). Windows cannot tell an
/// orphan from a live owner, so the owner record decides: a dead owner left an orphan; a live or unknown owner is
/// another recording whose results stopping it would cut short, so refuse unless --force.
/// </summary>
public static class SessionConflict
{
    public static ConflictDecision Decide(string sessionName, SessionOwner? owner, Func<SessionOwner, bool> isAlive, bool force)
    {
        if (owner is not null && !isAlive(owner))
            return new ConflictDecision(ConflictAction.StopOrphan,
                $"stopping the \"{sessionName}\" session left by an earlier run (pid {owner.ProcessId}, ended)");
        if (force)
            return new ConflictDecision(ConflictAction.TakeOver,
                $"--force: stopping the running \"{sessionName}\" session" + (owner is null ? "" : $" of pid {owner.ProcessId}"));
        return new ConflictDecision(ConflictAction.Refuse, owner is null
            ? $"an ETW session named \"{sessionName}\" is already running and its owner is unknown: if no other handleetw is recording, " +
              $"it is left from an earlier run; run again with --force to stop it (logman stop {sessionName} -ets does too)"
            : $"another handleetw (pid {owner.ProcessId}) is recording with the \"{sessionName}\" session: wait for it to finish, " +
              "or run again with --force to stop it (that cuts its results short)");
    }
}

/// <summary>The owner record as a file (machine-wide, beside other programs' data: every elevated user sees it).</summary>
public sealed class SessionOwnerFile(string path)
{
    public static SessionOwnerFile For(string sessionName) => new(Path.Combine(
        Environment.GetFolderPath(Environment.SpecialFolder.CommonApplicationData), "handleetw", sessionName + ".owner"));

    public string FilePath { get; } = path;

    public SessionOwner? Read()
    {
        try { return SessionOwner.Parse(File.ReadAllText(FilePath)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>Best effort: without the record a later run only refuses instead of restarting an orphan.</summary>
    public void Write(SessionOwner owner)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
            File.WriteAllText(FilePath, owner.Format());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    /// <summary>Removes the record if it is still <paramref name="owner"/>'s (a --force run may have replaced it).</summary>
    public void Remove(SessionOwner owner)
    {
        try
        {
            if (Read() == owner) File.Delete(FilePath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
