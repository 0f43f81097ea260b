using HandleEtw.Etl.File;

namespace HandleEtw.Tests.Etl;

/// <summary>The read-ahead thread and the merge thread read one file at once, each at its own offsets.</summary>
public class OffsetReaderTests
{
    [Fact]
    public void Two_threads_reading_one_file_by_offset_each_get_their_own_bytes()
    {
        string path = Path.GetTempFileName();
        try
        {
            byte[] bytes = new byte[3 << 20];
            new Random(7).NextBytes(bytes);
            System.IO.File.WriteAllBytes(path, bytes);
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 0, FileOptions.RandomAccess);
            Parallel.For(0, 2, thread =>
            {
                var reader = new OffsetReader(stream);
                var random = new Random(thread);
                byte[] into = new byte[70_000];
                for (int i = 0; i < 500; i++)
                {
                    int offset = random.Next(bytes.Length - into.Length);
                    reader.ReadAt(offset, into);
                    Assert.True(bytes.AsSpan(offset, into.Length).SequenceEqual(into), $"offset {offset}");
                }
            });
        }
        finally
        {
            System.IO.File.Delete(path);
        }
    }

    [Fact]
    public void A_read_past_the_end_throws_end_of_stream_saying_the_file_was_cut_short_for_files_and_other_streams()
    {
        string path = Path.GetTempFileName();
        try
        {
            System.IO.File.WriteAllBytes(path, new byte[100]);
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read);
            var fromFile = Assert.Throws<EndOfStreamException>(() => new OffsetReader(file).ReadAt(60, new byte[50]));
            var fromStream = Assert.Throws<EndOfStreamException>(() => new OffsetReader(new MemoryStream(new byte[100])).ReadAt(60, new byte[50]));
            Assert.All(new[] { fromFile, fromStream }, e => Assert.Contains("ends before byte 110, which it had when it was opened", e.Message));
        }
        finally
        {
            System.IO.File.Delete(path);
        }
    }
}
