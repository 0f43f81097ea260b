namespace HandleEtw.Etl.File;

/// <summary>One buffer's bytes as loaded for a processor stream; <see cref="Loaded"/> is false when it did not
/// decompress (the reader counts it as damage).</summary>
internal sealed class LoadedBuffer
{
    public byte[] Data = [];
    public BufferEntry Entry;
    public bool Loaded;
    /// <summary>Set when loading threw on the prefetch thread: rethrown on the merge thread when it reaches this buffer.</summary>
    public System.Runtime.ExceptionServices.ExceptionDispatchInfo? Failure;
}

/// <summary>Hands each processor stream its buffers in sequence order; the merge thread takes them one at a time.</summary>
internal interface IBufferFeed
{
    /// <summary>The next buffer of processor stream <paramref name="cpu"/>, or null when the stream is done.
    /// <paramref name="done"/> (the buffer the caller finished with, if any) is taken back for reuse.</summary>
    LoadedBuffer? Next(int cpu, LoadedBuffer? done);
}

/// <summary>Loads on demand on the calling thread: one buffer per processor stream in memory.</summary>
internal sealed class InlineBufferFeed(BufferEntry[][] perCpu, BufferLoader loader) : IBufferFeed
{
    private readonly int[] next = new int[perCpu.Length];
    private readonly LoadedBuffer[] buffers = perCpu.Select(_ => new LoadedBuffer()).ToArray();

    public void Rewind() => Array.Clear(next);

    public LoadedBuffer? Next(int cpu, LoadedBuffer? done)
    {
        if (next[cpu] >= perCpu[cpu].Length) return null;
        LoadedBuffer buffer = buffers[cpu];
        buffer.Entry = perCpu[cpu][next[cpu]++];
        buffer.Loaded = loader.TryLoad(buffer.Entry, ref buffer.Data);
        return buffer;
    }
}

/// <summary>Adds each buffer's size in the file to the read progress as the merge takes it: once per buffer.</summary>
internal sealed class CountingFeed(IBufferFeed inner, ReadProgress progress) : IBufferFeed
{
    public LoadedBuffer? Next(int cpu, LoadedBuffer? done)
    {
        LoadedBuffer? buffer = inner.Next(cpu, done);
        if (buffer is not null) progress.AddBytes(buffer.Entry.FileSize);
        return buffer;
    }
}
