using HandleEtw.Core.Records;
using HandleEtw.Etl;
using HandleEtw.Symbols;

namespace HandleEtw.Cli.Commands;

/// <summary>`handleetw stats --modules`: every image the trace loaded, per process, with its PDB identity.</summary>
public static class StatsModules
{
    public static int Write(IRecordSource source, bool json, CommandContext context)
    {
        var inventory = new ModuleInventory();
        TracePipeline.Run(source, inventory);
        var modules = inventory.Modules();
        if (json) ModuleListing.WriteJson(context.Out, modules, source.Info);
        else ModuleListing.WriteText(context.Out, modules, source.Info);
        return ExitCodes.Ok;
    }
}
