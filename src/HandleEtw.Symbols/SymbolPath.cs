namespace HandleEtw.Symbols;

/// <summary>Where one element of a symbol path looks.</summary>
public enum SymbolPathKind
{
    /// <summary>A plain folder: `name.pdb` directly inside it, or a symbol-store layout.</summary>
    Directory,

    /// <summary>`srv*[cache*]server`: a symbol server (HTTP or a store folder), with an optional local cache.</summary>
    Server,

    /// <summary>`cache*dir`: a local cache searched like a store; servers to its right download into it.</summary>
    Cache,
}

/// <param name="Location">The folder (Directory, Cache) or the server URL / store folder (Server).</param>
/// <param name="CacheDirectory">Where a server's downloads are kept; null means none named.</param>
public sealed record SymbolPathElement(SymbolPathKind Kind, string Location, string? CacheDirectory = null)
{
    public bool IsRemote => Kind == SymbolPathKind.Server &&
        (Location.StartsWith("http://", StringComparison.OrdinalIgnoreCase) ||
         Location.StartsWith("https://", StringComparison.OrdinalIgnoreCase));
}

/// <summary>
/// A parsed `_NT_SYMBOL_PATH`: `;`-separated elements, each a folder, `srv*server`, `srv*cache*server`
/// (`symsrv*symsrv.dll*...` too) or `cache*dir`. Only elements that name a server ever reach the network.
/// </summary>
public sealed class SymbolPath
{
    public const string EnvironmentVariable = "_NT_SYMBOL_PATH";

    public IReadOnlyList<SymbolPathElement> Elements { get; }

    public string Text { get; }

    private SymbolPath(string text, IReadOnlyList<SymbolPathElement> elements)
    {
        Text = text;
        Elements = elements;
    }

    public static SymbolPath Empty { get; } = new("", []);

    public bool IsEmpty => Elements.Count == 0;

    public bool NamesServer => Elements.Any(e => e.IsRemote);

    /// <summary>The explicit path when given, else `_NT_SYMBOL_PATH`, else empty.</summary>
    public static SymbolPath FromOptionOrEnvironment(string? explicitPath) =>
        Parse(explicitPath ?? Environment.GetEnvironmentVariable(EnvironmentVariable));

    /// <exception cref="FormatException">An element has no location (`srv*` alone, `cache*`).</exception>
    public static SymbolPath Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return Empty;
        var elements = new List<SymbolPathElement>();
        string? pendingCache = null;
        foreach (string raw in text.Split(';'))
        {
            string part = raw.Trim();
            if (part.Length == 0) continue;
            var element = ParseElement(part, pendingCache);
            if (element.Kind == SymbolPathKind.Cache) pendingCache = element.Location;
            elements.Add(element);
        }
        return new SymbolPath(text, elements);
    }

    private static SymbolPathElement ParseElement(string part, string? pendingCache)
    {
        string[] fields = part.Split('*');
        if (fields.Length == 1) return new SymbolPathElement(SymbolPathKind.Directory, part);
        string head = fields[0].Trim().ToLowerInvariant();
        switch (head)
        {
            case "cache":
                return new SymbolPathElement(SymbolPathKind.Cache, Require(fields, 1, part, "a cache folder"));
            case "srv":
                return ServerElement(fields[1..], part, pendingCache);
            case "symsrv":
                // symsrv*symsrv.dll*[cache*]server: the DLL name is Windows plumbing, not a location.
                return ServerElement(fields.Length > 2 ? fields[2..] : [], part, pendingCache);
            default:
                throw new FormatException($"symbol path element '{part}' is not a folder, srv*..., symsrv*... or cache*...");
        }
    }

    /// <summary>`a*b*c`: every field but the last is a cache (the first one keeps the downloads), the last is the server.</summary>
    private static SymbolPathElement ServerElement(string[] fields, string part, string? pendingCache)
    {
        var named = fields.Select(f => f.Trim()).ToArray();
        if (named.Length == 0 || named[^1].Length == 0)
            throw new FormatException($"symbol path element '{part}' names no server");
        string? cache = named.Length > 1 && named[0].Length > 0 ? named[0] : pendingCache;
        if (named.Length > 1 && named[0].Length == 0) cache = pendingCache ?? DefaultCache();
        return new SymbolPathElement(SymbolPathKind.Server, named[^1], cache);
    }

    private static string Require(string[] fields, int index, string part, string what)
    {
        if (fields.Length <= index || fields[index].Trim().Length == 0)
            throw new FormatException($"symbol path element '{part}' names no {what}");
        return fields[index].Trim();
    }

    /// <summary>`srv**server`: the debugger's default downstream store.</summary>
    private static string DefaultCache() =>
        Path.Combine(Path.GetTempPath(), "SymbolCache");

    public override string ToString() => Text;
}
