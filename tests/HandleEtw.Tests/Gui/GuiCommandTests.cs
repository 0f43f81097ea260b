using System.Text.Json;
using HandleEtw.Synthetic.Scenarios;
using HandleEtw.Tests.Cli;

namespace HandleEtw.Tests.Gui;

/// <summary>--kind on diff, history, leaks and stats, through the real CLI on synthetic Win32k traces.</summary>
public class GuiCommandTests
{
    private static (int Code, string Out, string Err) Run(TraceScript script, params string[] command)
    {
        string etl = Path.Combine(Path.GetTempPath(), $"handleetw-gui-{Guid.NewGuid():N}.etl");
        try
        {
            script.WriteTo(etl);
            return CliSmokeTests.Run([command[0], etl, .. command[1..]]);
        }
        finally
        {
            File.Delete(etl);
        }
    }

    private static JsonElement Json(TraceScript script, params string[] command)
    {
        var (code, output, error) = Run(script, [.. command, "--json"]);
        Assert.True(code == 0, error);
        JsonElement root = JsonDocument.Parse(output).RootElement.Clone();
        JsonDocumentTests.AssertContract(root);
        return root;
    }

    [Fact]
    public void Leaks_kind_gdi_ranks_the_font_stack_first_with_its_count_and_type()
    {
        JsonElement leaks = Json(HandleScenarios.GdiPaintLeak(paints: 40), "leaks", "--kind", "gdi");
        JsonElement top = leaks.GetProperty("leaks")[0];
        Assert.Equal("Font", top.GetProperty("type").GetString());
        Assert.Equal("gdi", top.GetProperty("handle_kind").GetString());
        Assert.Equal(40, top.GetProperty("outstanding").GetInt32());
        string[] stack = top.GetProperty("stack").EnumerateArray().Select(f => f.GetString()!).ToArray();
        Assert.Contains("gdi32+0x2000", stack.Select(f => f[..f.LastIndexOf('+')] + "+0x2000")); // CreateFontIndirectW's module
        Assert.Contains(stack, f => f.StartsWith("paintapp+0x14", StringComparison.Ordinal)); // OnPaint
        Assert.DoesNotContain(leaks.GetProperty("leaks").EnumerateArray(), g => g.GetProperty("type").GetString() == "Brush");

        var (code, text, _) = Run(HandleScenarios.GdiPaintLeak(paints: 40), "leaks", "--kind", "gdi");
        Assert.Equal(0, code);
        Assert.StartsWith("#1 paintapp.exe (pid 5300) GDI Font: 40 outstanding of 40 opened", text);
    }

    [Fact]
    public void The_default_kind_is_kernel_with_a_note_about_the_gdi_events()
    {
        var (code, text, error) = Run(HandleScenarios.GdiPaintLeak(paints: 40), "leaks");
        Assert.Equal(0, code);
        Assert.DoesNotContain("Font", text);
        Assert.Contains("Event", text);
        string note = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("note:", StringComparison.Ordinal));
        Assert.Contains("--kind gdi", note);
    }

    [Fact]
    public void Kind_all_lists_kernel_gdi_and_user_groups_in_one_ranking()
    {
        JsonElement leaks = Json(HandleScenarios.GdiPaintLeak(paints: 40), "leaks", "--kind", "all");
        var kinds = leaks.GetProperty("leaks").EnumerateArray().Concat(leaks.GetProperty("flat").EnumerateArray())
            .Select(g => g.GetProperty("handle_kind").GetString()).ToHashSet();
        Assert.Equal(["gdi", "kernel"], kinds.Order());
    }

    [Fact]
    public void A_kind_the_trace_lacks_is_exit_5_and_a_bad_kind_is_exit_2()
    {
        var (code, _, error) = Run(HandleScenarios.LeakyHandles(iterations: 10), "leaks", "--kind", "user");
        Assert.Equal(5, code);
        Assert.Contains("no USER handle events", error);
        (code, _, error) = Run(HandleScenarios.LeakyHandles(iterations: 10), "diff", "--kind", "window");
        Assert.Equal(2, code);
        Assert.Contains("--kind window: expected kernel, gdi, user or all", error);
        // A trace with only Win32k events is fine for --kind user, and says what it lacks for the kernel view.
        (code, _, _) = Run(HandleScenarios.UserObjectsReassigned(), "leaks", "--kind", "user");
        Assert.Equal(0, code);
        (code, _, _) = Run(HandleScenarios.UserObjectsReassigned(), "leaks");
        Assert.Equal(5, code);
    }

    [Fact]
    public void Diff_kind_user_lists_the_window_in_its_new_owner_with_the_launchers_create_stack()
    {
        JsonElement diff = Json(HandleScenarios.UserObjectsReassigned(), "diff", "--kind", "user");
        JsonElement group = Assert.Single(diff.GetProperty("groups").EnumerateArray());
        Assert.Equal(HandleScenarios.PaintPid + 100, group.GetProperty("pid").GetInt32());
        Assert.Equal("Window", group.GetProperty("type").GetString());
        Assert.Equal("user", group.GetProperty("handle_kind").GetString());
        Assert.Contains(group.GetProperty("stack").EnumerateArray(), f => f.GetString()!.StartsWith("user32+0x1", StringComparison.Ordinal));
    }

    [Fact]
    public void History_kind_gdi_follows_a_value_through_its_transform()
    {
        TraceScript script = HandleScenarios.GdiTransform();
        script.ToBytes();
        GuiFact destroyed = script.GuiObjects.First(f => !f.Open);
        ulong original = destroyed.Value - 0x0100_0000;
        JsonElement history = Json(script, "history", "--pid", HandleScenarios.PaintPid.ToString(), "--handle", $"0x{original:x}", "--kind", "gdi");
        string[] kinds = history.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("kind").GetString()!).ToArray();
        Assert.Equal(["CLOSE", "TRANSFORM", "OPEN"], kinds);
        Assert.All(history.GetProperty("entries").EnumerateArray(), e => Assert.Equal("Bitmap", e.GetProperty("type").GetString()));
    }

    [Fact]
    public void Stats_counts_gdi_and_user_objects_per_process_by_type()
    {
        JsonElement stats = Json(HandleScenarios.UserObjectsReassigned(), "stats");
        Assert.Equal(7, stats.GetProperty("user_events").GetInt64()); // 3 creates, 2 owner changes, 2 destroys
        JsonElement worker = Assert.Single(stats.GetProperty("live_user_objects").EnumerateArray());
        Assert.Equal(HandleScenarios.PaintPid + 100, worker.GetProperty("pid").GetInt32());
        Assert.Equal(1, worker.GetProperty("by_type").GetProperty("Window").GetInt32());

        var (code, text, _) = Run(HandleScenarios.ProcessExitsWithGdiObjects(), "stats", "--kind", "gdi");
        Assert.Equal(0, code);
        Assert.Contains("GDI objects at end: 60 in 1 processes", text);
        Assert.Contains("      60 GDI Brush", text);
        Assert.DoesNotContain("live handles at end", text);
    }
}
