using HandleEtw.Core.Events;
using HandleEtw.Core.Tracking;
using HandleEtw.Reports.Input;
using HandleEtw.Synthetic.Scenarios;
using HandleEtw.Tests.Cli;
using HandleEtw.Tests.Parquet;

namespace HandleEtw.Tests.Gui;

/// <summary>GDI/USER rows in `events` and `live_handles` (handle_kind), and their replay from the tables.</summary>
public class GuiParquetTests
{
    [Fact]
    public void Convert_writes_handle_kind_and_the_replay_finds_the_same_gdi_leak()
    {
        using var dir = new TempDir();
        string etl = Path.Combine(dir.Path, "paint.etl");
        HandleScenarios.GdiPaintLeak(paints: 30).WriteTo(etl);
        string output = Path.Combine(dir.Path, "out");
        var (code, _, error) = CliSmokeTests.Run("convert", etl, "-o", output);
        Assert.True(code == 0, error);

        using (var db = new DuckDb())
        {
            db.BindTables(output);
            // the shared brush's create and delete, then a brush, a font and a delete per paint
            Assert.Equal(2 + 3 * 30, db.Count("SELECT count(*) FROM events WHERE handle_kind = 'gdi'"));
            Assert.True(db.Count("SELECT count(*) FROM events WHERE handle_kind = 'kernel' AND session_id IS NULL") > 0);
            Assert.Equal(30, db.Count("SELECT count(*) FROM live_handles WHERE handle_kind = 'gdi' AND type_name = 'Font'"));
            Assert.Equal(0, db.Count("SELECT count(*) FROM live_handles WHERE handle_kind = 'gdi' AND type_name = 'Brush'"));
        }

        ParquetTraceMeta meta = ParquetTrace.ReadMeta(output);
        var tracker = new HandleTracker(meta.Info);
        ParquetReplay.Run(output, tracker, meta.EndNs);
        LeakGroupSummary top = tracker.LeakGroupSummaries(HandleKind.Gdi)[0];
        Assert.Equal(("Font", 30, true), (top.Type, top.Outstanding, top.Growing));
        Assert.All(tracker.LeakGroupSummaries(), g => Assert.Equal("Event", g.Type));
    }
}
