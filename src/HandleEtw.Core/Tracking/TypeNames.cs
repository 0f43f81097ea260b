namespace HandleEtw.Core.Tracking;

/// <summary>Object type index → name from the type rundown; `type#N` until the rundown names it.</summary>
public sealed class TypeNames
{
    private readonly Dictionary<ushort, string> _names = new();

    public void Set(ushort index, string name)
    {
        if (!string.IsNullOrEmpty(name)) _names[index] = name;
    }

    public string this[ushort index] => _names.TryGetValue(index, out string? n) ? n : $"type#{index}";
}
