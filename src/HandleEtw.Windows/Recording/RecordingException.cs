namespace HandleEtw.Windows.Recording;

public enum RecordingError
{
    NotSupported,
    NotElevated,
    KernelLoggerInUse,
    Container,
    UnknownProcess,
    SessionFailed,
    SessionInUse,
    NoSessionSlot,
    NoHandleEvents,
}

/// <summary>An expected reason recording cannot start or go on; the message is one line meant for the user.</summary>
public sealed class RecordingException(string message, RecordingError kind) : Exception(message)
{
    public RecordingError Kind { get; } = kind;
}
