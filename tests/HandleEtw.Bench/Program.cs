namespace HandleEtw.Bench;

/// <summary>Benchmarks: `dotnet run -c Release --project tests/HandleEtw.Bench -- NAME`. Each prints its figures.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        Console.Error.WriteLine("usage: HandleEtw.Bench <benchmark> (none registered yet)");
        return 2;
    }
}
