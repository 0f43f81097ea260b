using HandleEtw.Symbols;

namespace HandleEtw.Tests.Symbols;

public class SymbolPathTests
{
    [Fact]
    public void Parses_every_element_kind()
    {
        var path = SymbolPath.Parse(@"C:\syms; srv*C:\cache*https://msdl.microsoft.com/download/symbols;cache*/tmp/c;srv*https://a.example/s;/plain/dir;;");
        Assert.Collection(path.Elements,
            e => Assert.Equal(new SymbolPathElement(SymbolPathKind.Directory, @"C:\syms"), e),
            e => Assert.Equal(new SymbolPathElement(SymbolPathKind.Server, "https://msdl.microsoft.com/download/symbols", @"C:\cache"), e),
            e => Assert.Equal(new SymbolPathElement(SymbolPathKind.Cache, "/tmp/c"), e),
            e => Assert.Equal(new SymbolPathElement(SymbolPathKind.Server, "https://a.example/s", "/tmp/c"), e),
            e => Assert.Equal(new SymbolPathElement(SymbolPathKind.Directory, "/plain/dir"), e));
        Assert.True(path.NamesServer);
    }

    [Fact]
    public void Server_without_cache_and_store_folders()
    {
        var path = SymbolPath.Parse(@"srv*\\share\symbols;symsrv*symsrv.dll*/c*http://s");
        Assert.Equal(new SymbolPathElement(SymbolPathKind.Server, @"\\share\symbols"), path.Elements[0]);
        Assert.False(path.Elements[0].IsRemote);
        Assert.Equal(new SymbolPathElement(SymbolPathKind.Server, "http://s", "/c"), path.Elements[1]);
    }

    [Fact]
    public void Folders_only_never_name_a_server()
    {
        Assert.False(SymbolPath.Parse("/a;/b").NamesServer);
        Assert.True(SymbolPath.Parse("  ").IsEmpty);
        Assert.True(SymbolPath.Parse(null).IsEmpty);
    }

    [Theory]
    [InlineData("srv*")]
    [InlineData("cache*")]
    [InlineData("bogus*x")]
    public void Elements_without_a_location_are_format_errors(string text) =>
        Assert.Throws<FormatException>(() => SymbolPath.Parse(text));

    [Fact]
    public void Explicit_path_wins_over_environment()
    {
        Assert.Equal("/x", SymbolPath.FromOptionOrEnvironment("/x").Elements.Single().Location);
    }
}
