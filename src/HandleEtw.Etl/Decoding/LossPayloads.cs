using HandleEtw.Core.Events;
using HandleEtw.Core.Records;

namespace HandleEtw.Etl.Decoding;

/// <summary>Lost-event records (task RT_LostEvent): the logger reports events, a buffer or the file lost.</summary>
public static class LossPayloads
{
    public static readonly Guid LostEventTask = new("6a399ae0-4bc6-4de9-870b-3657f8947e7e");

    public const byte LostEvent = 32;
    public const byte LostBuffer = 33;
    public const byte LostFile = 34;

    public static bool IsLoss(in EventRecord r) => !r.IsKernel && r.ProviderId == LostEventTask;

    /// <summary>The records carry no count: each stands for at least one lost event (or buffer).</summary>
    public static bool TryRead(in EventRecord r, out LossEvent e)
    {
        e = default;
        if (!IsLoss(r)) return false;
        bool buffer = r.Opcode is LostBuffer or LostFile;
        e = new LossEvent { Timestamp = r.Timestamp, Events = buffer ? 0 : 1, Buffers = buffer ? 1 : 0 };
        return true;
    }
}
