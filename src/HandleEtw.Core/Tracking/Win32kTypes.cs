using HandleEtw.Core.Events;

namespace HandleEtw.Core.Tracking;

/// <summary>
/// Names for the HandleType field of the Win32k handle events, which has no value map in the provider's manifest.
/// Sources: USER object types are the HANDLE_TYPE enum (TYPE_WINDOW = 1 ... TYPE_GESTUREINFOOBJ = 21) of ReactOS
/// win32ss/include/ntuser.h and the ReactOS wiki page Techwiki:Win32k/HANDLEENTRY (Windows XP's table; the later
/// values agree). GDI types are the object type byte of a GDI handle table entry, GDIObjType (DC_TYPE = 0x01 ...
/// SPOOL_TYPE = 0x1e) in ReactOS win32ss/include/ntgdityp.h and Techwiki:Win32k/ENTRY; a value with bits above the
/// base type is read as the full type byte of the handle value (bits 16-23: pen 0x30, extpen 0x50, ...), the
/// GDILoObjType values of the same header (LO_PEN_TYPE = 0x300000 ...), and those LO values themselves are accepted
/// too. Values with no public meaning show as `gdi#N` / `user#N`.
/// </summary>
public static class Win32kTypes
{
    private static readonly string?[] User =
    [
        "Free", "Window", "Menu", "Cursor", "DeferWindowPos", "Hook", "ClipboardData", "CallProc", "Accelerator",
        "DdeAccess", "DdeConversation", "DdeTransaction", "Monitor", "KeyboardLayout", "KeyboardFile", "WinEventHook",
        "Timer", "InputContext", "HidData", "DeviceInfo", "TouchInput", "GestureInfo",
    ];

    private static readonly string?[] GdiBase =
    [
        "Default", "DC", null, null, "Region", "Bitmap", "ClientObject", "Path", "Palette", "ColorSpace", "Font",
        "RealizedFont", "FontEntry", "FontFile", "ColorTransform", "Sprite", "Brush", "UserModePrinterDriver", null,
        "Space", null, "Metafile", "EnumFontState", "BitmapFontDriver", "VectorFontDriver", "TrueTypeFontDriver",
        "RenderingContext", "Temp", "DriverObject", "DciObject", "Spool",
    ];

    /// <summary>Full type byte of a GDI handle value (the base type plus the "alternate" bits) → name.</summary>
    private static readonly Dictionary<uint, string> GdiFull = new()
    {
        [0x21] = "AltDC", [0x25] = "DIBSection", [0x26] = "Metafile16", [0x30] = "Pen", [0x46] = "EnhMetafile",
        [0x50] = "ExtPen", [0x66] = "MetaDC16",
    };

    public static string Name(HandleKind kind, uint type) => kind switch
    {
        HandleKind.Gdi => GdiName(type),
        HandleKind.User => type < User.Length && User[type] is { } u ? u : $"user#{type}",
        _ => $"type#{type}",
    };

    private static string GdiName(uint type)
    {
        uint full = type > 0xFFFF && (type & 0xFFFF) == 0 ? type >> 16 : type; // GDILoObjType form
        if (full < GdiBase.Length && GdiBase[full] is { } b) return b;
        if (GdiFull.TryGetValue(full, out string? f)) return f;
        return $"gdi#{type}";
    }
}
