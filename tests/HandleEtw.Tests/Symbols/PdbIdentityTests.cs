using HandleEtw.Core.Records;
using HandleEtw.Symbols;

namespace HandleEtw.Tests.Symbols;

public class PdbIdentityTests
{
    [Fact]
    public void Image_codeview_entry_and_pdb_info_stream_agree_with_llvm_pdbutil()
    {
        var fromImage = ImageIdentityReader.TryRead(NativeAssets.Exe);
        Assert.NotNull(fromImage);
        var fromPdb = PdbIdentityReader.Read(NativeAssets.Pdb);

        // As `llvm-pdbutil dump -summary symtest.pdb` prints them for the committed assets.
        var expectedGuid = Guid.Parse("8405F328-A2FB-B7FA-4C4C-44205044422E");
        int expectedAge = 1;

        Assert.Equal(expectedGuid, fromPdb.Guid);
        Assert.Equal(expectedAge, fromPdb.Age);
        Assert.Equal(PdbFormat.Native, fromPdb.Format);
        Assert.Equal(expectedGuid, fromImage.Value.Guid);
        Assert.Equal(expectedAge, fromImage.Value.Age);
        Assert.EndsWith("symtest.pdb", fromImage.Value.PdbPath);
    }

    [Fact]
    public void Portable_pdb_of_this_test_assembly_has_the_guid_its_image_names()
    {
        string assembly = typeof(PdbIdentityTests).Assembly.Location;
        var image = ImageIdentityReader.TryRead(assembly);
        Assert.NotNull(image);
        var pdb = PdbIdentityReader.Read(Path.ChangeExtension(assembly, ".pdb"));
        Assert.Equal(PdbFormat.Portable, pdb.Format);
        Assert.True(pdb.Matches(image.Value.Guid, image.Value.Age));
    }

    [Fact]
    public void Non_pdb_and_truncated_files_are_format_errors()
    {
        string dir = Directory.CreateTempSubdirectory("handleetw-pdbid").FullName;
        try
        {
            string junk = Path.Combine(dir, "junk.pdb");
            File.WriteAllText(junk, "not a pdb at all");
            Assert.Throws<TraceFormatException>(() => PdbIdentityReader.Read(junk));
            string truncated = Path.Combine(dir, "cut.pdb");
            File.WriteAllBytes(truncated, File.ReadAllBytes(NativeAssets.Pdb)[..4096]);
            Assert.Throws<TraceFormatException>(() => PdbIdentityReader.Read(truncated));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Image_without_file_yields_no_identity() =>
        Assert.Null(ImageIdentityReader.TryRead("/nonexistent/where/ntdll.dll"));
}
