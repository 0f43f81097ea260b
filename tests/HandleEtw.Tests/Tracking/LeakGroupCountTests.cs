using HandleEtw.Core.Events;
using HandleEtw.Core.Records;
using HandleEtw.Core.Tracking;

namespace HandleEtw.Tests.Tracking;

/// <summary>
/// Leak group counts against a reference model while processes come and go: every exit frees its groups (and their
/// index slots), pids are reused, and later incarnations create on the same stacks. Each event is hinted ahead the
/// way the consumer thread hints it, which must change nothing.
/// </summary>
public class LeakGroupCountTests
{
    private const int Pids = 48, Stacks = 400, LongLived = 16;
    private static ushort TypeOf(int stack) => (ushort)(1 + stack % 3);

    [Theory]
    [InlineData(5)]
    [InlineData(11)]
    public void Group_counts_match_the_model_across_exits_and_reused_pids(int seed)
    {
        var rng = new Random(seed);
        var tracker = new HandleTracker(new TraceInfo { ClockFrequency = 10_000_000 });
        long now = 0;
        // The first processes live through every round: their groups must stay found while others' are freed around them.
        var model = new Dictionary<(int Pid, int Stack), int>();
        var live = new List<(int Pid, uint Handle, int Stack)>();
        for (int round = 0; round < 6; round++)
        {
            now = round * 200_000_000L; // 20 s apart: the last round's tables are past their grace period
            foreach (var gone in model.Keys.Where(k => k.Pid >= 1000 + 4 * LongLived).ToList()) model.Remove(gone);
            live.RemoveAll(h => h.Pid >= 1000 + 4 * LongLived);
            var events = new List<HandleEvent>();
            for (int p = round == 0 ? 0 : LongLived; p < Pids; p++)
                tracker.OnProcess(new ProcessEvent { Op = ProcessOp.Start, Timestamp = ++now, ProcessId = 1000 + 4 * p, ImageFileName = "app.exe" });
            for (int step = 0; step < 3000; step++)
            {
                if (live.Count > 0 && rng.Next(5) < 2)
                {
                    int at = rng.Next(live.Count);
                    (int pid, uint handle, int stack) = live[at];
                    live[at] = live[^1];
                    live.RemoveAt(live.Count - 1);
                    model[(pid, stack)]--;
                    events.Add(new HandleEvent { Op = HandleOp.Close, Timestamp = ++now, ProcessId = pid, ThreadId = pid + 1, Handle = handle, StackId = -1 });
                }
                else
                {
                    int pid = 1000 + 4 * rng.Next(Pids), stack = rng.Next(Stacks);
                    uint handle = 4 * (uint)(round * 4000 + step + 1);
                    live.Add((pid, handle, stack));
                    model[(pid, stack)] = model.GetValueOrDefault((pid, stack)) + 1;
                    events.Add(new HandleEvent { Op = HandleOp.Create, Timestamp = ++now, ProcessId = pid, ThreadId = pid + 1, Handle = handle, Object = (ulong)step, ObjectType = TypeOf(stack), StackId = stack });
                }
            }
            for (int i = 0; i < events.Count; i++)
            {
                if (i + 8 < events.Count) tracker.Prefetch(events[i + 8]);
                tracker.OnHandle(events[i]);
            }

            var counts = tracker.GroupCounts().ToDictionary(g => (g.Pid, g.StackId), g => g.Outstanding);
            Assert.Equal(model.Where(m => m.Value > 0).OrderBy(m => m.Key).ToList(), counts.OrderBy(m => m.Key).ToList());
            Assert.Equal(live.Count, tracker.LiveCounts().Sum(c => c.Live));
            // Half the others stop; the other half are replaced when their pid starts again next round.
            for (int p = LongLived; p < Pids; p += 2)
                tracker.OnProcess(new ProcessEvent { Op = ProcessOp.Stop, Timestamp = ++now, ProcessId = 1000 + 4 * p });
        }
    }
}
