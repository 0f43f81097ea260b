using HandleEtw.Core.Events;

namespace HandleEtw.Core.Tracking;

/// <summary>
/// `record --types Event,File,…`: the object types to keep. Always applied in-process (<see cref="TypeFilteringConsumer"/>);
/// the kernel can also filter at the source with an undocumented object-type filter of at most
/// <see cref="KernelLimit"/> types, each named by the first four characters of its type name (<see cref="KernelTags"/>).
/// </summary>
public sealed class ObjectTypeSelection
{
    public const int KernelLimit = 4;

    private readonly HashSet<string> _names;

    private ObjectTypeSelection(IReadOnlyList<string> names)
    {
        Names = names;
        _names = new HashSet<string>(names, StringComparer.OrdinalIgnoreCase);
    }

    public IReadOnlyList<string> Names { get; }

    /// <summary>`Event,File` (comma-separated, spaces allowed inside a name: `ALPC Port`). Throws
    /// <see cref="FormatException"/> with a message for the user.</summary>
    public static ObjectTypeSelection Parse(string text)
    {
        string[] names = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (names.Length == 0) throw new FormatException($"'{text}': expected object type names such as Event,File,Key");
        if (names.FirstOrDefault(n => n.Any(c => c > 0x7E || c < 0x20)) is { } odd)
            throw new FormatException($"'{odd}': object type names are plain ASCII (Event, File, ALPC Port)");
        return new ObjectTypeSelection(names.Distinct(StringComparer.OrdinalIgnoreCase).ToArray());
    }

    public bool Matches(string typeName) => _names.Contains(typeName);

    /// <summary>The kernel filter's values: the type name's first four ASCII characters, space-padded, as a
    /// little-endian u32 (the object's pool-tag style name). Null when more types are asked for than it takes.</summary>
    public uint[]? KernelTags =>
        Names.Count > KernelLimit ? null : Names.Select(Tag).ToArray();

    public static uint Tag(string name)
    {
        string four = (name + "    ")[..4];
        return (uint)(four[0] | four[1] << 8 | four[2] << 16 | four[3] << 24);
    }
}

/// <summary>Passes on the handle events of the selected object types (names as the stream's type events give
/// them) and every other event; unnamed types are passed on, since a name arriving later may select them.</summary>
public sealed class TypeFilteringConsumer(ObjectTypeSelection selection, TraceConsumer inner) : TraceConsumer
{
    private readonly Dictionary<ushort, string> _names = new();

    public long Dropped { get; private set; }

    public override void OnHandle(in HandleEvent e)
    {
        if (!_names.TryGetValue(e.ObjectType, out string? name) || selection.Matches(name)) inner.OnHandle(e);
        else Dropped++;
    }

    public override void OnObjectType(long timestamp, ushort typeIndex, string name)
    {
        _names[typeIndex] = name;
        inner.OnObjectType(timestamp, typeIndex, name);
    }

    public override void OnGuiHandle(in GuiHandleEvent e) => inner.OnGuiHandle(e);
    public override void OnMethod(in MethodEvent e) => inner.OnMethod(e);
    public override void OnClrModule(in ClrModuleEvent e) => inner.OnClrModule(e);
    public override void OnClrNote(in ClrNoteEvent e) => inner.OnClrNote(e);
    public override void OnProcess(in ProcessEvent e) => inner.OnProcess(e);
    public override void OnThread(in ThreadEvent e) => inner.OnThread(e);
    public override void OnImage(in ImageEvent e) => inner.OnImage(e);
    public override void OnImageIdentity(in ImageIdentity e) => inner.OnImageIdentity(e);
    public override void OnLoss(in LossEvent e) => inner.OnLoss(e);
    public override void OnSnapshot(long timestamp, string label) => inner.OnSnapshot(timestamp, label);
    public override void OnSegment(in TraceSegment segment) => inner.OnSegment(segment);
    public override void OnEnd(long endTimestamp) => inner.OnEnd(endTimestamp);
}
