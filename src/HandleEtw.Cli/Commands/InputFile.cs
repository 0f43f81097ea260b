using System.Runtime.InteropServices;

namespace HandleEtw.Cli.Commands;

/// <summary>Checks a trace file before it is opened: opening a FIFO blocks until a writer comes, and a device or a
/// socket is never an .etl file. One line naming the path.</summary>
public static partial class InputFile
{
    /// <returns><paramref name="path"/>, when it is a regular file.</returns>
    public static string RequireRegular(string path) => IsRegularFile(path)
        ? path
        : throw new UserErrorException($"{path}: not a regular file (a FIFO, socket or device), expected an .etl file");

    private const int TypeMask = 0xF000, RegularFile = 0x8000;

    /// <summary>The file type from stat(2), through the runtime's own native shim (its FileStatus begins with two
    /// 32-bit fields, Flags and Mode, on every Unix). Windows has no FIFOs at file paths.</summary>
    private static bool IsRegularFile(string path)
    {
        if (OperatingSystem.IsWindows()) return true;
        var status = new byte[512];
        try
        {
            if (Stat(path, status) != 0) return true; // let the open report what is wrong
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return new FileInfo(path).Length > 0; // a FIFO or device shows no length: refuse it rather than block
        }
        int mode = BitConverter.ToInt32(status, 4);
        return (mode & TypeMask) == RegularFile;
    }

    // Source-generated marshalling: the call is precompiled rather than needing a stub built at start-up.
    [LibraryImport("libSystem.Native", EntryPoint = "SystemNative_Stat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Stat(string path, [Out] byte[] status);
}
