using System.IO.Compression;
using Parquet;

namespace HandleEtw.Parquet;

public enum ParquetCompression { Zstd, Snappy, Gzip, None }

/// <summary>How the tables are written. The defaults favour write speed and small files.</summary>
public sealed record ParquetWriteOptions
{
    /// <summary>zstd at its fastest level by default.</summary>
    public ParquetCompression Compression { get; init; } = ParquetCompression.Zstd;

    /// <summary>
    /// Rows per row group: large groups scan fast; memory is bounded by one group per table. 256 Ki rows measured
    /// the same bytes/event and CPU as 1 Mi rows with half the peak memory (ParquetBenchmark).
    /// </summary>
    public int RowGroupSize { get; init; } = 1 << 18;

    /// <summary>
    /// Encode and compress each `events` row group on a second thread while the next one fills (at most one in
    /// flight, so memory is two row groups). Off: everything on the caller's thread.
    /// </summary>
    public bool BackgroundWrite { get; init; } = true;

    /// <summary>Parses `zstd|snappy|gzip|none` (case-insensitive); null when the name is unknown.</summary>
    public static ParquetCompression? ParseCompression(string? name) => name?.ToLowerInvariant() switch
    {
        "zstd" => ParquetCompression.Zstd,
        "snappy" => ParquetCompression.Snappy,
        "gzip" => ParquetCompression.Gzip,
        "none" => ParquetCompression.None,
        _ => null,
    };

    /// <summary>Parquet.Net options for one table, with its per-column encoding hints.</summary>
    internal ParquetOptions ToParquetOptions(IReadOnlyDictionary<string, EncodingHint> hints)
    {
        var options = new ParquetOptions
        {
            CompressionMethod = Compression switch
            {
                ParquetCompression.Snappy => CompressionMethod.Snappy,
                ParquetCompression.Gzip => CompressionMethod.Gzip,
                ParquetCompression.None => CompressionMethod.None,
                _ => CompressionMethod.Zstd,
            },
            CompressionLevel = CompressionLevel.Fastest,
            // Low-cardinality strings (object names, type names, snapshot labels) are dictionary encoded when hinted.
            DictionaryEncodingThreshold = 0.8,
        };
        foreach (var (column, hint) in hints) options.ColumnEncodingHints[column] = hint;
        return options;
    }
}
