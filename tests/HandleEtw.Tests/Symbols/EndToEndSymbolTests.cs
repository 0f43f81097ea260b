using HandleEtw.Core.Events;
using HandleEtw.Etl;
using HandleEtw.Etl.File;
using HandleEtw.Symbols;
using HandleEtw.Synthetic.Scenarios;
using SynthPdb = HandleEtw.Synthetic.Etl.PdbIdentity;

namespace HandleEtw.Tests.Symbols;

/// <summary>
/// A synthetic .etl whose user frames fall inside the built program's functions and whose DbgID_RSDS event carries
/// its PDB identity, read back through the real reader and decoder, formatted with the symbol path at the asset folder.
/// </summary>
public class EndToEndSymbolTests
{
    private sealed class HandleStacks : TraceConsumer
    {
        public List<HandleEvent> Events { get; } = new();
        public override void OnHandle(in HandleEvent e) { if (e.StackId >= 0) Events.Add(e); }
    }

    /// <summary>
    /// symtest.exe (pid 4321) with the built program's PDB identity in its DbgID_RSDS event, and one Event create whose
    /// user frames are call sites at +0x3 inside the given functions, innermost first.
    /// </summary>
    internal static TraceScript SymtestTrace(params string[] functions)
    {
        var identity = PdbIdentityReader.Read(NativeAssets.Pdb);
        var rvas = NativeAssets.FunctionRvas();
        var script = new TraceScript();
        var process = script.AddProcess(4321, "symtest.exe");
        var app = process.Module("symtest.exe", 0x7FF6_1000_0000, 0x4000, @"C:\app\symtest.exe",
            new SynthPdb(identity.Guid, (uint)identity.Age, @"C:\build\symtest.pdb"));
        foreach (string f in functions) app.Function(f, rvas[f], size: 4);
        script.Advance(TimeSpan.FromMilliseconds(5));
        process.Thread(4400).Create("Event", user: functions);
        return script;
    }

    [Fact]
    public void Trace_frames_resolve_to_function_names_of_the_built_program()
    {
        TraceScript script = SymtestTrace("leaf_function", "middle_function", "outer_function", "entry_point");

        string etl = Path.Combine(Path.GetTempPath(), $"handleetw-symbols-{Guid.NewGuid():N}.etl");
        try
        {
            script.WriteTo(etl);
            var inventory = new ModuleInventory();
            var handles = new HandleStacks();
            PipelineResult result;
            using (var source = EtlFileSource.Open(etl))
                result = TracePipeline.Run(source, new CompositeConsumer(inventory, handles));

            var timeline = new ModuleTimeline(inventory.Modules(readLocalImages: false));
            using var resolver = new SymbolResolver(SymbolPath.Parse(NativeAssets.Directory));
            var formatter = new SymbolicFrameFormatter(timeline.Lookup, resolver);
            var create = Assert.Single(handles.Events, e => e.ProcessId == 4321 && e.Op == HandleOp.Create);
            string[] frames = formatter.Format(create.ProcessId, result.Stacks.GetFrames(create.StackId), create.Timestamp);

            string[] user = frames.Where(f => f.StartsWith("symtest!", StringComparison.Ordinal)).ToArray();
            Assert.Equal(4, user.Length);
            Assert.StartsWith("symtest!leaf_function+0x3 [", user[0]);
            Assert.StartsWith("symtest!middle_function+0x3 [", user[1]);
            Assert.StartsWith("symtest!outer_function+0x3 [", user[2]);
            Assert.StartsWith("symtest!entry_point+0x3 [", user[3]);
            // Kernel frames have no PDB here: they stay module+0xOFFSET and the module is named in a warning.
            Assert.Contains(frames, f => f.StartsWith("ntoskrnl+0x", StringComparison.Ordinal));
            Assert.Contains(resolver.Warnings, w => w.Contains("ntoskrnl.exe"));
        }
        finally
        {
            File.Delete(etl);
        }
    }
}

public class SymbolsOptionCliTests
{
    [Fact]
    public void Leaks_with_symbols_prints_function_names_from_the_pdb_folder()
    {
        var rvas = NativeAssets.FunctionRvas();
        TraceScript script = EndToEndSymbolTests.SymtestTrace("leaf_function", "middle_function", "outer_function");
        string etl = Path.Combine(Path.GetTempPath(), $"handleetw-leaks-{Guid.NewGuid():N}.etl");
        string html = Path.ChangeExtension(etl, ".html");
        try
        {
            script.WriteTo(etl);
            var (code, output, error) = HandleEtw.Tests.Cli.CliSmokeTests.Run("leaks", etl, "--symbols", NativeAssets.Directory);
            Assert.True(code == 0, error);
            Assert.Contains("symtest!leaf_function+0x3", output);
            Assert.Contains("symtest!outer_function+0x3", output);
            Assert.Contains("ntoskrnl+0x", output);
            Assert.Contains("ntoskrnl.exe", error); // listed once as a module without symbols

            var (plainCode, plain, _) = HandleEtw.Tests.Cli.CliSmokeTests.Run("leaks", etl, "--symbols", "");
            Assert.Equal(0, plainCode);
            Assert.Contains($"symtest+0x{rvas["leaf_function"] + 3:x}", plain);

            var (badCode, _, badError) = HandleEtw.Tests.Cli.CliSmokeTests.Run("leaks", etl, "--symbols", "srv*");
            Assert.NotEqual(0, badCode);
            Assert.Single(badError.Trim().Split('\n'));

            // The HTML report shows the same readable frames.
            var (reportCode, _, reportError) = HandleEtw.Tests.Cli.CliSmokeTests.Run("report", etl, "-o", html, "--symbols", NativeAssets.Directory);
            Assert.True(reportCode == 0, reportError);
            Assert.Contains("symtest!leaf_function+0x3", File.ReadAllText(html));
        }
        finally
        {
            File.Delete(etl);
            File.Delete(html);
        }
    }
}
