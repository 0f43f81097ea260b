using System.Diagnostics;
using System.Runtime.InteropServices;
using HandleEtw.Tests.Parquet;
using HandleEtw.Tests.Symbols;

namespace HandleEtw.Tests.Cli;

/// <summary>A fact about the Release build output of src/HandleEtw.Cli on a Linux machine with a C toolchain, where
/// the build compiles the CLI ahead of time (NativeOnBuild.targets); skipped elsewhere with the reason.</summary>
public sealed class NativeBuildFactAttribute : FactAttribute
{
    public NativeBuildFactAttribute()
    {
#if DEBUG
        Skip = "the native executable is built by Release builds only";
#else
        if (!OperatingSystem.IsLinux() || RuntimeInformation.OSArchitecture is not (Architecture.X64 or Architecture.Arm64))
            Skip = "the native executable is built on Linux x64 and arm64 build machines only";
        else if (!NativeExecutableTests.HasCCompiler())
            Skip = "no C compiler on PATH to link the native executable";
#endif
    }
}

/// <summary>
/// The executable in the Release build output is compiled ahead of time, and it gives the same answers, byte for byte,
/// as the same program run on the JIT (here, in process): every command that reads a trace, the Parquet tables, the
/// HTML page, symbol lookup from a PDB, and the one-line errors for damage and bad arguments.
/// </summary>
public sealed class NativeExecutableTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string Project => Path.Combine(TestPaths.RepoRoot, "src", "HandleEtw.Cli");

    private static string Executable => Path.Combine(Project, "bin", "Release", "net10.0", "handleetw");

    /// <summary>What the native step of the build printed (NativeOnBuild.targets).</summary>
    private static string NativeLog => Path.Combine(Project, "obj", "Release", "net10.0", "native", "native.log");

    /// <summary>The linkers the native compiler looks for.</summary>
    internal static bool HasCCompiler() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => new[] { "gcc", "clang" }.Any(name => File.Exists(Path.Combine(dir, name))));

    [NativeBuildFact]
    public void The_build_output_holds_the_native_executable()
    {
        Assert.True(File.Exists(Executable), Executable);
        // The launcher that starts .NET is under a megabyte; the native program, with the runtime in it, is many.
        Assert.True(new FileInfo(Executable).Length > 4 << 20,
            $"the Release output holds the .NET launcher: see {NativeLog}");
    }

    [NativeBuildFact]
    public void The_native_compile_found_every_assembly_the_program_names()
    {
        // A method naming an assembly the compiler cannot find is compiled to code that always throws, with only a
        // line in the log to say so (TraceEvent's symbol reader once did, for want of Microsoft.Bcl.HashCode).
        Assert.True(File.Exists(NativeLog), NativeLog);
        Assert.DoesNotContain(File.ReadLines(NativeLog), line => line.Contains("will always throw", StringComparison.Ordinal));
    }

    [NativeBuildFact]
    public void Every_reading_command_answers_as_on_the_jit()
    {
        string sample = TestPaths.Sample;
        string truncated = Path.Combine(_dir.Path, "cut.etl");
        byte[] bytes = File.ReadAllBytes(sample);
        File.WriteAllBytes(truncated, bytes[..(bytes.Length * 2 / 3)]);
        string[][] commands =
        [
            ["stats", sample, "--json"], ["stats", sample],
            ["leaks", sample, "--json"], ["leaks", sample, "--kind", "all"],
            ["diff", sample, "--json"], ["diff", sample, "--all"],
            ["misuse", sample, "--json"], ["history", sample, "--pid", "4242", "--handle", "0x104"],
            ["compare", sample, sample, "--json"],
            ["leaks", truncated, "--json"], ["stats", TestPaths.Corpus("etl-parser/AMSITrace.etl")],
            ["leaks", Path.Combine(_dir.Path, "missing.etl")], ["diff", sample, "--from", "later"],
        ];
        foreach (string[] args in commands) AssertSameAnswer(args);
    }

    [NativeBuildFact]
    public void Parquet_tables_and_the_html_page_are_the_same_bytes()
    {
        string jit = Path.Combine(_dir.Path, "jit"), native = Path.Combine(_dir.Path, "native");
        Assert.Equal(0, CliSmokeTests.Run("convert", TestPaths.Sample, "-o", jit).Code);
        Assert.Equal(0, RunNative("convert", TestPaths.Sample, "-o", native).Code);
        string[] tables = Directory.GetFiles(jit).Select(Path.GetFileName).Order().ToArray()!;
        Assert.Equal(tables, Directory.GetFiles(native).Select(Path.GetFileName).Order().ToArray());
        foreach (string table in tables)
            Assert.True(File.ReadAllBytes(Path.Combine(jit, table)).SequenceEqual(File.ReadAllBytes(Path.Combine(native, table))), table);

        Assert.Equal(0, CliSmokeTests.Run("report", TestPaths.Sample, "-o", jit + ".html").Code);
        Assert.Equal(0, RunNative("report", TestPaths.Sample, "-o", native + ".html").Code);
        Assert.Equal(WithoutWrittenTime(jit + ".html"), WithoutWrittenTime(native + ".html"));
    }

    [NativeBuildFact]
    public void Symbols_come_from_the_pdb_as_on_the_jit()
    {
        string etl = Path.Combine(_dir.Path, "symtest.etl");
        EndToEndSymbolTests.SymtestTrace("leaf_function", "middle_function", "outer_function", "entry_point").WriteTo(etl);
        string output = AssertSameAnswer("diff", etl, "--symbols", NativeAssets.Directory);
        Assert.Contains("leaf_function", output);
    }

    /// <summary>The page's one line that says when it was written.</summary>
    private static string WithoutWrittenTime(string html) =>
        System.Text.RegularExpressions.Regex.Replace(File.ReadAllText(html), "<th>Report written</th><td>[^<]*</td>", "");

    private static string AssertSameAnswer(params string[] args)
    {
        var expected = CliSmokeTests.Run(args);
        var actual = RunNative(args);
        string command = string.Join(' ', args);
        Assert.True(expected.Code == actual.Code, $"{command}: exit {actual.Code}, on the JIT {expected.Code}");
        Assert.True(expected.Out == actual.Out, $"{command}: standard output differs");
        Assert.True(expected.Err == actual.Err, $"{command}: standard error differs: {actual.Err}");
        return actual.Out;
    }

    private static (int Code, string Out, string Err) RunNative(params string[] args)
    {
        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (string arg in args) start.ArgumentList.Add(arg);
        using var child = Process.Start(start)!;
        Task<string> stderr = child.StandardError.ReadToEndAsync();
        string stdout = child.StandardOutput.ReadToEnd();
        Assert.True(child.WaitForExit(120_000), "the native executable finished");
        return (child.ExitCode, stdout, stderr.Result);
    }
}
