using HandleEtw.Core.Events;
using HandleEtw.Core.Records;
using HandleEtw.Core.Stacks;
using HandleEtw.Etl;

namespace HandleEtw.Parquet;

/// <summary>Where and how to write one trace's tables.</summary>
public sealed record ParquetConversionOptions
{
    public required string OutputRoot { get; init; }

    /// <summary>Hive-style `host=NAME/date=YYYY-MM-DD/trace=START/` under the root, so traces of a fleet can share one root.</summary>
    public bool Partition { get; init; }

    /// <summary>Host to record (and partition by); default: the trace's own, else the file stem.</summary>
    public string? Host { get; init; }

    public ParquetWriteOptions Write { get; init; } = new();
}

/// <summary>What a conversion wrote.</summary>
public sealed record ParquetConversionResult(string Directory, Tables.TraceMeta Meta);

/// <summary>Runs a record source through the pipeline into Parquet tables (`convert`; `record` uses the same writer).</summary>
public static class TraceToParquet
{
    /// <summary>
    /// Converts <paramref name="source"/>. An optional <paramref name="handleTracker"/> (the <see cref="Core.Tracking.HandleTracker"/>, or
    /// any consumer that is also an <see cref="ILiveHandleSource"/>) runs first and feeds `live_handles`. On cancellation or a reader error every
    /// file is closed with meta `partial = true` and the exception propagates; <paramref name="onPartial"/> is told
    /// what was written first. The table directory is locked for the whole run (<see cref="OutputLock"/>: a second
    /// conversion into it fails at once) and the tables of an earlier conversion there are removed first;
    /// <paramref name="whileLocked"/> runs after a complete conversion, still under the lock (the symbols table).
    /// </summary>
    public static ParquetConversionResult Run(IRecordSource source, ParquetConversionOptions options,
        TraceConsumer? handleTracker = null, Action<ParquetConversionResult>? onPartial = null,
        CancellationToken cancel = default, Action<ParquetConversionResult>? whileLocked = null)
    {
        TraceInfo info = source.Info;
        string host = ParquetLayout.HostFor(options.Host, info.HostName, info.Source);
        string directory = ParquetLayout.TableDirectory(options.OutputRoot, options.Partition, host, info.StartUtc);
        using OutputLock locked = OutputLock.Acquire(directory);
        locked.ClearTables();
        ParquetConversionResult result = Convert(source, options, handleTracker, onPartial, cancel, directory, host);
        whileLocked?.Invoke(result);
        return result;
    }

    private static ParquetConversionResult Convert(IRecordSource source, ParquetConversionOptions options,
        TraceConsumer? handleTracker, Action<ParquetConversionResult>? onPartial, CancellationToken cancel,
        string directory, string host)
    {
        TraceInfo info = source.Info;
        var stacks = new StackTable();
        var writer = new ParquetTraceWriter(directory, info, stacks, options.Write, LiveSourceOf(handleTracker), host);
        try
        {
            TraceConsumer consumer = handleTracker is null ? writer : new CompositeConsumer(handleTracker, writer);
            TracePipeline.Run(source, consumer, stacks, cancel);
            writer.Complete();
            return new ParquetConversionResult(directory, writer.Meta!);
        }
        catch (Exception) when (!IsFinished(writer))
        {
            writer.Dispose();
            onPartial?.Invoke(new ParquetConversionResult(directory, writer.Meta!));
            throw;
        }
        finally
        {
            writer.Dispose();
        }
    }

    private static ILiveHandleSource? LiveSourceOf(TraceConsumer? tracker) => tracker switch
    {
        Core.Tracking.HandleTracker t => new TrackerLiveHandles(t),
        ILiveHandleSource s => s,
        _ => null,
    };

    private static bool IsFinished(ParquetTraceWriter writer) => writer.Meta is not null;
}
