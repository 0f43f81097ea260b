namespace HandleEtw.Core.Events;

/// <summary>
/// The start of the next file of a sequence read as one timeline (rolled capture): everything before it came from
/// earlier files. A consumer that keeps handle tables reconciles the file's start rundown against what it carried.
/// </summary>
/// <param name="Index">1 for the second file, 2 for the third, …</param>
/// <param name="Source">The file's path.</param>
/// <param name="Timestamp">The file's start, on the timeline's clock.</param>
public readonly record struct TraceSegment(int Index, string Source, long Timestamp);
