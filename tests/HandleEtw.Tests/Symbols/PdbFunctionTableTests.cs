using HandleEtw.Symbols.Native;

namespace HandleEtw.Tests.Symbols;

public class PdbFunctionTableTests
{
    [Fact]
    public void Function_starts_come_from_procedures_and_public_functions_with_section_rvas()
    {
        var table = PdbFunctionTable.TryLoad(NativeAssets.Pdb)
            ?? throw new InvalidOperationException("llvm-pdbutil missing or failed: apt-get install llvm");
        foreach (var (name, rva) in NativeAssets.FunctionRvas())
        {
            Assert.Equal((name, rva), table.Find(rva));
            Assert.Equal((name, rva), table.Find(rva + 1));
        }
        Assert.Null(table.Find(0x10));
    }

    [Fact]
    public void Parse_skips_data_publics_and_sections_it_does_not_know()
    {
        const string dump = """
              SECTION HEADER #1
                 .text name
                  1000 virtual address
              SECTION HEADER #2
                 .data name
                  3000 virtual address
                  8 | S_PUB32 [size = 28] `g_counter`
                      flags = none, addr = 0002:0016
                 40 | S_GPROC32 [size = 52] `do_work`
                      parent = 0, end = 100, addr = 0001:0032, code size = 16
                 90 | S_PUB32 [size = 28] `orphan`
                      flags = function, addr = 0009:0000
            """;
        var table = PdbFunctionTable.Parse(new StringReader(dump));
        Assert.Equal(1, table.Count);
        Assert.Equal(("do_work", 0x1020u), table.Find(0x102F));
        Assert.Null(table.Find(0x1030)); // past the procedure's code size
        Assert.Null(table.Find(0x3010));
    }
}
