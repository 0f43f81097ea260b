using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace HandleEtw.Symbols.Native;

/// <summary>What llvm-symbolizer said about one address: innermost function and its source line when known.</summary>
public readonly record struct SymbolizedCode(string? Function, string? File, int Line);

/// <summary>
/// One long-lived `llvm-symbolizer --output-style=JSON` child: each query is a line on stdin, each answer one JSON
/// line on stdout. Start once, query many times, dispose to end the child.
/// </summary>
public sealed class LlvmSymbolizerProcess : IDisposable
{
    private readonly string _executable;
    private readonly object _gate = new();
    private Process _process;

    private LlvmSymbolizerProcess(string executable)
    {
        _executable = executable;
        _process = Start(executable);
    }

    /// <summary>Starts the child; null when llvm-symbolizer is not installed.</summary>
    public static LlvmSymbolizerProcess? TryStart(string? executable = null)
    {
        executable ??= LlvmTools.Find("llvm-symbolizer");
        return executable is null ? null : new LlvmSymbolizerProcess(executable);
    }

    private static Process Start(string executable)
    {
        var info = new ProcessStartInfo(executable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[] { "--output-style=JSON", "--demangle", "--no-inlines", "--relativenames" })
            info.ArgumentList.Add(arg);
        var process = Process.Start(info) ?? throw new IOException($"cannot start {executable}");
        process.ErrorDataReceived += (_, _) => { }; // drain so the child never blocks on a full stderr pipe
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Symbolizes a virtual address inside the image at <paramref name="imagePath"/>.</summary>
    /// <exception cref="IOException">The child died on this image (a damaged PDB crashes it): a new child is
    /// started for the next query, so only this image's names are lost.</exception>
    public SymbolizedCode Query(string imagePath, ulong address)
    {
        if (imagePath.Contains('"') || imagePath.Contains('\n'))
            throw new ArgumentException("image path cannot be passed to llvm-symbolizer", nameof(imagePath));
        string? line;
        lock (_gate)
        {
            try
            {
                _process.StandardInput.WriteLine($"CODE \"{imagePath}\" 0x{address:X}");
                _process.StandardInput.Flush();
                line = _process.StandardOutput.ReadLine();
            }
            catch (IOException)
            {
                line = null;
            }
            if (line is null)
            {
                Stop(_process);
                _process = Start(_executable);
                throw new IOException("llvm-symbolizer ended unexpectedly");
            }
        }
        return Parse(line);
    }

    internal static SymbolizedCode Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        if (!doc.RootElement.TryGetProperty("Symbol", out var symbols) || symbols.ValueKind != JsonValueKind.Array)
            return default;
        foreach (var frame in symbols.EnumerateArray())
        {
            string? function = Text(frame, "FunctionName");
            string? file = Text(frame, "FileName");
            int line = frame.TryGetProperty("Line", out var l) && l.ValueKind == JsonValueKind.Number ? l.GetInt32() : 0;
            return new SymbolizedCode(function, file, line);
        }
        return default;
    }

    private static string? Text(JsonElement frame, string name)
    {
        if (!frame.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.String) return null;
        string? s = value.GetString();
        return string.IsNullOrEmpty(s) || s == "??" ? null : s;
    }

    public void Dispose() => Stop(_process);

    private static void Stop(Process process)
    {
        try
        {
            process.StandardInput.Close();
            if (!process.WaitForExit(2000)) process.Kill();
        }
        catch (Exception e) when (e is InvalidOperationException or IOException) { }
        process.Dispose();
    }

    internal static string Hex(ulong v) => "0x" + v.ToString("X", CultureInfo.InvariantCulture);
}
