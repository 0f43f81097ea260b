using HandleEtw.Core.Events;
using HandleEtw.Core.Stacks;

namespace HandleEtw.Symbols;

/// <summary>One image load as `stats --modules` lists it. Times are raw trace timestamps; null when not seen.</summary>
public sealed record ModuleRecord(int ProcessId, ModuleIdentity Module, long? LoadTime, long? UnloadTime);

/// <summary>
/// Every image the trace mentions, with the PDB identity from its DbgID_RSDS event, or from the image file itself
/// when the trace has none (raw kernel traces) and the file exists here. Grows with images, not with events.
/// </summary>
public sealed class ModuleInventory : TraceConsumer
{
    private readonly List<Entry> _entries = new();
    private readonly Dictionary<(int Pid, ulong Base), int> _open = new();
    private readonly Dictionary<(int Pid, ulong Base), ImageIdentity> _identities = new();

    private sealed class Entry(int pid, ImageEvent image, long? loaded)
    {
        public int ProcessId { get; } = pid;
        public ImageEvent Image { get; } = image;
        public long? Loaded { get; } = loaded;
        public long? Unloaded { get; set; }
        public ImageIdentity? Identity { get; set; }
    }

    public override void OnImage(in ImageEvent e)
    {
        var key = (e.ProcessId, e.ImageBase);
        if (e.Op == ImageOp.Unload)
        {
            if (_open.Remove(key, out int index)) _entries[index].Unloaded = e.Timestamp;
            else Add(key, e, null).Unloaded = e.Timestamp;
            return;
        }
        // Rundown events repeat a module already known (DCStart then DCEnd): keep one entry.
        if (_open.ContainsKey(key)) return;
        Add(key, e, e.Op == ImageOp.Load ? e.Timestamp : null);
    }

    /// <summary>DbgID_RSDS follows its image's load event (same process and base).</summary>
    public override void OnImageIdentity(in ImageIdentity e)
    {
        var key = (e.ProcessId, e.ImageBase);
        if (_open.TryGetValue(key, out int index)) _entries[index].Identity = e;
        else _identities[key] = e;
    }

    private Entry Add((int, ulong) key, in ImageEvent e, long? loaded)
    {
        var entry = new Entry(e.ProcessId, e, loaded);
        if (_identities.Remove(key, out var identity)) entry.Identity = identity;
        _open[key] = _entries.Count;
        _entries.Add(entry);
        return entry;
    }

    /// <summary>The modules in first-seen order; identities missing from the trace are read from local image files.</summary>
    public IReadOnlyList<ModuleRecord> Modules(bool readLocalImages = true)
    {
        var result = new List<ModuleRecord>(_entries.Count);
        foreach (var e in _entries)
        {
            var id = e.Identity;
            var module = new ModuleIdentity(e.Image.FileName ?? "", e.Image.ImageBase, e.Image.ImageSize,
                id?.PdbGuid ?? Guid.Empty, id?.PdbAge ?? 0, id?.PdbName);
            if (readLocalImages) module = ImageIdentityReader.Complete(module);
            result.Add(new ModuleRecord(e.ProcessId, module, e.Loaded, e.Unloaded));
        }
        return result;
    }
}
