using HandleEtw.Core.Records;
using HandleEtw.Etl.File;
using HandleEtw.Synthetic.Scale;
using HandleEtw.Tests.Etl;

namespace HandleEtw.Tests.Damage;

/// <summary>
/// Files of 16 buffers or more are read with a second thread loading and decompressing ahead, smaller ones (every
/// scenario of the damage campaign) on demand. Damage must read the same either way: the same records in the same
/// order and the same counts of what was lost, so the answer and its "lossy" do not depend on the path taken.
/// </summary>
public class ReadAheadDamageTests
{
    private const int MutantsPerTrace = 40;

    [Theory]
    [InlineData(false, 4)]
    [InlineData(true, 4)]
    [InlineData(true, 12)] // more than 8 streams: the heap merge
    public void Damaged_files_read_the_same_with_and_without_read_ahead(bool compress, int processors)
    {
        byte[] trace = ManyBufferTrace(compress, processors);
        var mutator = new FramingMutator(trace);
        var random = new Random(2600 + processors + (compress ? 1 : 0));
        int read = 0, lossy = 0;
        for (int run = 0; run < MutantsPerTrace; run++)
        {
            byte[] mutant = mutator.Mutate(random, out string what);
            EtlFileSource source;
            try
            {
                source = EtlFileSource.Open(new MemoryStream(mutant), "mutant.etl");
            }
            catch (TraceFormatException)
            {
                continue; // refused before any read: the same for both paths
            }
            using (source)
            {
                if (source.BuffersByProcessor.Sum(b => b.Length) < 16) continue; // cut short: read on demand either way
                string onDemand = ReadOnce(source, readAhead: false), ahead = ReadOnce(source, readAhead: true);
                Assert.True(onDemand == ahead, $"run {run} ({what}): read-ahead changed what was read");
                read++;
                if (source.Info.Lossy) lossy++;
            }
        }
        Assert.True(read >= MutantsPerTrace / 2, $"only {read} mutants opened");
        Assert.True(lossy > 0, "no mutant was counted as damaged");
    }

    /// <summary>A few thousand handle events with stacks from a 16-key cache, in 4 KB buffers: well over the 16
    /// buffers that turn read-ahead on (the damage campaign uses it too).</summary>
    internal static byte[] ManyBufferTrace(bool compress, int processors)
    {
        var options = new ScaleOptions
        {
            Events = 3000, Compress = compress, CachedStacks = true, StackCacheSize = 16, BufferSize = 4096, Processors = processors,
        };
        var stream = new MemoryStream();
        new ScaleGenerator(options).Write(stream);
        return stream.ToArray();
    }

    /// <summary>Every record and every damage count of one read, as text; or the failure that stopped it.</summary>
    private static string ReadOnce(EtlFileSource source, bool readAhead)
    {
        source.ReadAhead = readAhead;
        var log = new RecordLog();
        try
        {
            source.Read(log);
        }
        catch (TraceFormatException e)
        {
            return $"failed after {log.Entries.Count} records: {e.Message}";
        }
        TraceInfo i = source.Info;
        return string.Join("\n", log.Entries) +
            $"\nlost {i.EventsLost}/{i.BuffersLost}, damaged {i.DamagedBuffers} buffers {i.DamagedBytes} bytes {i.DamagedRecords} records, " +
            $"skipped {i.SkippedRecords}, gaps {i.Gaps.Count}, lossy {i.Lossy}";
    }
}
