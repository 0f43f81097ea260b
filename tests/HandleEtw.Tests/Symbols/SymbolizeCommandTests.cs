using HandleEtw.Tests.Parquet;
using static HandleEtw.Tests.Cli.CliSmokeTests;

namespace HandleEtw.Tests.Symbols;

/// <summary>
/// `handleetw symbolize` and `convert --symbols` over a synthetic trace whose user frames fall inside the functions of
/// the clang-built program and whose DbgID_RSDS names its PDB; the symbols table is read back through DuckDB.
/// </summary>
public sealed class SymbolizeCommandTests : IDisposable
{
    private static readonly string[] Functions = ["leaf_function", "middle_function", "outer_function", "entry_point"];
    private readonly TempDir _dir = new();
    private readonly string _etl;
    private readonly IReadOnlyDictionary<string, uint> _rvas = NativeAssets.FunctionRvas();

    public SymbolizeCommandTests()
    {
        _etl = Path.Combine(_dir.Path, "symtest.etl");
        EndToEndSymbolTests.SymtestTrace(Functions).WriteTo(_etl); // call sites at +0x3
    }

    public void Dispose() => _dir.Dispose();

    private string Convert(params string[] extra)
    {
        string output = Path.Combine(_dir.Path, "out");
        var (code, _, error) = Run(["convert", _etl, "-o", output, .. extra]);
        Assert.True(code == 0, error);
        return output;
    }

    /// <summary>The user frames of the create stack: (module, function, offset, source_file), innermost first.</summary>
    private static List<object?[]> UserFrames(string symbolsGlob)
    {
        using var db = new DuckDb();
        return db.Rows($"""
            SELECT s.module, s.function, s.offset, s.source_file, s.address
            FROM read_parquet('{symbolsGlob}') s
            WHERE s.module = 'symtest.exe' ORDER BY s.stack_id, s.frame_index
            """);
    }

    [Fact]
    public void Symbolize_writes_function_names_from_the_pdb()
    {
        string dir = Convert();
        var (code, output, error) = Run("symbolize", dir, "--symbols", NativeAssets.Directory, "--verbose");
        Assert.True(code == 0, error);
        Assert.Contains("4 resolved to a function", output);
        Assert.Matches(@"symbols: \d+ lookups, \d+ cache hits", error);

        var frames = UserFrames(Path.Combine(dir, "symbols.parquet"));
        Assert.Equal(Functions, frames.Select(f => (string?)f[1]));
        Assert.All(frames, f => Assert.Equal(3UL, System.Convert.ToUInt64(f[2])));
        Assert.All(frames, f => Assert.EndsWith("symtest.c", (string?)f[3]));
        Assert.Empty(Directory.GetFiles(dir, "*.tmp"));

        using var db = new DuckDb();
        db.BindTables(dir);
        // Every frame of every stack has exactly one row, joined back by (stack_id, frame_index).
        Assert.Equal(db.Count("SELECT sum(depth)::BIGINT FROM stacks"),
            db.Count($"SELECT count(*) FROM read_parquet('{Path.Combine(dir, "symbols.parquet")}')"));
        Assert.Equal(0, db.Count($"""
            SELECT count(*) FROM (SELECT stack_id, unnest(frames) AS address, generate_subscripts(frames, 1) - 1 AS frame_index FROM stacks) f
            ANTI JOIN read_parquet('{Path.Combine(dir, "symbols.parquet")}') s USING (stack_id, frame_index, address)
            """));
    }

    [Fact]
    public void Symbolize_without_symbols_writes_module_plus_offset_rows()
    {
        string dir = Convert();
        var (code, _, error) = Run("symbolize", dir, "--symbols", "", "--verbose");
        Assert.True(code == 0, error);
        Assert.Contains("no symbol path", error);

        var frames = UserFrames(Path.Combine(dir, "symbols.parquet"));
        Assert.Equal(Functions.Length, frames.Count);
        for (int i = 0; i < frames.Count; i++)
        {
            Assert.Null(frames[i][1]);
            Assert.Equal(_rvas[Functions[i]] + 3UL, System.Convert.ToUInt64(frames[i][2]));
            Assert.Equal(0x7FF6_1000_0000UL + _rvas[Functions[i]] + 3, System.Convert.ToUInt64(frames[i][4]));
        }
        using var db = new DuckDb();
        Assert.True(db.Count($"SELECT count(*) FROM read_parquet('{Path.Combine(dir, "symbols.parquet")}') WHERE module = 'ntoskrnl.exe'") > 0);
    }

    [Fact]
    public void Convert_with_symbols_writes_the_table_and_symbolize_handles_partitions()
    {
        string dir = Convert("--symbols", NativeAssets.Directory, "--partition", "--host", "box1");
        string partition = Assert.Single(Directory.GetDirectories(dir, "trace=*", SearchOption.AllDirectories));
        Assert.Equal(Functions, UserFrames(Path.Combine(partition, "symbols.parquet")).Select(f => (string?)f[1]));

        File.Delete(Path.Combine(partition, "symbols.parquet"));
        var (code, output, error) = Run("symbolize", dir, "--symbols", NativeAssets.Directory);
        Assert.True(code == 0, error);
        Assert.Contains(partition, output);
        Assert.Equal(Functions, UserFrames(Path.Combine(dir, "*", "*", "*", "symbols.parquet")).Select(f => (string?)f[1]));
    }

    [Fact]
    public void Symbolize_writes_only_into_handleetw_table_directories_and_deeper_only_when_asked()
    {
        string parent = Path.Combine(_dir.Path, "parent");
        string foreign = Path.Combine(parent, "other-tool");
        Directory.CreateDirectory(foreign);
        File.WriteAllText(Path.Combine(foreign, "stacks.parquet"), "not ours");
        File.WriteAllText(Path.Combine(foreign, "modules.parquet"), "not ours");
        string nested = Path.Combine(parent, "runs", "monday");
        var (converted, _, convertError) = Run("convert", _etl, "-o", nested);
        Assert.True(converted == 0, convertError);

        var (code, output, error) = Run("symbolize", parent, "--symbols", "");
        Assert.Equal(HandleEtw.Cli.ExitCodes.FormatError, code);
        Assert.Equal("", output);
        Assert.Contains("not a handleetw table directory (no meta.parquet)", error);
        Assert.Contains("--recursive", error);
        Assert.Empty(Directory.GetFiles(parent, "symbols.parquet", SearchOption.AllDirectories));

        var (fleet, fleetOutput, fleetError) = Run("symbolize", parent, "--recursive", "--symbols", "");
        Assert.True(fleet == 0, fleetError);
        string written = Path.Combine(nested, "symbols.parquet");
        Assert.Equal([written], Directory.GetFiles(parent, "symbols.parquet", SearchOption.AllDirectories));
        Assert.Contains("wrote " + written, fleetOutput);
        Assert.Contains("in 1 table directory", fleetOutput);
        Assert.False(File.Exists(Path.Combine(foreign, "symbols.parquet")), "a folder without meta.parquet is never written");
    }

    [Fact]
    public void Verbose_on_analysis_commands_reports_symbol_lookups()
    {
        foreach (string command in new[] { "leaks", "diff" })
        {
            var (code, _, error) = Run(command, _etl, "--symbols", NativeAssets.Directory, "--verbose");
            Assert.True(code == 0, error);
            Assert.Matches(@"symbols: [1-9]\d* lookups, \d+ cache hits, 1 modules with symbols, \d+ ms", error);
        }
        var (_, _, quiet) = Run("leaks", _etl, "--symbols", NativeAssets.Directory);
        Assert.DoesNotContain("lookups", quiet);
    }

    [Fact]
    public void Errors_are_one_line()
    {
        string missing = Path.Combine(_dir.Path, "nope");
        AssertOneLineError(Run("symbolize", missing), "no such directory");

        string empty = Directory.CreateDirectory(Path.Combine(_dir.Path, "empty")).FullName;
        AssertOneLineError(Run("symbolize", empty), "not a handleetw table directory (no meta.parquet)");

        string dir = Convert();
        File.Delete(Path.Combine(dir, "modules.parquet"));
        AssertOneLineError(Run("symbolize", dir), "without modules.parquet");

        File.WriteAllText(Path.Combine(dir, "modules.parquet"), "not parquet");
        AssertOneLineError(Run("symbolize", dir), "modules.parquet");
        Assert.False(File.Exists(Path.Combine(dir, "symbols.parquet")));
        Assert.Empty(Directory.GetFiles(dir, "*.tmp"));
    }

    private static void AssertOneLineError((int Code, string Out, string Err) result, string expected)
    {
        Assert.NotEqual(0, result.Code);
        Assert.Single(result.Err.Trim().Split('\n'));
        Assert.Contains(expected, result.Err);
        Assert.StartsWith("handleetw symbolize: ", result.Err);
    }
}
