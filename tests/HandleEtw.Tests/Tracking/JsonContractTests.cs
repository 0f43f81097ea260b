using System.Text.Json;
using HandleEtw.Cli.Commands;
using HandleEtw.Core.Analysis;

namespace HandleEtw.Tests.Tracking;

public class JsonContractTests
{
    private static EventScript Scenario()
    {
        var s = new EventScript().Start(100, name: "app.exe").Image(100, 0x10000000, 0x1000, @"C:\app\app.exe").Type(1, "File");
        s.At(1).Create(100, 10, 0x40, 0xA, 1, 0x10000010).Close(100, 10, 0x40, 0xA, 1, 0x10000020)
            .Create(100, 20, 0x40, 0xB, 1, 0x10000030).Close(100, 10, 0x40, 0xB, 1, 0x10000040)
            .Create(100, 20, 0x44, 0xC, 1, 0x10000050);
        return s;
    }

    private static JsonElement Run(Func<TraceInput, TextWriter, int> command)
    {
        var writer = new StringWriter();
        Assert.Equal(0, command(Scenario().Input(), writer));
        return JsonDocument.Parse(writer.ToString()).RootElement;
    }

    private static string[] Names(JsonElement e) => e.EnumerateObject().Select(p => p.Name).ToArray();

    [Fact]
    public void Diff_json_shape()
    {
        JsonElement root = Run((i, w) => DiffCommand.Execute(new DiffCommand.Args("t", null, null, ProcessFilter.All, true), i, w));
        Assert.Equal(["schema_version", "lossy", "damage", "from", "to", "handles", "groups"], Names(root));
        JsonElement h = root.GetProperty("handles")[0];
        Assert.Equal(["pid", "process", "tid", "handle", "object", "type", "name", "time", "origin", "stack", "handle_kind"], Names(h));
        Assert.Equal("0xc", h.GetProperty("object").GetString());
        Assert.Equal(0x44, h.GetProperty("handle").GetInt32());
        Assert.Equal(JsonValueKind.Number, h.GetProperty("time").ValueKind);
        Assert.Equal("app+0x50", h.GetProperty("stack")[0].GetString());
        Assert.Equal(["pid", "process", "type", "count", "stack", "handle_kind"], Names(root.GetProperty("groups")[0]));
        Assert.Equal("File", root.GetProperty("groups")[0].GetProperty("type").GetString());
    }

    [Fact]
    public void Leaks_json_shape()
    {
        JsonElement root = Run((i, w) => LeaksCommand.Execute(new LeaksCommand.Args("t", 10, ProcessFilter.All, true), i, w));
        Assert.Equal(["schema_version", "lossy", "damage", "leaks", "flat"], Names(root));
        Assert.Equal(0, root.GetProperty("leaks").GetArrayLength()); // one handle open: flat
        JsonElement flat = root.GetProperty("flat")[0];
        Assert.Equal(["pid", "process", "type", "outstanding", "opened", "per_minute", "growing", "first_open", "last_open",
                      "reason", "origin", "stack", "handle_kind"], Names(flat));
        Assert.False(flat.GetProperty("growing").GetBoolean());
        Assert.Equal("flat: fewer than 3 still open", flat.GetProperty("reason").GetString());
    }

    [Fact]
    public void History_json_shape()
    {
        JsonElement root = Run((i, w) => HistoryCommand.Execute(new HistoryCommand.Args("t", 100, 0x40, true), i, w));
        Assert.Equal(["schema_version", "lossy", "damage", "pid", "handle", "entries"], Names(root));
        Assert.False(root.GetProperty("lossy").GetBoolean());
        Assert.Equal(4, root.GetProperty("entries").GetArrayLength());
        JsonElement e = root.GetProperty("entries")[0];
        Assert.Equal(["kind", "role", "time", "tid", "pid", "object", "type", "detail", "stack", "handle_kind"], Names(e));
        Assert.Equal("CLOSE", e.GetProperty("kind").GetString());
        Assert.Equal("0xb", e.GetProperty("object").GetString());
    }

    [Fact]
    public void Misuse_json_shape()
    {
        JsonElement root = Run((i, w) => MisuseCommand.Execute(new MisuseCommand.Args("t", ProcessFilter.All, true), i, w));
        Assert.Equal(["schema_version", "lossy", "damage", "suspects"], Names(root));
        Assert.False(root.GetProperty("lossy").GetBoolean());
        JsonElement s = root.GetProperty("suspects")[0];
        Assert.Equal(["pid", "process", "handle", "count", "confidence", "first_close", "create", "stale_close", "crossed_close"], Names(s));
        Assert.Equal(["tid", "time", "stack"], Names(s.GetProperty("stale_close")));
        Assert.Equal(10, s.GetProperty("stale_close").GetProperty("tid").GetInt32());
        Assert.Equal(20, s.GetProperty("create").GetProperty("tid").GetInt32());
        Assert.Equal("app+0x40", s.GetProperty("stale_close").GetProperty("stack")[0].GetString());
        Assert.Equal(JsonValueKind.Null, s.GetProperty("crossed_close").ValueKind);
    }

    [Fact]
    public void Every_report_says_lossy_when_events_were_lost()
    {
        foreach (Func<TraceInput, TextWriter, int> command in new Func<TraceInput, TextWriter, int>[]
        {
            (i, w) => DiffCommand.Execute(new DiffCommand.Args("t", null, null, ProcessFilter.All, true), i, w),
            (i, w) => LeaksCommand.Execute(new LeaksCommand.Args("t", 10, ProcessFilter.All, true), i, w),
            (i, w) => HistoryCommand.Execute(new HistoryCommand.Args("t", 100, 0x40, true), i, w),
            (i, w) => MisuseCommand.Execute(new MisuseCommand.Args("t", ProcessFilter.All, true), i, w),
        })
        {
            var writer = new StringWriter();
            Assert.Equal(0, command(Scenario().Loss(5).Input(), writer));
            Assert.True(JsonDocument.Parse(writer.ToString()).RootElement.GetProperty("lossy").GetBoolean(), writer.ToString());
        }
    }
}
