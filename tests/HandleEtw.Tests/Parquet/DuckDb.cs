using DuckDB.NET.Data;

namespace HandleEtw.Tests.Parquet;

/// <summary>An in-memory DuckDB for reading back what the writer wrote.</summary>
internal sealed class DuckDb : IDisposable
{
    private readonly DuckDBConnection _connection = new("Data Source=:memory:");

    public DuckDb() => _connection.Open();

    public object? Scalar(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    public long Count(string sql) => Convert.ToInt64(Scalar(sql));

    public void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>Rows of a query; <paramref name="parameters"/> bind its `$name` parameters.</summary>
    public List<object?[]> Rows(string sql, IReadOnlyDictionary<string, object?>? parameters = null)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach ((string name, object? value) in parameters ?? new Dictionary<string, object?>())
            command.Parameters.Add(new DuckDBParameter(name, value));
        using var reader = command.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (int i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            rows.Add(row);
        }
        return rows;
    }

    /// <summary>Binds each table of a trace directory as a view named after the table.</summary>
    public void BindTables(string directory)
    {
        foreach (string table in HandleEtw.Parquet.ParquetLayout.Tables)
            Execute($"CREATE OR REPLACE VIEW {table} AS SELECT * FROM read_parquet('{Path.Combine(directory, table + ".parquet")}')");
    }

    public void Dispose() => _connection.Dispose();
}

/// <summary>A temporary directory removed after the test.</summary>
internal sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("handleetw-parquet-").FullName;
    public void Dispose() { try { Directory.Delete(Path, recursive: true); } catch (IOException) { } }
}
