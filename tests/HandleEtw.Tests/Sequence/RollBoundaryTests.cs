using HandleEtw.Core.Records;
using HandleEtw.Etl.File;
using HandleEtw.Etl.Ring;
using HandleEtw.Etl.Writing;
using HandleEtw.Synthetic.Etl;
using HandleEtw.Synthetic.Scenarios;
using HandleEtw.Tests.Cli;
using HandleEtw.Tests.Parquet;

namespace HandleEtw.Tests.Sequence;

/// <summary>Where one file of a roll ends and the next begins, checked against how writers stamp the boundary.</summary>
public class RollBoundaryTests
{
    /// <summary>
    /// A quiet trace (an event every ten seconds) cut into files whose headers end at their own last event and start
    /// at their first one, as a writer that stamps the end at the last record leaves them: the seconds of quiet between
    /// two files are not lost time. The same cut with a file left out is.
    /// </summary>
    [Fact]
    public void A_header_that_ends_at_its_last_event_leaves_no_gap_before_the_next_file()
    {
        using var dir = new TempDir();
        string uncut = Path.Combine(dir.Path, "uncut.etl");
        HandleScenarios.LeakyHandles(iterations: 60, duration: TimeSpan.FromMinutes(10),
            new ScriptOptions { Stacks = StackMode.Cached, StackCacheSize = 4 }).WriteTo(uncut);
        string[] files = CutAtLastEvents(uncut, Path.Combine(dir.Path, "tight"), pieces: 5);

        using (var sequence = EtlSequenceSource.Open(files))
        {
            sequence.Read(new NullSink());
            Assert.Empty(sequence.Info.Gaps);
        }
        foreach (string command in new[] { "leaks", "diff" })
            Assert.Equal(CliSmokeTests.Run(command, "--json", uncut).Out, CliSmokeTests.Run([command, "--json", .. files]).Out);

        using var withoutOne = EtlSequenceSource.Open([files[0], files[1], files[3], files[4]]);
        withoutOne.Read(new NullSink());
        Assert.Empty(withoutOne.Info.Gaps); // indistinguishable from quiet time: such headers cannot show a missing file
    }

    /// <summary>Each piece: header start at its first record, header end at its last record.</summary>
    private static string[] CutAtLastEvents(string path, string directory, int pieces)
    {
        Directory.CreateDirectory(directory);
        var records = new List<(RawRecordHeader Header, byte[] Payload, byte[] Extended)>();
        TraceInfo info;
        using (EtlFileSource source = EtlFileSource.Open(path))
        {
            info = source.Info;
            source.Read(new Collect(records));
        }
        var files = new List<string>();
        int from = 0;
        for (int p = 0; p < pieces && from < records.Count; p++)
        {
            int to = p == pieces - 1 ? records.Count : Math.Max(from + 1, (p + 1) * records.Count / pieces);
            while (to < records.Count && records[to].Header.Timestamp == records[to - 1].Header.Timestamp) to++;
            string file = Path.Combine(directory, $"tight_{p + 1}.etl");
            using (EtlFileWriter writer = EtlFileWriter.Create(file, info, records[from].Header.Timestamp))
            {
                for (int i = from; i < to; i++) writer.OnRecord(records[i].Header.ToRecord(records[i].Payload, records[i].Extended));
                writer.Close(records[to - 1].Header.Timestamp);
            }
            files.Add(file);
            from = to;
        }
        return [.. files];
    }

    private sealed class Collect(List<(RawRecordHeader, byte[], byte[])> into) : IRecordSink
    {
        public void OnRecord(in EventRecord record) =>
            into.Add((RawRecordHeader.From(record), record.Payload.ToArray(), record.ExtendedData.ToArray()));
    }

    private sealed class NullSink : IRecordSink
    {
        public void OnRecord(in EventRecord record) { }
    }
}
