using HandleEtw.Cli.Commands;
using HandleEtw.Reports.Collect;
using HandleEtw.Synthetic.Scenarios;
using HandleEtw.Tests.Parquet;
using HandleEtw.Tests.Reports;
using static HandleEtw.Tests.Cli.CliSmokeTests;

namespace HandleEtw.Tests.Clr;

/// <summary>The `methods` Parquet table of a trace with JIT code, and the commands that read it back: `symbolize` and
/// `report` of a Parquet directory name managed frames as the .etl commands do.</summary>
public sealed class MethodsTableTests : IDisposable
{
    private const int Pid = HandleScenarios.OrderServicePid;
    private const string Handler = "OrderService.Handlers.OrderHandler.Process";
    private readonly TempDir _dir = new();
    private readonly string _tables;

    public MethodsTableTests()
    {
        string etl = Path.Combine(_dir.Path, "orders.etl");
        HandleScenarios.ManagedLeak(orders: 6).WriteTo(etl);
        _tables = Path.Combine(_dir.Path, "out");
        var (code, _, error) = Run("convert", etl, "-o", _tables);
        Assert.True(code == 0, error);
    }

    public void Dispose() => _dir.Dispose();

    private DuckDb Db()
    {
        var db = new DuckDb();
        db.BindTables(_tables);
        return db;
    }

    [Fact]
    public void A_re_jit_and_a_reused_range_are_rows_of_their_own_with_their_times()
    {
        using var db = Db();
        var process = db.Rows($"""
            SELECT start, size, rejit_id, load_time_ns, unload_time_ns, module, module_path, process_key, method_id
            FROM methods WHERE pid = {Pid} AND namespace || '.' || name = '{Handler}' ORDER BY load_time_ns
            """);
        Assert.Equal(2, process.Count);
        Assert.Equal(0x7FF9_2000_1000UL, Convert.ToUInt64(process[0][0]));
        Assert.Equal(0x300L, Convert.ToInt64(process[0][1]));
        Assert.Equal(0x7FF9_2000_8000UL, Convert.ToUInt64(process[1][0]));
        Assert.Equal(1L, Convert.ToInt64(process[1][2]));
        Assert.True(Convert.ToInt64(process[1][3]) > Convert.ToInt64(process[0][3]));
        Assert.Null(process[0][4]); // the old code stays (frames running in it keep its name) and nothing unloaded it
        Assert.Null(process[1][4]);
        Assert.Equal("OrderService", process[0][5]);
        Assert.Equal(@"C:\services\OrderService\OrderService.exe", process[0][6]);
        Assert.NotEqual(0UL, Convert.ToUInt64(process[0][7]));
        Assert.Equal(process[0][8], process[1][8]); // one method, compiled twice

        var lambdas = db.Rows($"""
            SELECT name, load_time_ns, unload_time_ns FROM methods WHERE pid = {Pid} AND start = {0x7FF9_2000_4000UL} ORDER BY load_time_ns
            """);
        Assert.Equal(["Lambda_Create", "Lambda_Other"], lambdas.Select(r => (string)r[0]!));
        Assert.True(Convert.ToInt64(lambdas[0][2]) <= Convert.ToInt64(lambdas[1][1]));
        Assert.Equal(db.Count($"SELECT count(*) FROM methods WHERE pid = {Pid}"),
                     db.Count($"SELECT count(DISTINCT (start, load_time_ns)) FROM methods WHERE pid = {Pid}"));
    }

    [Fact]
    public void Symbolize_names_the_jit_frames_of_a_parquet_directory_from_the_methods_table()
    {
        var (code, _, error) = Run("symbolize", _tables);
        Assert.True(code == 0, error);
        using var db = Db();
        var frames = db.Rows($"""
            SELECT DISTINCT s.module, s.function, s.offset FROM read_parquet('{Path.Combine(_tables, "symbols.parquet")}') s
            WHERE s.function LIKE 'OrderService.%' OR s.function LIKE 'dynamicClass.%'
            """).Select(r => $"{r[0]}!{r[1]}+0x{Convert.ToUInt64(r[2]):x}").ToHashSet();
        Assert.Contains($"OrderService.exe!{Handler}+0x2b", frames);
        // One stack (same addresses) ran through Lambda_Create and, after the range was reused, Lambda_Other: the
        // symbols table has one row per frame of a stack and names it as at the stack's first use.
        Assert.Contains("OrderService.exe!dynamicClass.Lambda_Create+0x2b", frames);
        Assert.DoesNotContain("OrderService.exe!dynamicClass.Lambda_Other+0x2b", frames);
        // Every frame of the service's stacks lies in an image or in JIT code: none is left a bare address.
        Assert.Equal(0, db.Count($"""
            SELECT count(*) FROM read_parquet('{Path.Combine(_tables, "symbols.parquet")}') s
            WHERE s.module IS NULL AND s.stack_id IN (SELECT stack_id FROM events WHERE pid = {Pid})
            """));
    }

    [Fact]
    public void The_report_of_a_parquet_directory_names_managed_frames_as_the_etl_report_does()
    {
        ReportData fromEtl = ReportFixtures.Build(Path.Combine(_dir.Path, "orders.etl"));
        ReportData fromParquet = ReportBuilder.Build(ReportCommand.Open(_tables), new ReportOptions());
        var etlStacks = fromEtl.Leaks.Leaks.Concat(fromEtl.Leaks.Flat).Select(l => string.Join(" <- ", l.Stack)).Order().ToList();
        var parquetStacks = fromParquet.Leaks.Leaks.Concat(fromParquet.Leaks.Flat).Select(l => string.Join(" <- ", l.Stack)).Order().ToList();
        Assert.Equal(etlStacks, parquetStacks);
        Assert.Contains(parquetStacks, s => s.Contains($"OrderService!{Handler}+0x2b", StringComparison.Ordinal));
        Assert.Contains(parquetStacks, s => s.Contains("OrderService!dynamicClass.Lambda_Other+0x2b", StringComparison.Ordinal));
    }

    [Fact]
    public void The_schema_documents_join_names_jit_frames_in_duckdb()
    {
        string doc = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "docs", "parquet-schema.md"));
        int at = doc.IndexOf("-- JIT frames of create stacks, named at", StringComparison.Ordinal);
        Assert.True(at >= 0, "the query is gone from docs/parquet-schema.md");
        string sql = doc[at..doc.IndexOf("```", at, StringComparison.Ordinal)];
        using var db = Db();
        var frames = db.Rows(sql).Select(r => (string)r[1]!).ToHashSet();
        Assert.Contains($"OrderService!{Handler}+0x2b", frames);
        Assert.Contains("mscorlib!System.Threading.EventWaitHandle..ctor+0x2b", frames);
        Assert.Contains("OrderService!dynamicClass.Lambda_Other+0x2b", frames);
    }
}
