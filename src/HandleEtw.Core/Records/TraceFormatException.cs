namespace HandleEtw.Core.Records;

/// <summary>The one exception for damaged or foreign trace data. Carries where in the file it was found.</summary>
public sealed class TraceFormatException : Exception
{
    public TraceFormatException(string message, long offset)
        : base($"{message} (at byte offset {offset})")
    {
        Offset = offset;
    }

    /// <summary>Byte offset in the source file (or stream) where the damage was found.</summary>
    public long Offset { get; }
}
