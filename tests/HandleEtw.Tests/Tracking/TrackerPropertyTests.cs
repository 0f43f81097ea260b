using HandleEtw.Core.Events;
using HandleEtw.Core.Tracking;

namespace HandleEtw.Tests.Tracking;

/// <summary>Random create/close/duplicate/exit sequences against a dictionary-per-pid reference model.</summary>
public class TrackerPropertyTests
{
    private sealed class Model
    {
        public readonly Dictionary<int, Dictionary<uint, ulong>> Tables = new();
        public long LostCloses, UnknownCloses;

        public Dictionary<uint, ulong> Table(int pid) =>
            Tables.TryGetValue(pid, out var t) ? t : Tables[pid] = new Dictionary<uint, ulong>();

        public static int Owner(int pid, uint h) => (h & HandleEvent.KernelHandleBit) != 0 ? 4 : pid;

        public void Open(int pid, uint h, ulong obj)
        {
            var t = Table(Owner(pid, h));
            if (t.ContainsKey(h)) LostCloses++;
            t[h] = obj;
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(42)]
    public void Tracker_agrees_with_the_reference_model(int seed)
    {
        var rng = new Random(seed);
        var model = new Model();
        var s = new EventScript();
        int[] pids = [100, 200, 300];
        ulong nextObject = 1;
        uint RandomValue() => rng.Next(10) == 0 ? 0x8000_0000u | (uint)(4 * rng.Next(1, 8)) : (uint)(4 * rng.Next(1, 24));
        (uint H, ulong Obj)? RandomLive(int owner)
        {
            var t = model.Table(owner);
            return t.Count == 0 ? null : t.ElementAt(rng.Next(t.Count)) is var kv ? (kv.Key, kv.Value) : null;
        }

        for (int step = 0; step < 3000; step++)
        {
            int pid = pids[rng.Next(pids.Length)];
            int tid = pid + rng.Next(3);
            int action = rng.Next(100);
            if (action < 45)
            {
                uint h = RandomValue();
                ulong obj = nextObject++;
                model.Open(pid, h, obj);
                s.Create(pid, tid, h, obj);
            }
            else if (action < 80)
            {
                int owner = rng.Next(8) == 0 ? 4 : pid;
                if (RandomLive(owner) is { } live && rng.Next(10) != 0)
                {
                    model.Table(owner).Remove(live.H);
                    s.Close(pid, tid, live.H, live.Obj);        // kernel values may be closed from any process
                }
                else
                {
                    uint h = (uint)(4 * rng.Next(100, 200));      // never live: an unknown close
                    model.UnknownCloses++;
                    s.Close(pid, tid, h, nextObject++);
                }
            }
            else if (action < 95)
            {
                if (RandomLive(pid) is not { } source) continue;
                int target = pids[rng.Next(pids.Length)];
                uint th = (uint)(4 * rng.Next(1, 24));
                if (target == pid && th == source.H) continue;  // that shape is inheritance
                model.Open(target, th, source.Obj);
                s.Duplicate(pid, tid, pid, source.H, target, th, source.Obj);
                if (rng.Next(4) == 0 && !(target == pid && th == source.H))
                {
                    if (model.Table(pid).TryGetValue(source.H, out ulong o) && o == source.Obj)
                    {
                        model.Table(pid).Remove(source.H);
                        s.Same().Close(pid, tid, source.H, source.Obj);   // DUPLICATE_CLOSE_SOURCE
                    }
                }
            }
            else
            {
                model.Tables.Remove(pid);                      // exit: the table is released, not leaked
                s.Stop(pid).Start(pid);
            }
        }

        s.At(1000).Start(999);                                  // past the grace period: exited tables are freed
        HandleTracker tracker = s.Track();
        var expected = model.Tables.SelectMany(kv => kv.Value.Select(h => (kv.Key, h.Key, h.Value))).Order().ToList();
        var actual = tracker.EnumerateLive().Select(h => (h.Pid, h.Handle, h.Object)).Order().ToList();
        Assert.Equal(expected, actual);
        Assert.Equal(model.LostCloses, tracker.Counters.LostCloses);
        Assert.Equal(model.UnknownCloses, tracker.Counters.UnknownClosesGap + tracker.Counters.UnknownClosesPredatingTrace);
        Assert.Equal(expected.Count, tracker.LiveHandleCount);
    }
}
