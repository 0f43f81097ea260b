using System.Text.Json;
using HandleEtw.Cli.Commands;
using HandleEtw.Core.Analysis;
using HandleEtw.Core.Tracking;
using HandleEtw.Tests.Tracking;

namespace HandleEtw.Tests.Cli;

/// <summary>diff lists the top groups and the first handles of each; --all and --json keep everything.</summary>
public class DiffListingTests
{
    /// <summary>Groups of 5, 4, ... 1 handles (group i from its own stack), all of pid 100.</summary>
    private static EventScript Groups(int count)
    {
        var s = new EventScript().Start(100, name: "leaky.exe");
        uint handle = 0x40;
        for (int g = 0; g < count; g++)
            for (int i = 0; i < count - g; i++, handle += 4)
                s.Create(100, 0x1c, handle, handle, 1, 0x7FF6_0000_1000 + (ulong)g * 0x10);
        return s.Type(1, "Event");
    }

    private static string Text(EventScript s, DiffLimits? limits)
    {
        var writer = new StringWriter();
        DiffCommand.Execute(new DiffCommand.Args("t.etl", null, null, ProcessFilter.All, false, limits), s.Input(), writer);
        return writer.ToString().Replace("\r", "");
    }

    private static int Count(string text, string part) => text.Split(part).Length - 1;

    [Fact]
    public void Text_caps_groups_and_handles_per_group_and_says_what_it_left_out()
    {
        string text = Text(Groups(5), new DiffLimits(Groups: 2, HandlesPerGroup: 3));
        Assert.StartsWith("Handles opened after 0.000000s and still open at", text);
        Assert.Contains(": 15 in 5 groups\n", text);
        Assert.Equal("5 x Event in leaky.exe (pid 100), opened from:", text.Split('\n')[2]);
        Assert.Contains("4 x Event in leaky.exe", text);
        Assert.DoesNotContain("3 x Event", text);
        Assert.Equal(6, Count(text, "- OPEN"));
        Assert.Contains("2 more handles (--per-group N or --all lists them)", text);
        Assert.Contains("1 more handle (--per-group N or --all lists them)", text);
        Assert.EndsWith("3 more groups (6 handles) not shown: --top N shows N groups, --all shows every group and handle.\n", text);
    }

    [Fact]
    public void All_lists_every_group_and_handle_with_no_more_lines()
    {
        string text = Text(Groups(5), DiffLimits.All);
        Assert.Equal(15, Count(text, "- OPEN"));
        Assert.Equal(5, Count(text, "opened from:"));
        Assert.DoesNotContain("more handle", text);
        Assert.DoesNotContain("not shown", text);
    }

    [Fact]
    public void Default_text_fits_a_screen_of_groups()
    {
        string text = Text(Groups(12), null);
        Assert.Equal(DiffCommand.DefaultTop, Count(text, "opened from:"));
        Assert.Equal(DiffCommand.DefaultTop * DiffCommand.DefaultPerGroup, Count(text, "- OPEN"));
        Assert.Contains("2 more groups (3 handles) not shown", text);
    }

    [Fact]
    public void Json_keeps_everything_unless_top_is_given()
    {
        var writer = new StringWriter();
        DiffCommand.Execute(new DiffCommand.Args("t.etl", null, null, ProcessFilter.All, true, new DiffLimits(1, 1)), Groups(4).Input(), writer);
        JsonElement all = JsonDocument.Parse(writer.ToString()).RootElement;
        Assert.Equal(4, all.GetProperty("groups").GetArrayLength());
        Assert.Equal(10, all.GetProperty("handles").GetArrayLength());

        writer = new StringWriter();
        DiffCommand.Execute(new DiffCommand.Args("t.etl", null, null, ProcessFilter.All, true, null, JsonTop: 2), Groups(4).Input(), writer);
        JsonElement top = JsonDocument.Parse(writer.ToString()).RootElement;
        Assert.Equal([4, 3], top.GetProperty("groups").EnumerateArray().Select(g => g.GetProperty("count").GetInt32()));
        Assert.Equal(7, top.GetProperty("handles").GetArrayLength());
    }

    [Fact]
    public void Cli_options_reach_the_listing_and_contradictions_are_one_line_errors()
    {
        string sample = TestPaths.Sample;
        var (code, text, _) = CliSmokeTests.Run("diff", sample, "--per-group", "1");
        Assert.Equal(0, code);
        Assert.Equal(1, Count(text, "- OPEN"));
        Assert.Contains("199 more handles", text);
        var (allCode, all, _) = CliSmokeTests.Run("diff", sample, "--all");
        Assert.Equal(0, allCode);
        Assert.Equal(200, Count(all, "- OPEN"));
        var (badCode, _, error) = CliSmokeTests.Run("diff", sample, "--all", "--top", "2");
        Assert.Equal(2, badCode);
        Assert.Single(error.Trim().Split('\n'));
        var (zeroCode, _, zero) = CliSmokeTests.Run("diff", sample, "--top", "0");
        Assert.NotEqual(0, zeroCode);
        Assert.Contains("--top 0", zero);
        var (_, help, _) = CliSmokeTests.Run("diff", "--help");
        foreach (string option in new[] { "--top", "--per-group", "--all" }) Assert.Contains(option, help);
    }
}
