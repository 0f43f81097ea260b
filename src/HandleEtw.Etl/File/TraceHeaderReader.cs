using HandleEtw.Core.Records;

namespace HandleEtw.Etl.File;

/// <summary>Checks that a stream starts like an .etl file and reads its logfile header (etl-format.md §6 item 1).</summary>
internal static class TraceHeaderReader
{
    /// <returns>The trace description and the header buffer's State field (compression format).</returns>
    public static (TraceInfo Info, uint HeaderState) Read(Stream stream, string name)
    {
        long length = stream.Length;
        if (length == 0) throw new TraceFormatException($"{name}: empty file, not an .etl trace", 0);
        if (length < BufferHeader.Size + 32)
            throw new TraceFormatException($"{name}: {length} bytes is too small for an .etl trace", 0);
        var first = new byte[BufferHeader.Size];
        stream.Position = 0;
        stream.ReadExactly(first);
        BufferHeader header = BufferHeader.Parse(first);
        if (header.BufferSize < BufferHeader.Size || header.BufferSize > length || header.IsCompressed
            || header.SavedOffset < BufferHeader.Size + 32 || header.SavedOffset > header.BufferSize)
            throw NotEtl(name, "no valid WMI buffer header at the start");
        if (header.BufferType != BufferHeader.TypeHeader)
            throw NotEtl(name, $"the first buffer has type {header.BufferType}, not a header buffer");

        var data = new byte[header.SavedOffset];
        stream.Position = 0;
        stream.ReadExactly(data);
        var view = new RecordView();
        RecordStatus status = RecordParser.Parse(data, BufferHeader.Size, data.Length, ref view, out _);
        if (status != RecordStatus.Event || view.Fields.Header != HeaderKind.System || view.Fields.Group != KernelGroup.Header || view.Fields.Opcode != 0)
            throw NotEtl(name, "the first record is not the EventTrace header event");
        LogfileHeader? logfile = LogfileHeader.Parse(data.AsSpan(view.PayloadOffset, view.PayloadLength), view.Fields.PointerSize);
        if (logfile is null) throw NotEtl(name, "the EventTrace header event is too short");
        if (logfile.ClockFrequency <= 0)
            throw new TraceFormatException($"{name}: the header gives no clock frequency (clock type {logfile.ClockType})", BufferHeader.Size);
        return (logfile.ToTraceInfo(name, view.Fields.Timestamp, view.Fields.PointerSize), header.State);
    }

    private static TraceFormatException NotEtl(string name, string why) => new($"{name}: not an .etl trace: {why}", 0);
}
