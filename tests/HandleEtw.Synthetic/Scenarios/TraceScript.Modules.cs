using HandleEtw.Synthetic.Etl;

namespace HandleEtw.Synthetic.Scenarios;

/// <summary>The kernel and system DLL layouts every script shares.</summary>
public sealed partial class TraceScript
{
    private static readonly string[] KernelFunctions =
    [
        "KiSystemServiceCopyEnd", "NtCreateEvent", "NtOpenProcess", "NtCreateFile", "NtOpenKey", "NtCreateMutant",
        "NtCreateSemaphore", "NtOpenThread", "ObpCreateHandle", "NtClose", "ObpCloseHandle", "NtDuplicateObject",
        "ObDuplicateObject", "ExSweepHandleTable", "ObKillProcess", "PspRundownSingleProcess", "PspExitThread",
        "NtTerminateProcess", "ExpDuplicateSingleHandle", "ExDupHandleTable", "PspAllocateProcess", "NtCreateUserProcess",
        "IopCreateFile", "CmpCreateHandle", "ObOpenObjectByPointer", "PspSystemThreadStartup", "ExpWorkerThread",
        // win32k's, for GDI/USER handle stacks (appended: earlier addresses stay where they were)
        "GreCreateObject", "NtGdiCreateObject", "GreDeleteObject", "NtGdiDeleteObjectApp", "HMAllocObject",
        "NtUserCreateObject", "HMFreeObject", "NtUserDestroyObject", "HMChangeOwnerThread", "NtUserSetObjectOwner",
        "GreMakeObjectPublic", "NtGdiTransformObject",
    ];

    private static void DefineKernelFunctions(ScriptModule kernel)
    {
        uint rva = 0x20_0000;
        foreach (string function in KernelFunctions)
        {
            kernel.Function(function, rva, 0x400);
            rva += 0x1000;
        }
    }

    /// <summary>ntdll, kernel32 and kernelbase at their usual places (below 4 GB for a 32-bit process).</summary>
    private static void AddStandardModules(ScriptProcess p)
    {
        bool wow = p.PointerSize == 4;
        p.Module("ntdll.dll", wow ? 0x7730_0000UL : 0x7FFE_4A30_0000UL, 0x1F_0000, pdb: Pdb("ntdll.pdb", 1))
            .Function("NtCreateEvent", 0x9_D000).Function("NtClose", 0x9_D400).Function("NtDuplicateObject", 0x9_D800)
            .Function("NtCreateFile", 0x9_DC00).Function("NtOpenKey", 0x9_E000).Function("NtOpenProcess", 0x9_E400)
            .Function("NtCreateUserProcess", 0x9_E800).Function("NtTerminateProcess", 0x9_EC00)
            .Function("RtlExitUserProcess", 0x5_1000).Function("RtlUserThreadStart", 0x5_2000).Function("TppWorkerThread", 0x5_3000);
        p.Module("kernel32.dll", wow ? 0x7610_0000UL : 0x7FFE_4860_0000UL, 0xC_0000, pdb: Pdb("kernel32.pdb", 2))
            .Function("BaseThreadInitThunk", 0x1_7000).Function("ExitProcess", 0x1_8000);
        p.Module("kernelbase.dll", wow ? 0x7580_0000UL : 0x7FFE_47C0_0000UL, 0x3A_0000, pdb: Pdb("kernelbase.pdb", 3))
            .Function("CreateEventW", 0x2_1000).Function("CloseHandle", 0x2_2000).Function("DuplicateHandle", 0x2_3000)
            .Function("CreateFileW", 0x2_4000).Function("RegOpenKeyExW", 0x2_5000).Function("OpenProcess", 0x2_6000)
            .Function("CreateProcessW", 0x2_7000);
    }

    private static PdbIdentity Pdb(string name, byte seed) =>
        new(new Guid(0x1A2B3C00u + seed, 0x4D5E, 0x6F70, 0x81, 0x92, 0xA3, 0xB4, 0xC5, 0xD6, 0xE7, seed), 1, name);

    /// <summary>Thread start frames every user stack ends with (outermost last).</summary>
    public static readonly string[] ThreadBase = ["kernel32!BaseThreadInitThunk", "ntdll!RtlUserThreadStart"];
}
