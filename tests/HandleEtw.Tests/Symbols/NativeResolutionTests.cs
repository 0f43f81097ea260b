using HandleEtw.Core.Stacks;
using HandleEtw.Symbols;

namespace HandleEtw.Tests.Symbols;

public class NativeResolutionTests
{
    private static ModuleIdentity Module(Guid? guid = null, int? age = null)
    {
        var id = PdbIdentityReader.Read(NativeAssets.Pdb);
        return new ModuleIdentity(@"C:\app\symtest.exe", 0x7ff6_1000_0000, 0x4000, guid ?? id.Guid, age ?? id.Age,
            @"C:\build\symtest.pdb");
    }

    [Theory]
    [InlineData("leaf_function", 3)]
    [InlineData("middle_function", 5)]
    [InlineData("outer_function", 0x12)]
    public void Offsets_inside_known_functions_resolve_to_their_names(string function, uint delta)
    {
        uint rva = NativeAssets.FunctionRvas()[function] + delta;
        using var resolver = new SymbolResolver(SymbolPath.Parse(NativeAssets.Directory));
        string? frame = resolver.Symbolize(Module(), rva);
        Assert.NotNull(frame);
        Assert.StartsWith($"symtest!{function}+0x{delta:x}", frame);
        Assert.Contains("symtest.c @ ", frame);
        Assert.Empty(resolver.Warnings);
    }

    [Fact]
    public void Repeated_lookups_are_cached()
    {
        uint rva = NativeAssets.FunctionRvas()["middle_function"] + 2;
        using var resolver = new SymbolResolver(SymbolPath.Parse(NativeAssets.Directory));
        string? first = resolver.Symbolize(Module(), rva);
        string? second = resolver.Symbolize(Module(), rva);
        Assert.Equal(first, second);
        Assert.Equal(2, resolver.Lookups);
        Assert.Equal(1, resolver.CacheHits);
        Assert.True(resolver.ResolutionTime > TimeSpan.Zero);
    }

    [Fact]
    public void Mismatched_pdb_is_refused_and_the_warning_names_both_identities()
    {
        var real = PdbIdentityReader.Read(NativeAssets.Pdb);
        var wanted = Module(age: real.Age + 1);
        using var resolver = new SymbolResolver(SymbolPath.Parse(NativeAssets.Directory));
        Assert.Null(resolver.Symbolize(wanted, NativeAssets.FunctionRvas()["leaf_function"]));
        string warning = Assert.Single(resolver.Warnings, w => w.Contains("not used"));
        Assert.Contains($"{{{real.Guid:D}}} age {real.Age}", warning);
        Assert.Contains($"{{{real.Guid:D}}} age {real.Age + 1}", warning);
        Assert.Contains(resolver.Warnings, w => w.Contains("no symbols for 1 module") && w.Contains("symtest.exe"));
    }

    [Fact]
    public void Module_without_symbols_is_listed_once_with_the_identity_it_needs()
    {
        var guid = Guid.Parse("11111111-2222-3333-4444-555555555555");
        var ntdll = new ModuleIdentity(@"C:\Windows\System32\ntdll.dll", 0x7ffa_0000_0000, 0x1000, guid, 1, "ntdll.pdb");
        using var resolver = new SymbolResolver(SymbolPath.Parse(NativeAssets.Directory));
        Assert.Null(resolver.Symbolize(ntdll, 0x10));
        Assert.Null(resolver.Symbolize(ntdll, 0x20));
        string warning = Assert.Single(resolver.Warnings);
        Assert.Contains("ntdll.dll (needs ntdll.pdb {11111111-2222-3333-4444-555555555555} age 1)", warning);
    }

    [Fact]
    public void Symbol_store_cache_of_a_server_path_is_used_without_the_network()
    {
        var module = Module();
        string cache = Directory.CreateTempSubdirectory("handleetw-symcache").FullName;
        try
        {
            string stored = Path.Combine(cache, "symtest.pdb", module.PdbKey, "symtest.pdb");
            Directory.CreateDirectory(Path.GetDirectoryName(stored)!);
            File.Copy(NativeAssets.Pdb, stored);
            // An unroutable server: reaching it would fail the lookup, the cache must answer first.
            var path = SymbolPath.Parse($"srv*{cache}*http://symbols.invalid/none");
            Assert.Equal(stored, new SymbolLocator(path).Locate(module).Path);
            using var resolver = new SymbolResolver(path);
            Assert.StartsWith("symtest!leaf_function+0x0", resolver.Symbolize(module, NativeAssets.FunctionRvas()["leaf_function"]));
        }
        finally
        {
            Directory.Delete(cache, recursive: true);
        }
    }
}
