using HandleEtw.Core.Records;

namespace HandleEtw.Windows.Ring;

/// <summary>
/// Live records name a kernel event by its task GUID, not by the on-disk group byte: this maps the tasks handleetw
/// decodes back to <see cref="KernelGroup"/> (GUIDs: windows-live.md §2.1, etl-format.md §3.1).
/// </summary>
public static class KernelTaskMap
{
    public static readonly Guid EventTrace = new("68fdd900-4a3e-11d1-84f4-0000f80464e3");
    public static readonly Guid Process = new("3d6fa8d0-fe05-11d0-9dda-00c04fd7ba7c");
    public static readonly Guid Thread = new("3d6fa8d1-fe05-11d0-9dda-00c04fd7ba7c");
    public static readonly Guid Image = new("2cb15d1d-5fc1-11d2-abe1-00a0c911f518");
    public static readonly Guid Object = new("89497f50-effe-4440-8cf2-ce6b1cdcaca7");
    public static readonly Guid StackWalk = new("def2fe46-7bd6-4b80-bd94-f57fe20d0ce3");
    public static readonly Guid PerfInfo = new("ce1dbfb4-137e-4da6-87b0-3f59aa102cbc");

    /// <summary>Real-time loss records (opcodes 32 RTLostEvent, 33 RTLostBuffer, 34 RTLostFile); no kernel group.</summary>
    public static readonly Guid LostEvent = new("6a399ae0-4bc6-4de9-870b-3657f8947e7e");

    public static KernelGroup GroupOf(Guid task)
    {
        if (task == Object) return KernelGroup.Object;
        if (task == StackWalk) return KernelGroup.StackWalk;
        if (task == Process) return KernelGroup.Process;
        if (task == Thread) return KernelGroup.Thread;
        if (task == Image) return KernelGroup.Image;
        if (task == EventTrace) return KernelGroup.Header;
        if (task == PerfInfo) return KernelGroup.PerfInfo;
        return KernelGroup.None;
    }

    /// <summary>The task GUID of a group (for replaying records that came with only a group).</summary>
    public static Guid TaskOf(KernelGroup group) => group switch
    {
        KernelGroup.Object => Object,
        KernelGroup.StackWalk => StackWalk,
        KernelGroup.Process => Process,
        KernelGroup.Thread => Thread,
        KernelGroup.Image => Image,
        KernelGroup.Header => EventTrace,
        KernelGroup.PerfInfo => PerfInfo,
        _ => Guid.Empty,
    };
}
