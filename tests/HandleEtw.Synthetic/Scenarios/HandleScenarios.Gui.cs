namespace HandleEtw.Synthetic.Scenarios;

/// <summary>GDI and USER handle scenarios (Win32k events, stacks as STACK_TRACE extended items).</summary>
public static partial class HandleScenarios
{
    public const int PaintPid = 5300;
    public const uint GdiBrush = 0x10, GdiFont = 0x0a, GdiBitmap = 0x05, UserWindow = 1, UserMenu = 2, UserCursor = 3;

    /// <summary>paintapp.exe with gdi32/user32 and its window procedure's functions.</summary>
    public static ScriptProcess AddPaintProcess(TraceScript script, int pid = PaintPid, bool atStart = true)
    {
        ScriptProcess p = script.AddProcess(pid, "paintapp.exe", @"C:\apps\paintapp.exe", atStart: atStart);
        p.Module("paintapp.exe", 0x7FF6_5550_0000UL, 0x2_0000).Function("WndProc", 0x1000, 0x300)
            .Function("OnPaint", 0x1400, 0x300).Function("InitWindow", 0x1800, 0x200).Function("wWinMain", 0x1C00, 0x200)
            .Function("OpenEvents", 0x2000, 0x200);
        p.Module("gdi32.dll", 0x7FFE_4900_0000UL, 0x4_0000).Function("CreateSolidBrush", 0x1000).Function("CreateFontIndirectW", 0x2000)
            .Function("DeleteObject", 0x3000).Function("CreateCompatibleBitmap", 0x4000);
        p.Module("user32.dll", 0x7FFE_4950_0000UL, 0x8_0000).Function("CreateWindowExW", 0x1000).Function("CreateMenu", 0x2000)
            .Function("DispatchMessageW", 0x3000).Function("LoadCursorW", 0x4000).Function("DestroyWindow", 0x5000);
        return p;
    }

    /// <summary>The window procedure creates a brush and a font per WM_PAINT and deletes only the brush: one Font
    /// leaks per paint, spread over <paramref name="duration"/>. The same process also opens and keeps kernel Event
    /// handles from OpenEvents, and its first brush is created from the very stack a kernel Event create used.</summary>
    public static TraceScript GdiPaintLeak(int paints = 120, TimeSpan? duration = null, ScriptOptions? options = null)
    {
        var script = new TraceScript(options);
        ScriptProcess p = AddPaintProcess(script);
        ScriptThread ui = p.Thread(5304);
        string[] paint = ["paintapp!OnPaint", "paintapp!WndProc", "user32!DispatchMessageW", "paintapp!wWinMain", .. TraceScript.ThreadBase];
        string[] brush = ["gdi32!CreateSolidBrush", .. paint];
        string[] font = ["gdi32!CreateFontIndirectW", .. paint];
        string[] delete = ["gdi32!DeleteObject", .. paint];
        string[] events = ["kernelbase!CreateEventW", "paintapp!OpenEvents", "paintapp!wWinMain", .. TraceScript.ThreadBase];
        // A kernel create and a GDI create with equal frames: one stack id for both.
        ui.Create("Event", events);
        ulong shared = script.GuiCreate(ui, gdi: true, GdiBrush, events, kernel: ["ObpCreateHandle", "NtCreateEvent", "KiSystemServiceCopyEnd"]);
        script.GuiDestroy(ui, true, shared, delete);
        long gap = (duration ?? TimeSpan.FromSeconds(60)).Ticks / Math.Max(1, paints);
        for (int i = 0; i < paints; i++)
        {
            ulong b = script.GuiCreate(ui, gdi: true, GdiBrush, brush);
            script.GuiCreate(ui, gdi: true, GdiFont, font);
            script.GuiDestroy(ui, true, b, delete);
            if (i % 20 == 0) ui.Create("Event", events);
            script.Advance(TimeSpan.FromTicks(gap));
        }
        return script;
    }

    /// <summary>A launcher creates a window, a menu and a cursor; the window and the menu are then given to a worker
    /// process (UpdateHandleOwner); the launcher destroys its cursor, the worker destroys the menu and keeps the window.</summary>
    public static TraceScript UserObjectsReassigned(ScriptOptions? options = null)
    {
        var script = new TraceScript(options);
        ScriptProcess launcher = AddPaintProcess(script);
        ScriptProcess worker = AddPaintProcess(script, pid: PaintPid + 100);
        ScriptThread lt = launcher.Thread(5304), wt = worker.Thread(5404);
        string[] init = ["paintapp!InitWindow", "paintapp!wWinMain", .. TraceScript.ThreadBase];
        ulong window = script.GuiCreate(lt, gdi: false, UserWindow, ["user32!CreateWindowExW", .. init]);
        ulong menu = script.GuiCreate(lt, gdi: false, UserMenu, ["user32!CreateMenu", .. init]);
        ulong cursor = script.GuiCreate(lt, gdi: false, UserCursor, ["user32!LoadCursorW", .. init]);
        script.Advance(TimeSpan.FromMilliseconds(5));
        script.GuiReassign(lt, false, window, worker);
        script.GuiReassign(lt, false, menu, worker);
        script.GuiDestroy(lt, false, cursor);
        script.GuiDestroy(wt, false, menu);
        return script;
    }

    /// <summary>A bitmap created, then renamed by TransformHandle, then destroyed by its new value; a second one is
    /// renamed and kept.</summary>
    public static TraceScript GdiTransform(ScriptOptions? options = null)
    {
        var script = new TraceScript(options);
        ScriptThread ui = AddPaintProcess(script).Thread(5304);
        string[] create = ["gdi32!CreateCompatibleBitmap", "paintapp!OnPaint", "paintapp!wWinMain", .. TraceScript.ThreadBase];
        ulong a = script.GuiCreate(ui, gdi: true, GdiBitmap, create);
        ulong b = script.GuiCreate(ui, gdi: true, GdiBitmap, create);
        ulong a2 = script.GdiTransform(ui, a);
        script.GdiTransform(ui, b);
        script.GuiDestroy(ui, true, a2, ["gdi32!DeleteObject", "paintapp!OnPaint", "paintapp!wWinMain", .. TraceScript.ThreadBase]);
        return script;
    }

    /// <summary>A process creates fonts and a window for a while and exits without freeing them: released, not leaked.
    /// A second process keeps leaking brushes to the end.</summary>
    public static TraceScript ProcessExitsWithGdiObjects(ScriptOptions? options = null)
    {
        var script = new TraceScript(options);
        ScriptProcess quitter = AddPaintProcess(script);
        ScriptProcess stayer = AddPaintProcess(script, pid: PaintPid + 200);
        ScriptThread q = quitter.Thread(5304), s = stayer.Thread(5504);
        string[] paint = ["paintapp!OnPaint", "paintapp!WndProc", "user32!DispatchMessageW", "paintapp!wWinMain", .. TraceScript.ThreadBase];
        for (int i = 0; i < 30; i++)
        {
            script.GuiCreate(q, gdi: true, GdiFont, ["gdi32!CreateFontIndirectW", .. paint]);
            script.GuiCreate(s, gdi: true, GdiBrush, ["gdi32!CreateSolidBrush", .. paint]);
            script.Advance(TimeSpan.FromSeconds(1));
        }
        script.GuiCreate(q, gdi: false, UserWindow, ["user32!CreateWindowExW", "paintapp!InitWindow", .. TraceScript.ThreadBase]);
        script.Exit(quitter);
        for (int i = 0; i < 30; i++)
        {
            script.GuiCreate(s, gdi: true, GdiBrush, ["gdi32!CreateSolidBrush", .. paint]);
            script.Advance(TimeSpan.FromSeconds(1));
        }
        return script;
    }
}
