using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace HandleEtw.Etl.File;

/// <summary>
/// Reads a stream's bytes by offset. A file is read with positional reads, so readers on different threads share it;
/// any other stream is read under a lock on it. Each read also asks the OS to start reading the next
/// <see cref="Window"/> of a file into its cache: the buffer headers the index reads lie 64 KB or more apart, which the
/// OS's own read-ahead does not recognise as sequential, so a file not yet cached would otherwise be read one small
/// piece at a time (about three times slower than its full read, on a 346 MB trace).
/// </summary>
internal sealed partial class OffsetReader(Stream stream)
{
    /// <summary>Bytes asked for ahead of the reads; asked again when the reads are half-way through them.</summary>
    private const long Window = 32 << 20;
    private const int WillNeed = 3; // PAL_POSIX_FADV_WILLNEED of the runtime's native shim

    private readonly SafeFileHandle? file = (stream as FileStream)?.SafeFileHandle;
    private bool hintsWork = !OperatingSystem.IsWindows();
    private long hintedTo;

    /// <summary>Fills <paramref name="into"/> from <paramref name="offset"/>; throws <see cref="EndOfStreamException"/>
    /// when the stream ends first, as <see cref="Stream.ReadExactly(Span{byte})"/> does.</summary>
    public void ReadAt(long offset, Span<byte> into)
    {
        if (file is null)
        {
            lock (stream)
            {
                stream.Position = offset;
                try
                {
                    stream.ReadExactly(into);
                }
                catch (EndOfStreamException)
                {
                    throw CutShort(offset + into.Length);
                }
            }
            return;
        }
        HintAhead(offset);
        long wanted = offset + into.Length;
        while (!into.IsEmpty)
        {
            int read = RandomAccess.Read(file, into, offset);
            if (read == 0) throw CutShort(wanted);
            into = into[read..];
            offset += read;
        }
    }

    /// <summary>The index was built from the file's length when it was opened, so a read that ends early means the
    /// file shrank since (rewritten or truncated by another process).</summary>
    private static EndOfStreamException CutShort(long wanted) =>
        new($"the file ends before byte {wanted:N0}, which it had when it was opened: it was cut short while being read");

    /// <summary>Asks for the window ahead of <paramref name="offset"/> when the reads are half-way through the last one
    /// (or far from it: a new read from the start, another thread's file). Small steps back, as the processor streams
    /// interleave, are covered by the window asked for already.</summary>
    private void HintAhead(long offset)
    {
        bool near = offset < hintedTo && hintedTo - offset <= 2 * Window;
        if (!hintsWork || (near && offset + Window / 2 <= hintedTo)) return;
        long from = near ? hintedTo : offset, to = offset + Window;
        try
        {
            FAdvise(file!, from, to - from, WillNeed); // a hint: its result changes nothing
            hintedTo = to;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            hintsWork = false;
        }
    }

    [LibraryImport("libSystem.Native", EntryPoint = "SystemNative_PosixFAdvise")]
    private static partial int FAdvise(SafeFileHandle file, long offset, long length, int advice);
}
