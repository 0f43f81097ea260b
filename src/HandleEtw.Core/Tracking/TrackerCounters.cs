namespace HandleEtw.Core.Tracking;

/// <summary>What the tracker had to infer or could not match. Every result carries these.</summary>
public sealed class TrackerCounters
{
    public long HandleEvents { get; internal set; }
    public long Creates { get; internal set; }
    public long Closes { get; internal set; }
    public long Duplicates { get; internal set; }
    public long RundownHandles { get; internal set; }

    /// <summary>Create on a value still live: the close between them was lost.</summary>
    public long LostCloses { get; internal set; }

    /// <summary>Close of an unknown handle in a process with no handle rundown at start: the handle predates the trace.</summary>
    public long UnknownClosesPredatingTrace { get; internal set; }

    /// <summary>Close of an unknown handle where its create should have been seen: a gap in the trace.</summary>
    public long UnknownClosesGap { get; internal set; }

    public long InheritanceDuplicates { get; internal set; }
    public long InheritedCloses { get; internal set; }
    public long ExitSweepCloses { get; internal set; }
    public long DuplicateCloseSource { get; internal set; }

    /// <summary>Handles still open when their process exited (released, not leaked).</summary>
    public long ReleasedAtExit { get; internal set; }

    /// <summary>Later files of a sequence (each starts a segment whose rundown is reconciled).</summary>
    public long Segments { get; internal set; }

    /// <summary>Rundown handles the tables already held (same object): they keep their create stacks.</summary>
    public long RundownConfirmed { get; internal set; }

    /// <summary>A later file's rundown listed a handle the tables lacked, or left out one they held.</summary>
    public long RundownMismatches { get; internal set; }

    /// <summary>Losses reported inside the stream (OnLoss).</summary>
    public long LossEvents { get; internal set; }
    public long EventsLostInStream { get; internal set; }
    public long BuffersLostInStream { get; internal set; }

    /// <summary>GDI and USER handle events (all of them) and the GDI ones among them.</summary>
    public long GuiEvents { get; internal set; }
    public long GdiEvents { get; internal set; }
    public long GuiCreates { get; internal set; }
    public long GuiOwnerChanges { get; internal set; }
    public long GuiTransforms { get; internal set; }

    /// <summary>GDI/USER destroys of values never seen created (created before the trace, or the create was lost).</summary>
    public long GuiUnknownDestroys { get; internal set; }

    /// <summary>A GDI/USER value created (or renamed to) while still live: its destroy was not seen.</summary>
    public long GuiLostDestroys { get; internal set; }

    /// <summary>Owner changes and transforms of values never seen created: held as open since before the trace.</summary>
    public long GuiPredatingTrace { get; internal set; }

    /// <summary>GDI/USER destroys in a process that was exiting.</summary>
    public long GuiExitSweepDestroys { get; internal set; }

    /// <summary>GDI/USER objects still owned by a process when it exited (released, not leaked).</summary>
    public long GuiReleasedAtExit { get; internal set; }
}
