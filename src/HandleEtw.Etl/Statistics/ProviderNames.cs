namespace HandleEtw.Etl.Statistics;

/// <summary>Names of well-known manifest providers, for readable statistics (GUIDs otherwise).</summary>
public static class ProviderNames
{
    private static readonly Dictionary<Guid, string> Known = new()
    {
        [new Guid("e13c0d23-ccbc-4e12-931b-d9cc2eee27e4")] = "Microsoft-Windows-DotNETRuntime",
        [new Guid("a669021c-c450-4609-a035-5af59af4df18")] = "Microsoft-Windows-DotNETRuntimeRundown",
        [new Guid("763fd754-7086-4dfe-95eb-c01a46faf4ca")] = "Microsoft-Windows-DotNETRuntimePrivate",
        [new Guid("22fb2cd6-0e7b-422b-a0c7-2fad1fd0e716")] = "Microsoft-Windows-Kernel-Process",
        [new Guid("edd08927-9cc4-4e65-b970-c2560fb5c289")] = "Microsoft-Windows-Kernel-File",
        [new Guid("b675ec37-bdb6-4648-bc92-f3fdc74d3ca2")] = "Microsoft-Windows-Kernel-EventTracing",
        [new Guid("1c95126e-7eea-49a9-a3fe-a378b03ddb4d")] = "Microsoft-Windows-DNS-Client",
        [new Guid("2e5dba47-a3d2-4d16-8ee0-6671ffdcd7b5")] = "System.Threading.Tasks.TplEventSource",
        [new Guid("8e9f5090-2d75-4d03-8a81-e5afbf85daf1")] = "System.Diagnostics.Eventing.FrameworkEventSource",
        [new Guid("9e814aad-3204-11d2-9a82-006008a86939")] = "Windows Kernel",
        [new Guid("28ad2447-105b-4fe2-9599-e59b2aa9a634")] = "KernelTraceControl",
        [new Guid("2cb15d1d-5fc1-11d2-abe1-00a0c911f518")] = "Microsoft-Windows-Kernel-Image",
    };

    public static string? Find(Guid provider) => Known.GetValueOrDefault(provider);
}
