namespace HandleEtw.Core.Records;

/// <summary>
/// Classic kernel events: group byte ↔ task GUID ↔ task and opcode names, named as TraceEvent's
/// KernelTraceEventParser names them ("Process/Start", "StackWalk/StackKeyKernel", "Image/DCStart"), plus the
/// KernelTraceControl events that merged traces carry with FULL headers ("ImageID/DbgID_RSDS"). The .etl reader maps
/// group → task GUID; the live session maps task GUID → group.
/// </summary>
public static class KernelTasks
{
    public static readonly Guid KernelProviderId = new("9e814aad-3204-11d2-9a82-006008a86939");
    public static readonly Guid KernelTraceControlProviderId = new("28ad2447-105b-4fe2-9599-e59b2aa9a634");
    public static readonly Guid EventTraceTaskId = new("68fdd900-4a3e-11d1-84f4-0000f80464e3");
    public static readonly Guid ProcessTaskId = new("3d6fa8d0-fe05-11d0-9dda-00c04fd7ba7c");
    public static readonly Guid ThreadTaskId = new("3d6fa8d1-fe05-11d0-9dda-00c04fd7ba7c");
    public static readonly Guid ImageTaskId = new("2cb15d1d-5fc1-11d2-abe1-00a0c911f518");
    public static readonly Guid ObjectTaskId = new("89497f50-effe-4440-8cf2-ce6b1cdcaca7");
    public static readonly Guid StackWalkTaskId = new("def2fe46-7bd6-4b80-bd94-f57fe20d0ce3");
    public static readonly Guid PerfInfoTaskId = new("ce1dbfb4-137e-4da6-87b0-3f59aa102cbc");
    public static readonly Guid LostEventTaskId = new("6a399ae0-4bc6-4de9-870b-3657f8947e7e");
    public static readonly Guid ImageIdTaskId = new("b3e675d7-2554-4f18-830b-2762732560de");

    /// <summary>Kernel group byte → task GUID (groups whose events TraceEvent knows by a task GUID).</summary>
    private static readonly (KernelGroup Group, string TaskId)[] GroupTaskIds =
    [
        (KernelGroup.Header, "68fdd900-4a3e-11d1-84f4-0000f80464e3"),
        (KernelGroup.Io, "3d6fa8d4-fe05-11d0-9dda-00c04fd7ba7c"),
        (KernelGroup.Memory, "3d6fa8d3-fe05-11d0-9dda-00c04fd7ba7c"),
        (KernelGroup.Process, "3d6fa8d0-fe05-11d0-9dda-00c04fd7ba7c"),
        (KernelGroup.File, "90cbdc39-4a3e-11d1-84f4-0000f80464e3"),
        (KernelGroup.Thread, "3d6fa8d1-fe05-11d0-9dda-00c04fd7ba7c"),
        (KernelGroup.TcpIp, "9a280ac0-c8e0-11d1-84e2-00c04fb998a2"),
        (KernelGroup.UdpIp, "bf3a50c5-a9c9-4988-a005-2df0b7c80f80"),
        (KernelGroup.Registry, "ae53722e-c863-11d2-8659-00c04fa321a1"),
        (KernelGroup.Config, "01853a65-418f-4f36-aefc-dc0f1d2fd235"),
        (KernelGroup.PerfInfo, "ce1dbfb4-137e-4da6-87b0-3f59aa102cbc"),
        (KernelGroup.Heap, "222962ab-6180-4b88-a825-346b75f2a24a"),
        (KernelGroup.Object, "89497f50-effe-4440-8cf2-ce6b1cdcaca7"),
        (KernelGroup.Image, "2cb15d1d-5fc1-11d2-abe1-00a0c911f518"),
        (KernelGroup.Critsec, "3ac66736-cc59-4cff-8115-8df50e39816b"),
        (KernelGroup.StackWalk, "def2fe46-7bd6-4b80-bd94-f57fe20d0ce3"),
        (KernelGroup.Alpc, "45d8cccd-539f-4b72-a8b7-5c683142609a"),
        (KernelGroup.SplitIo, "d837ca92-12b9-44a5-ad6a-3a65b3578aa8"),
        (KernelGroup.ThreadPool, "c861d0e2-a2c1-4d36-9f9c-970bab943a12"),
    ];

    /// <summary>Task GUID, TraceEvent task name, "opcode:Name" list. Rows sharing a GUID (Thread/Dispatcher,
    /// Memory/VirtualMem) split the opcodes; the first row names the task.</summary>
    private static readonly TaskRow[] KernelRows =
    [
        new("45d8cccd-539f-4b72-a8b7-5c683142609a", "ALPC", "33:SendMessage 34:ReceiveMessage 35:WaitForReply 36:WaitForNewMessage 37:Unwait"),
        new("3ac66736-cc59-4cff-8115-8df50e39816b", "CritSecTrace", "34:Collision 35:Initialize"),
        new("3d6fa8d4-fe05-11d0-9dda-00c04fd7ba7c", "DiskIO", "10:Read 11:Write 12:ReadInit 13:WriteInit 14:FlushBuffers 15:FlushInit 34:DriverMajorFunctionCall 35:DriverMajorFunctionReturn 37:DriverCompletionRoutine 52:DriverCompleteRequest 53:DriverCompleteRequestReturn"),
        new("68fdd900-4a3e-11d1-84f4-0000f80464e3", "EventTrace", "0:Header 5:Extension 8:RundownComplete 32:EndExtension"),
        new("90cbdc39-4a3e-11d1-84f4-0000f80464e3", "FileIO", "0:Name 32:FileCreate 35:FileDelete 36:FileRundown 37:MapFile 38:UnmapFile 39:MapFileDCStart 40:MapFileDCStop 64:Create 65:Cleanup 66:Close 67:Read 68:Write 69:SetInfo 70:Delete 71:Rename 72:DirEnum 73:Flush 74:QueryInfo 75:FSControl 76:OperationEnd 77:DirNotify"),
        new("222962ab-6180-4b88-a825-346b75f2a24a", "HeapTrace", "32:Create 33:Alloc 34:ReAlloc 35:Destroy 36:Free 37:Expand 38:SnapShot 42:Contract 43:Lock 44:Unlock 45:Validate 46:Walk"),
        new("2cb15d1d-5fc1-11d2-abe1-00a0c911f518", "Image", "2:Unload 3:DCStart 4:DCStop 10:Load 33:KernelBase 34:HypercallPage"),
        new("99134383-5248-43fc-834b-529454e75df3", "LastBranchRecording", "32:Sample"),
        new("6a399ae0-4bc6-4de9-870b-3657f8947e7e", "LostEvent", "32:LostEvent"),
        new("3d6fa8d3-fe05-11d0-9dda-00c04fd7ba7c", "Memory", "10:TransitionFault 11:DemandZeroFault 12:CopyOnWrite 13:GuardMemory 14:HardMemory 15:AccessViolation 32:HardFault 35:InMemory 73:PFMappedSectionCreate 76:SessionDCStop 79:PFMappedSectionDelete 100:HeapRangeRundown 101:HeapRangeCreate 102:HeapRangeReserve 103:HeapRangeRelease 104:HeapRangeDestroy 105:ImageLoadBacked 112:SystemMemInfo 115:InMemoryStoreFault 117:InMemoryActive 118:PageAccess 119:PageRelease 120:RangeAccess 121:RangeRelease 122:Combine 123:KernelMemUsage 124:MMStats 125:ProcessMemInfo 126:MemInfoSessionWS 127:VirtualRotate 128:VirtualAllocDCStart 129:VirtualAllocDCStop 130:PageAccess 131:RemoveFromWS 132:WSSharableRundown 133:InMemoryActiveRundown"),
        new("89497f50-effe-4440-8cf2-ce6b1cdcaca7", "Object", "32:CreateHandle 33:CloseHandle 34:DuplicateHandle 36:TypeDCStart 37:TypeDCEnd 38:HandleDCStart 39:HandleDCEnd 48:CreateObject 49:DeleteObject 50:ReferenceObject 51:DereferenceObject"),
        new("ce1dbfb4-137e-4da6-87b0-3f59aa102cbc", "PerfInfo", "34:Mark 46:Sample 47:PMCSample 50:ISR 51:SysClEnter 52:SysClExit 55:BatchedSample 58:DebuggerEnabled 66:ThreadedDPC 67:ISR 68:DPC 69:TimerDPC 72:SetInterval 73:CollectionStart 74:CollectionEnd"),
        new("3d6fa8d0-fe05-11d0-9dda-00c04fd7ba7c", "Process", "1:Start 2:Stop 3:DCStart 4:DCStop 11:Terminate 32:PerfCtr 33:PerfCtrRundown 39:Defunct"),
        new("ae53722e-c863-11d2-8659-00c04fa321a1", "Registry", "10:Create 11:Open 12:Delete 13:Query 14:SetValue 15:DeleteValue 16:QueryValue 17:EnumerateKey 18:EnumerateValueKey 19:QueryMultipleValue 20:SetInformation 21:Flush 22:KCBCreate 23:KCBDelete 24:KCBRundownBegin 25:KCBRundownEnd 26:Virtualize 27:Close"),
        new("d837ca92-12b9-44a5-ad6a-3a65b3578aa8", "SplitIo", "32:VolMgr"),
        new("def2fe46-7bd6-4b80-bd94-f57fe20d0ce3", "StackWalk", "32:Stack 34:StackTrace 35:KeyDelete 36:KeyRundown 37:StackKeyKernel 38:StackKeyUser"),
        new("9b79ee91-b5fd-41c0-a243-4248e266e9d0", "SysConfig", "32:BuildInfo 33:SystemPaths 34:UnknownVolume 35:VolumeMapping"),
        new("01853a65-418f-4f36-aefc-dc0f1d2fd235", "SystemConfig", "10:CPU 11:PhyDisk 12:LogDisk 13:NIC 14:Video 15:Services 16:Power 17:Network 21:IRQ 22:PnP 23:IDEChannel"),
        new("9a280ac0-c8e0-11d1-84e2-00c04fb998a2", "TcpIp", "10:Send 11:Recv 12:Connect 13:Disconnect 14:Retransmit 15:Accept 16:Reconnect 17:Fail 18:TCPCopy 19:ARPCopy 20:FullACK 21:PartACK 22:DupACK 26:SendIPV6 27:RecvIPV6 28:ConnectIPV6 29:DisconnectIPV6 30:RetransmitIPV6 31:AcceptIPV6 32:ReconnectIPV6 34:TCPCopyIPV6"),
        new("3d6fa8d1-fe05-11d0-9dda-00c04fd7ba7c", "Thread", "1:Start 2:Stop 3:DCStart 4:DCStop 36:CSwitch 37:CompCS 62:Enqueue 63:Dequeue 72:SetName"),
        new("c861d0e2-a2c1-4d36-9f9c-970bab943a12", "ThreadPoolTrace", "32:CBEnqueue 33:CBDequeue 34:CBStart 35:CBStop 36:CBCancel 37:PoolCreate 38:PoolClose 39:ThreadMinSet 40:ThreadMaxSet"),
        new("bf3a50c5-a9c9-4988-a005-2df0b7c80f80", "UdpIp", "10:Send 11:Recv 17:Fail 26:SendIPV6 27:RecvIPV6"),
        new("3d6fa8d1-fe05-11d0-9dda-00c04fd7ba7c", "Dispatcher", "50:ReadyThread"),
        new("3d6fa8d3-fe05-11d0-9dda-00c04fd7ba7c", "VirtualMem", "98:Alloc 99:Free"),
    ];

    private static readonly TaskRow[] ControlRows =
    [
        new("b3e675d7-2554-4f18-830b-2762732560de", "ImageID", "0:Info 32:None 36:DbgID_RSDS 37:DbgID_ILRSDS 38:DbgPPDB 40:DbgDeterm 64:FileVersion"),
        new("bbccf6c1-6cd1-48c4-80ff-839482e37671", "MetaData", "32:EventInfo 33:EventMapInfo"),
        new("ed54dff8-c409-4cf6-bf83-05e1e61a09c4", "WinSat", "33:WinSPR 35:Metrics 37:SystemConfig"),
    ];

    private static readonly Guid[] TaskIdByGroup = BuildTaskIdByGroup();
    private static readonly Dictionary<Guid, KernelGroup> GroupByTaskId = BuildGroupByTaskId();
    private static readonly Dictionary<Guid, string> KernelTaskNames = TaskNames(KernelRows);
    private static readonly Dictionary<Guid, string> ControlTaskNames = TaskNames(ControlRows);
    private static readonly Dictionary<(Guid, byte), string> KernelEventNames = EventNames(KernelRows);
    private static readonly Dictionary<(Guid, byte), string> ControlEventNames = EventNames(ControlRows);

    /// <summary>Task GUID of a kernel group; <see cref="Guid.Empty"/> when TraceEvent knows none.</summary>
    public static Guid TaskId(KernelGroup group) => (ushort)group < 256 ? TaskIdByGroup[(ushort)group] : Guid.Empty;

    /// <summary>Kernel group of a task GUID (live sessions report GUIDs); <see cref="KernelGroup.None"/> if not kernel.</summary>
    public static KernelGroup GroupOf(Guid taskId) => GroupByTaskId.GetValueOrDefault(taskId, KernelGroup.None);

    public static bool IsKernelTask(Guid taskId) => KernelTaskNames.ContainsKey(taskId);

    /// <summary>"Task/Opcode" as TraceEvent names a kernel event ("Task" alone for opcode 0, "Task/Opcode(N)" for
    /// opcodes it does not name); null when the task is unknown.</summary>
    public static string? EventName(Guid taskId, byte opcode) => Name(KernelTaskNames, KernelEventNames, taskId, opcode);

    public static string? EventName(KernelGroup group, byte opcode)
    {
        if (group == KernelGroup.Process && opcode == 10) return EventName(ImageTaskId, 10);
        return EventName(TaskId(group), opcode);
    }

    /// <summary>"ImageID/DbgID_RSDS" for KernelTraceControl events (FULL headers in merged traces); null if unknown.</summary>
    public static string? KernelTraceControlEventName(Guid eventGuid, byte opcode) =>
        Name(ControlTaskNames, ControlEventNames, eventGuid, opcode);

    private static string? Name(Dictionary<Guid, string> tasks, Dictionary<(Guid, byte), string> events, Guid id, byte opcode)
    {
        if (events.TryGetValue((id, opcode), out string? name)) return name;
        if (!tasks.TryGetValue(id, out string? task)) return null;
        return opcode == 0 ? task : $"{task}/Opcode({opcode})";
    }

    private static Guid[] BuildTaskIdByGroup()
    {
        var result = new Guid[256];
        foreach (var (group, id) in GroupTaskIds) result[(ushort)group] = new Guid(id);
        return result;
    }

    private static Dictionary<Guid, KernelGroup> BuildGroupByTaskId()
    {
        var result = new Dictionary<Guid, KernelGroup>();
        foreach (var (group, id) in GroupTaskIds) result[new Guid(id)] = group;
        return result;
    }

    private static Dictionary<Guid, string> TaskNames(TaskRow[] rows)
    {
        var result = new Dictionary<Guid, string>();
        foreach (TaskRow row in rows) result.TryAdd(row.TaskId, row.TaskName);
        return result;
    }

    private static Dictionary<(Guid, byte), string> EventNames(TaskRow[] rows)
    {
        var result = new Dictionary<(Guid, byte), string>(EventKeyComparer.Instance);
        foreach (TaskRow row in rows)
        {
            foreach (string entry in row.Opcodes.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                int colon = entry.IndexOf(':');
                byte opcode = byte.Parse(entry.AsSpan(0, colon));
                // TraceEvent omits the opcode name of opcode 0 ("Info"/"Header"): "EventTrace", "ImageID".
                result.TryAdd((row.TaskId, opcode), opcode == 0 ? row.TaskName : $"{row.TaskName}/{entry[(colon + 1)..]}");
            }
        }
        return result;
    }

    private sealed class TaskRow(string taskId, string taskName, string opcodes)
    {
        public Guid TaskId { get; } = new(taskId);
        public string TaskName { get; } = taskName;
        public string Opcodes { get; } = opcodes;
    }

    /// <summary>Compares (task, opcode) keys without the runtime's generic tuple comparer, which would be compiled
    /// at start-up rather than precompiled.</summary>
    private sealed class EventKeyComparer : IEqualityComparer<(Guid Task, byte Opcode)>
    {
        public static readonly EventKeyComparer Instance = new();

        public bool Equals((Guid Task, byte Opcode) x, (Guid Task, byte Opcode) y) => x.Opcode == y.Opcode && x.Task == y.Task;

        public int GetHashCode((Guid Task, byte Opcode) key) => key.Task.GetHashCode() ^ key.Opcode;
    }
}
