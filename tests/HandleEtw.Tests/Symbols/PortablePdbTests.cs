using System.Reflection;
using System.Runtime.CompilerServices;
using HandleEtw.Symbols.Managed;

namespace HandleEtw.Tests.Symbols;

public class PortablePdbTests
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static int KnownManagedMethod(int x)
    {
        int doubled = x * 2;
        return doubled + 1;
    }

    [Fact]
    public void Method_token_and_il_offset_resolve_to_name_and_source_line()
    {
        var method = typeof(PortablePdbTests).GetMethod(nameof(KnownManagedMethod), BindingFlags.NonPublic | BindingFlags.Static)!;
        using var symbols = PortablePdbSymbols.Open(typeof(PortablePdbTests).Assembly.Location);
        var frame = symbols.Resolve(method.MetadataToken, 0);
        Assert.NotNull(frame);
        Assert.Equal("HandleEtw.Tests.Symbols.PortablePdbTests.KnownManagedMethod", frame.Function);
        Assert.EndsWith("PortablePdbTests.cs", frame.File);
        Assert.InRange(frame.Line, 11, 13);
    }

    [Fact]
    public void A_token_that_is_not_a_method_resolves_to_nothing()
    {
        using var symbols = PortablePdbSymbols.Open(typeof(PortablePdbTests).Assembly.Location);
        Assert.Null(symbols.Resolve(typeof(PortablePdbTests).MetadataToken, 0));
        Assert.Null(symbols.Resolve(0x06FF_FFFF, 0));
    }
}
