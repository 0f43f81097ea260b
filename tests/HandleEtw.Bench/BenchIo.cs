using HandleEtw.Core.Records;

namespace HandleEtw.Bench;

/// <summary>The cheapest sink: counts records and sums two fields, so the walk cannot be optimised away.</summary>
internal sealed class CountingSink : IRecordSink
{
    public long Count;
    public long Checksum;

    public void OnRecord(in EventRecord record)
    {
        Count++;
        Checksum += record.Timestamp + record.Payload.Length;
    }
}

internal static class PlainFile
{
    /// <summary>Reads the file front to back in 1 MB blocks, unbuffered: the floor any command reading it stands on.</summary>
    public static long Read(string path)
    {
        var buffer = new byte[1 << 20];
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);
        long sum = 0;
        int read;
        while ((read = stream.Read(buffer)) > 0) sum += buffer[read - 1];
        return sum;
    }
}
