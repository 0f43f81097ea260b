using System.Diagnostics;

namespace HandleEtw.Tests.Reports;

/// <summary>Runs Debian's headless Chromium on a local page: the DOM after scripts ran, console output, screenshots.</summary>
public static class HeadlessChromium
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed)
    {
        /// <summary>Console messages of the page (Chromium logs them as ":CONSOLE" lines with --enable-logging).</summary>
        public IReadOnlyList<string> ConsoleLines =>
            Stderr.Split('\n').Where(l => l.Contains(":CONSOLE", StringComparison.Ordinal)).ToList();
    }

    /// <summary>The browser, or null. CHROMIUM overrides the search.</summary>
    public static string? Find()
    {
        string? configured = Environment.GetEnvironmentVariable("CHROMIUM");
        if (!string.IsNullOrEmpty(configured)) return File.Exists(configured) ? configured : null;
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
            foreach (string name in new[] { "chromium", "chromium-browser" })
            {
                string candidate = Path.Combine(dir, name);
                if (File.Exists(candidate)) return candidate;
            }
        return null;
    }

    public static string Require() => Find() ?? throw new InvalidOperationException(
        "headless Chromium is not installed: run scripts/ci-setup.sh (CI installs the Debian chromium package)");

    public static Result DumpDom(string page) => Run(page, "--dump-dom");

    public static Result Screenshot(string page, string png, int width, int height) =>
        Run(page, $"--screenshot={png}", $"--window-size={width},{height}", "--hide-scrollbars");

    public static Result Run(string page, params string[] extra)
    {
        string profile = Directory.CreateTempSubdirectory("handleetw-chromium").FullName;
        var start = new ProcessStartInfo(Require())
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (string arg in new[]
                 {
                     "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                     $"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0",
                 })
            start.ArgumentList.Add(arg);
        foreach (string arg in extra) start.ArgumentList.Add(arg);
        start.ArgumentList.Add(new Uri(Path.GetFullPath(page)).AbsoluteUri);
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        try
        {
            if (!process.WaitForExit(TimeSpan.FromSeconds(90)))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"chromium did not finish with {page} in 90 s");
            }
            return new Result(process.ExitCode, stdout.Result, stderr.Result, clock.Elapsed);
        }
        finally
        {
            try { Directory.Delete(profile, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
