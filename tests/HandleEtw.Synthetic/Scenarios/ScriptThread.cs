namespace HandleEtw.Synthetic.Scenarios;

/// <summary>A thread of a script: the handle operations it performs, each at the script's current time.</summary>
public sealed class ScriptThread(ScriptProcess process, int tid)
{
    public ScriptProcess Process { get; } = process;
    public int Tid { get; } = tid;
    public TraceScript Script => Process.Script;

    /// <summary>Creates a handle (the next free value unless given) and returns its value.
    /// <paramref name="user"/> is the user part of the stack, innermost first ("kernelbase!CreateEventW", "fun4", "main").</summary>
    public uint Create(string type, string[]? user = null, uint? handle = null, string name = "", string api = "NtCreateEvent")
    {
        uint value = handle ?? Process.AllocateValue();
        if (handle is { } explicitValue) Process.Reserve(explicitValue);
        ScriptProcess owner = Script.OwnerOf(Process, value);
        var fact = new HandleFact
        {
            Pid = owner.Pid, Handle = value, Type = ObjectTypes.Index(type), Object = Script.NewObject(),
            CreatorTid = Tid, CreateTicks = Script.Now, CreateFunction = InnermostOwnFunction(user),
        };
        Script.Track(owner, fact);
        Script.WriteCreate(this, fact, name, Script.Stack(Process, ["ObpCreateHandle", api, "KiSystemServiceCopyEnd"], user));
        return value;
    }

    /// <summary>Closes a handle of this process (or the kernel table for bit-31 values).</summary>
    public void Close(uint handle, string[]? user = null, string name = "")
    {
        ScriptProcess owner = Script.OwnerOf(Process, handle);
        Script.CloseTracked(owner, handle, Tid, CloseKind.Explicit, out HandleFact? fact);
        var stack = Script.Stack(Process, ["ObpCloseHandle", "NtClose", "KiSystemServiceCopyEnd"], user);
        Script.WriteClose(this, handle, fact?.Type ?? ObjectTypes.Index("Event"), fact?.Object ?? Script.NewObject(), name, stack);
    }

    /// <summary>Closes a value this trace never showed created (its create predates the trace, no rundown).</summary>
    public void CloseUnseen(uint handle, string type, string[]? user = null)
    {
        Script.Facts.UnmatchedCloses++;
        Script.Facts.Closes++;
        var stack = Script.Stack(Process, ["ObpCloseHandle", "NtClose", "KiSystemServiceCopyEnd"], user);
        Script.WriteClose(this, handle, ObjectTypes.Index(type), Script.NewObject(), "", stack);
    }

    /// <summary>DuplicateHandle from this process into <paramref name="target"/>; optional DUPLICATE_CLOSE_SOURCE
    /// (then the kernel's CloseHandle of the source follows on the same thread at the same time).</summary>
    public uint Duplicate(uint sourceHandle, ScriptProcess target, bool closeSource = false, string[]? user = null, uint? targetHandle = null) =>
        DuplicateBetween(Process, sourceHandle, target, closeSource, user, targetHandle);

    /// <summary>DuplicateHandle called by this thread to take <paramref name="sourceHandle"/> out of another process
    /// into its own (with DUPLICATE_CLOSE_SOURCE: a hand-off). Both events are logged in this process's context.</summary>
    public uint Pull(ScriptProcess source, uint sourceHandle, bool closeSource = true, string[]? user = null) =>
        DuplicateBetween(source, sourceHandle, Process, closeSource, user, null);

    private uint DuplicateBetween(ScriptProcess source, uint sourceHandle, ScriptProcess target, bool closeSource, string[]? user, uint? targetHandle)
    {
        HandleFact original = source.Open.GetValueOrDefault(sourceHandle)
            ?? throw new InvalidOperationException($"0x{sourceHandle:X} is not open in {source.Pid}");
        uint value = targetHandle ?? target.AllocateValue();
        var fact = new HandleFact
        {
            Pid = target.Pid, Handle = value, Type = original.Type, Object = original.Object, CreatorTid = Tid,
            CreateTicks = Script.Now, CreateFunction = InnermostOwnFunction(user), Origin = "Duplicate",
        };
        Script.Track(target, fact);
        Script.Facts.Duplicates++;
        var stack = Script.Stack(Process, ["ObDuplicateObject", "NtDuplicateObject", "KiSystemServiceCopyEnd"], user);
        Script.WriteDuplicate(this, source.Pid, sourceHandle, target.Pid, value, original, stack, advance: !closeSource);
        if (closeSource)
        {
            Script.CloseTracked(source, sourceHandle, Tid, CloseKind.DuplicateCloseSource, out _);
            Script.WriteClose(this, sourceHandle, original.Type, original.Object, "", stack);
        }
        return value;
    }

    /// <summary>The innermost frame that is not a system DLL: the function a test names the stack by.</summary>
    private string InnermostOwnFunction(string[]? user)
    {
        if (user is null) return "";
        foreach (string frame in user)
        {
            int bang = frame.IndexOf('!');
            if (bang < 0) return frame;
            string module = frame[..bang];
            if (!TraceScript.IsSystemModule(module)) return frame[(bang + 1)..];
        }
        return "";
    }
}
