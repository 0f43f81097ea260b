namespace HandleEtw.Symbols.Native.Pdb;

/// <summary>
/// The qualified name in an MSVC-decorated public symbol, as WinDbg prints frames: `?Foo@Bar@ns@@QEAAXXZ` →
/// `ns::Bar::Foo`, constructors and destructors (`??0Bar@@…` → `Bar::Bar`, `??1` → `Bar::~Bar`), back-references to
/// earlier names (`@1@`). The signature after `@@` is left out. Templates, operators and other special names keep
/// their decorated form: a name is never guessed.
/// </summary>
public static class MsvcNames
{
    public static string Undecorate(string name)
    {
        if (name.Length < 2 || name[0] != '?') return name;
        int at = 1;
        string? special = null;
        if (name[1] == '?')
        {
            if (name.Length < 3 || name[2] is not ('0' or '1')) return name;
            special = name[2] == '0' ? "" : "~";
            at = 3;
        }
        var names = new List<string>();
        while (at < name.Length && name[at] != '@')
        {
            if (char.IsAsciiDigit(name[at]))
            {
                int back = name[at] - '0';
                if (back >= names.Count) return name;
                names.Add(names[back]);
                at++;
                continue;
            }
            int end = name.IndexOf('@', at);
            if (end < 0 || !IsIdentifier(name.AsSpan(at, end - at))) return name;
            names.Add(name[at..end]);
            at = end + 1;
        }
        if (at >= name.Length || names.Count == 0) return name; // no terminating @@
        if (special is not null) names.Insert(0, special + names[0]);
        names.Reverse();
        return string.Join("::", names);
    }

    private static bool IsIdentifier(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty || char.IsAsciiDigit(text[0])) return false;
        foreach (char c in text)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '$')) return false;
        return true;
    }
}
