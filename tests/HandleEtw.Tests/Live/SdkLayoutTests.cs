using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using HandleEtw.Windows.Native;

namespace HandleEtw.Tests.Live;

/// <summary>
/// Every size and field offset the native structs declare, and the Win32 constants the live code uses, against the
/// Windows SDK as mingw-w64's headers declare it: tests/assets/native/sdk_layout.c is compiled for x86_64 Windows
/// and its values read from the assembly. CI installs the compiler (scripts/ci-setup.sh); without it the test fails
/// with the install hint.
/// </summary>
public class SdkLayoutTests
{
    private const string Compiler = "x86_64-w64-mingw32-gcc";
    private static readonly Lazy<IReadOnlyDictionary<string, long>> Probe = new(Compile);

    private static IReadOnlyDictionary<string, long> Compile()
    {
        string source = Path.Combine(TestPaths.RepoRoot, "tests", "assets", "native", "sdk_layout.c");
        string output = Path.Combine(Path.GetTempPath(), $"handleetw-sdk-layout-{Guid.NewGuid():N}.s");
        try
        {
            ExternalTool.Run(Compiler, "-S", "-o", output, source);
            return Parse(File.ReadAllText(output));
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            throw new InvalidOperationException($"the SDK layout probe could not be compiled; install mingw-w64 (scripts/ci-setup.sh does): {e.Message}", e);
        }
        finally
        {
            File.Delete(output);
        }
    }

    /// <summary>`label:` followed by `.quad N` (or `.space 8`, how gcc writes a zero) → label → N.</summary>
    private static Dictionary<string, long> Parse(string assembly) =>
        Regex.Matches(assembly, @"^(\w+):\s*\n\s*(?:\.quad\s+(-?\d+)|\.space\s+8)\s*$", RegexOptions.Multiline)
            .ToDictionary(m => m.Groups[1].Value,
                m => m.Groups[2].Success ? long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) : 0);

    private static IEnumerable<Type> NativeStructs() =>
        typeof(EventTraceProperties).Assembly.GetTypes()
            .Where(t => t.IsValueType && !t.IsEnum && t.Namespace == typeof(EventTraceProperties).Namespace && !t.IsNested);

    private static readonly MethodInfo SizeOfMethod = typeof(Unsafe).GetMethod(nameof(Unsafe.SizeOf))!;

    [Fact]
    public void Every_struct_size_and_field_offset_matches_the_sdk()
    {
        IReadOnlyDictionary<string, long> probe = Probe.Value;
        var mismatches = new List<string>();
        var types = NativeStructs().ToList();
        Assert.True(types.Count >= 12, $"found only {types.Count} native structs");
        foreach (Type type in types)
        {
            if (!probe.TryGetValue($"{type.Name}__size", out long size))
            {
                mismatches.Add($"{type.Name}: not in sdk_layout.c");
                continue;
            }
            int managed = (int)SizeOfMethod.MakeGenericMethod(type).Invoke(null, null)!;
            if (managed != size || Marshal.SizeOf(type) != size)
                mismatches.Add($"{type.Name}: size {managed} (marshalled {Marshal.SizeOf(type)}), SDK {size}");
            foreach (FieldInfo field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
            {
                string label = $"{type.Name}__{field.Name}";
                long offset = Marshal.OffsetOf(type, field.Name).ToInt64();
                if (!probe.TryGetValue(label, out long expected)) mismatches.Add($"{label}: not in sdk_layout.c");
                else if (offset != expected) mismatches.Add($"{label}: offset {offset}, SDK {expected}");
            }
        }
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
    }

    [Fact]
    public void The_probe_names_only_structs_and_fields_that_exist()
    {
        var fields = NativeStructs()
            .SelectMany(t => t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic).Select(f => $"{t.Name}__{f.Name}")
                .Append($"{t.Name}__size"))
            .ToHashSet();
        var stale = Probe.Value.Keys.Where(k => !k.StartsWith("const__", StringComparison.Ordinal) && !fields.Contains(k)).ToList();
        Assert.True(stale.Count == 0, "in sdk_layout.c but not in C#: " + string.Join(", ", stale));
    }

    [Fact]
    public void Win32_constants_match_the_sdk()
    {
        var byName = typeof(EventTraceProperties).Assembly.GetTypes().GroupBy(t => t.Name).ToDictionary(g => g.Key, g => g.ToList());
        var constants = Probe.Value.Where(p => p.Key.StartsWith("const__", StringComparison.Ordinal)).ToList();
        Assert.True(constants.Count >= 30, $"only {constants.Count} constants in the probe");
        var mismatches = new List<string>();
        foreach (var (label, expected) in constants)
        {
            string[] parts = label["const__".Length..].Split("__");
            FieldInfo? field = byName.GetValueOrDefault(parts[0])?
                .Select(t => t.GetField(parts[1], BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic))
                .FirstOrDefault(f => f is { IsLiteral: true });
            if (field is null)
            {
                mismatches.Add($"{parts[0]}.{parts[1]}: no such constant");
                continue;
            }
            long actual = Convert.ToInt64(field.GetRawConstantValue(), CultureInfo.InvariantCulture);
            if (actual != expected) mismatches.Add($"{parts[0]}.{parts[1]} = {actual}, SDK {expected}");
        }
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
    }
}
