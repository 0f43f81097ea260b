using System.Security.Cryptography;
using HandleEtw.Core.Records;
using HandleEtw.Core.Stacks;
using HandleEtw.Symbols;
using HandleEtw.Symbols.Native;
using HandleEtw.Symbols.Native.Pdb;

namespace HandleEtw.Tests.Symbols;

public class NativePdbReaderTests
{
    /// <summary>
    /// What llvm-symbolizer 14 (`--output-style=JSON --no-inlines`) answers for every RVA of symtest.exe's code,
    /// as [start, end) runs of function, file and line (no line past a function's code, in its alignment padding).
    /// </summary>
    private static readonly (uint Start, uint End, string Function, int Line)[] Expected =
    [
        (0x1000, 0x1007, "leaf_function", 3), (0x1007, 0x1010, "leaf_function", 0),
        (0x1010, 0x1032, "middle_function", 5), (0x1032, 0x1040, "middle_function", 0),
        (0x1040, 0x1063, "outer_function", 7), (0x1063, 0x1070, "outer_function", 0),
        (0x1070, 0x1084, "entry_point", 9),
    ];

    [Fact]
    public void Committed_assets_match_their_recorded_hashes()
    {
        var lines = File.ReadAllLines(NativeAssets.Hashes).Where(l => l.Length > 0).ToArray();
        Assert.Equal(["symtest.exe", "symtest.pdb", "symtest.map"], lines.Select(l => l.Split("  ")[1]));
        foreach (string line in lines)
        {
            string[] parts = line.Split("  ");
            byte[] content = File.ReadAllBytes(Path.Combine(NativeAssets.Directory, parts[1]));
            Assert.Equal(parts[0], Convert.ToHexStringLower(SHA256.HashData(content)));
        }
    }

    [Fact]
    public void Every_code_rva_resolves_as_llvm_symbolizer_does_with_the_offset_from_the_function_start()
    {
        var symbols = NativePdbSymbols.Open(NativeAssets.Pdb);
        var starts = NativeAssets.FunctionRvas();
        foreach (var (start, end, function, line) in Expected)
            for (uint rva = start; rva < end; rva++)
            {
                var frame = symbols.Resolve(rva);
                Assert.NotNull(frame);
                Assert.Equal((function, (ulong?)(rva - starts[function]), line), (frame.Function, frame.Offset, frame.Line));
                Assert.Equal(line > 0 ? @"C:\build\symtest.c" : null, frame.File);
            }
    }

    [Fact]
    public void Procedures_publics_and_sections_are_read_from_the_dbi_and_symbol_streams()
    {
        var table = PdbSymbolTable.Read(NativeAssets.Pdb);
        Assert.Equal(4, table.ProcedureCount);
        Assert.Equal(4, table.PublicCount);
        Assert.Equal(new PdbFunction(0x1010, 34, "middle_function"), table.Function(0x1020));
        Assert.Equal(new PdbFunction(0x1010, 0, "middle_function"), table.Function(0x1035)); // public: past the code size
        Assert.Null(table.Function(0x0FFF));  // before the first function
        Assert.Null(table.Function(0x1084));  // past the end of .text: not entry_point (llvm-symbolizer would say it is)
        Assert.Null(table.Function(0x2000));  // .rdata
    }

    [Fact]
    public void Every_truncation_and_every_corrupted_word_is_a_format_error_or_a_readable_table()
    {
        byte[] pdb = File.ReadAllBytes(NativeAssets.Pdb);
        string dir = Directory.CreateTempSubdirectory("handleetw-pdbdamage").FullName;
        try
        {
            string path = Path.Combine(dir, "damaged.pdb");
            var cases = new List<byte[]>();
            for (int cut = 0; cut < pdb.Length; cut += 1021) cases.Add(pdb[..cut]);
            var random = new Random(21);
            // Corrupt the words the reader depends on: the superblock, the directory and the DBI/module/record streams.
            for (int i = 0; i < 400; i++)
            {
                byte[] copy = (byte[])pdb.Clone();
                int at = random.Next(2) == 0 ? random.Next(64) : random.Next(pdb.Length / 4) * 4;
                uint value = random.Next(3) switch { 0 => 0xFFFFFFFF, 1 => (uint)random.Next(1 << 16), _ => (uint)random.Next() };
                BitConverter.TryWriteBytes(copy.AsSpan(Math.Min(at, pdb.Length - 4)), value);
                cases.Add(copy);
            }
            foreach (byte[] content in cases)
            {
                File.WriteAllBytes(path, content);
                try
                {
                    var table = PdbSymbolTable.Read(path);
                    table.Function(0x1003);
                    table.Line(0x1003);
                }
                catch (TraceFormatException e)
                {
                    Assert.Contains("damaged.pdb", e.Message);
                    Assert.InRange(e.Offset, 0, content.Length);
                }
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_damaged_pdb_costs_only_its_own_module_names_with_a_warning()
    {
        string dir = Directory.CreateTempSubdirectory("handleetw-pdbdamage").FullName;
        try
        {
            byte[] pdb = File.ReadAllBytes(NativeAssets.Pdb);
            // Keep the superblock, directory and info stream (the identity still matches); cut the DBI stream's signature.
            var msfDbi = FindDbiSignature(pdb);
            pdb[msfDbi] = 0;
            File.WriteAllBytes(Path.Combine(dir, "symtest.pdb"), pdb);
            var id = PdbIdentityReader.Read(NativeAssets.Pdb);
            var module = new ModuleIdentity(@"C:\app\symtest.exe", 0x7ff6_1000_0000, 0x4000, id.Guid, id.Age, "symtest.pdb");
            using var resolver = new SymbolResolver(SymbolPath.Parse(dir));
            Assert.Null(resolver.Symbolize(module, 0x1003));
            string warning = Assert.Single(resolver.Warnings);
            Assert.Contains("failed to read", warning);
            Assert.Contains("DBI stream", warning);
            Assert.Contains("byte offset", warning);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>The file offset of the DBI stream's first byte (its 0xFFFFFFFF signature), found through the reader.</summary>
    private static int FindDbiSignature(byte[] pdb)
    {
        using var msf = MsfFile.Open(NativeAssets.Pdb);
        var dbi = msf.Read(DbiStream.StreamIndex);
        Assert.Equal(-1, dbi.I32(0));
        var error = dbi.Damaged(0, "probe");
        Assert.Equal(0xFF, pdb[error.Offset]);
        return (int)error.Offset;
    }
}
