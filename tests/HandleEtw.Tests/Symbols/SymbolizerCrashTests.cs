using HandleEtw.Symbols.Native;

namespace HandleEtw.Tests.Symbols;

/// <summary>llvm-symbolizer dying on one damaged PDB costs that image's names only: the next query gets a new child.</summary>
public class SymbolizerCrashTests
{
    [Fact]
    public void A_child_that_dies_on_one_image_is_replaced_for_the_next()
    {
        if (OperatingSystem.IsWindows()) return; // the stand-in symbolizer is a shell script
        string dir = Directory.CreateTempSubdirectory("handleetw-llvm-").FullName;
        try
        {
            // Answers like llvm-symbolizer --output-style=JSON, and dies (as on a damaged PDB) when asked about bad.exe.
            string script = Path.Combine(dir, "llvm-symbolizer");
            File.WriteAllText(script, """
                #!/bin/sh
                while read -r line; do
                  case "$line" in *bad.exe*) exit 134 ;; esac
                  echo '{"Symbol":[{"FunctionName":"good_function","FileName":"a.c","Line":7}]}'
                done
                """.Replace("\r", ""));
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            using var symbolizer = LlvmSymbolizerProcess.TryStart(script)!;
            Assert.Equal("good_function", symbolizer.Query("/x/good.exe", 0x1000).Function);
            Assert.Throws<IOException>(() => symbolizer.Query("/x/bad.exe", 0x1000));
            Assert.Equal("good_function", symbolizer.Query("/x/other.exe", 0x2000).Function);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
