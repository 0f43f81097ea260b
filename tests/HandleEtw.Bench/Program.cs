using System.Reflection;

namespace HandleEtw.Bench;

/// <summary>A benchmark prints its own figures (ratios against a baseline measured in the same run).</summary>
public interface IBenchmark
{
    /// <summary>Name used on the command line.</summary>
    string Name { get; }
    string Description { get; }
    int Run(string[] args);
}

/// <summary>`dotnet run -c Release --project tests/HandleEtw.Bench -- NAME [args]`.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        var benchmarks = typeof(Program).Assembly.GetTypes()
            .Where(t => typeof(IBenchmark).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
            .Select(t => (IBenchmark)Activator.CreateInstance(t)!)
            .OrderBy(b => b.Name, StringComparer.Ordinal)
            .ToList();
        IBenchmark? chosen = args.Length > 0 ? benchmarks.FirstOrDefault(b => b.Name == args[0]) : null;
        if (chosen is null)
        {
            Console.Error.WriteLine("usage: HandleEtw.Bench <benchmark> [args]");
            foreach (IBenchmark b in benchmarks) Console.Error.WriteLine($"  {b.Name,-16} {b.Description}");
            return 2;
        }
        return chosen.Run(args[1..]);
    }
}
