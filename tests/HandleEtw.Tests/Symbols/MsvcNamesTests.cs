using HandleEtw.Symbols.Native.Pdb;

namespace HandleEtw.Tests.Symbols;

/// <summary>Expected names are llvm-undname 14's, without the signature (as WinDbg prints frames).</summary>
public class MsvcNamesTests
{
    [Theory]
    [InlineData("?Foo@Bar@@QEAAXXZ", "Bar::Foo")]                          // public: void __cdecl Bar::Foo(void)
    [InlineData("??0Bar@@QEAA@XZ", "Bar::Bar")]                            // public: __cdecl Bar::Bar(void)
    [InlineData("??1Bar@ns@@UEAA@XZ", "ns::Bar::~Bar")]                    // public: virtual __cdecl ns::Bar::~Bar(void)
    [InlineData("?run@Worker@detail@app@@SAHPEAX@Z", "app::detail::Worker::run")]
    [InlineData("?Foo@Bar@1@QEAAXXZ", "Bar::Bar::Foo")]                    // back-reference to the second name
    [InlineData("?g@@YAHH@Z", "g")]                                        // int __cdecl g(int)
    [InlineData("NtClose", "NtClose")]                                     // C names are not decorated on x64
    [InlineData("_CreateEventW@16", "_CreateEventW@16")]
    [InlineData("??$max@H@std@@YAHHH@Z", "??$max@H@std@@YAHHH@Z")]         // templates stay decorated
    [InlineData("??_GBar@@UEAAPEAXI@Z", "??_GBar@@UEAAPEAXI@Z")]           // special members stay decorated
    [InlineData("?Foo@Bar@5@QEAAXXZ", "?Foo@Bar@5@QEAAXXZ")]               // a back-reference to no name
    [InlineData("?Foo@Bar", "?Foo@Bar")]                                   // cut short
    [InlineData("?", "?")]
    public void Decorated_public_names_read_as_their_qualified_name(string decorated, string expected) =>
        Assert.Equal(expected, MsvcNames.Undecorate(decorated));
}
