using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using HandleEtw.Symbols;

namespace HandleEtw.Tests.Symbols;

/// <summary>
/// A ReadyToRun image names two PDBs in its debug directory: the native code's (`NAME.ni.pdb`, a classic CodeView
/// entry) and the IL's portable PDB. R2R frames lie inside the image and need the native one, whichever comes first.
/// </summary>
public class ReadyToRunIdentityTests
{
    private static readonly Guid Native = new("2068a1f1-32fd-5107-28bf-7c3e8b81e5fb");
    private static readonly Guid Portable = new("72e22407-2f3d-87e7-85db-f8ce563e0284");

    /// <summary>A minimal PE image whose debug directory lists the given CodeView entries in order.</summary>
    private static string Image(params (string Path, Guid Id, bool Portable)[] entries)
    {
        var metadata = new MetadataBuilder();
        metadata.AddModule(0, metadata.GetOrAddString("Sample.dll"), metadata.GetOrAddGuid(Guid.NewGuid()), default, default);
        metadata.AddAssembly(metadata.GetOrAddString("Sample"), new Version(1, 0), default, default, default, AssemblyHashAlgorithm.None);
        metadata.AddTypeDefinition(default, default, metadata.GetOrAddString("<Module>"), default,
            MetadataTokens.FieldDefinitionHandle(1), MetadataTokens.MethodDefinitionHandle(1));
        var debug = new DebugDirectoryBuilder();
        foreach (var (path, id, portable) in entries)
            debug.AddCodeViewEntry(path, new BlobContentId(id, 0x12345678), portable ? (ushort)0x0100 : (ushort)0);
        var pe = new ManagedPEBuilder(PEHeaderBuilder.CreateLibraryHeader(), new MetadataRootBuilder(metadata), new BlobBuilder(),
            debugDirectoryBuilder: debug);
        var blob = new BlobBuilder();
        pe.Serialize(blob);
        string file = Path.Combine(Path.GetTempPath(), $"handleetw-r2r-{Guid.NewGuid():N}.dll");
        File.WriteAllBytes(file, blob.ToArray());
        return file;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_native_code_pdb_is_taken_before_the_portable_one(bool portableFirst)
    {
        var native = ("System.Private.CoreLib.ni.pdb", Native, false);
        var il = (@"/_/src/System.Private.CoreLib.pdb", Portable, true);
        string file = portableFirst ? Image(il, native) : Image(native, il);
        try
        {
            var identity = ImageIdentityReader.TryRead(file);
            Assert.NotNull(identity);
            Assert.Equal((Native, 1, "System.Private.CoreLib.ni.pdb"), identity.Value);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void An_il_only_image_still_names_its_portable_pdb()
    {
        string file = Image((@"C:\build\Sample.pdb", Portable, true));
        try
        {
            Assert.Equal(Portable, ImageIdentityReader.TryRead(file)!.Value.Guid);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
