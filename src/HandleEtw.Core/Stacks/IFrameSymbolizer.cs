namespace HandleEtw.Core.Stacks;

/// <summary>
/// Turns an offset inside a module into a symbolic frame. Implemented outside Core (PDB readers); the frame
/// formatter falls back to `module+0xOFFSET` when this returns null.
/// </summary>
public interface IFrameSymbolizer
{
    /// <summary>`module!Function+0xOFFSET` (with ` [file @ line]` when known), or null when no symbols apply.</summary>
    string? Symbolize(ModuleIdentity module, ulong offset);
}
