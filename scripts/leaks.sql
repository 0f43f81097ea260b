-- handleetw leaks.sql: handles still open at the end of a trace, grouped by (pid, type, create stack), with the
-- verdict and ranking of `handleetw leaks` (GrowthRule in src/HandleEtw.Core): growing groups first, fastest first,
-- then flat ones, most handles first. The first row is the top leak.
--
-- The rule. The window runs from the process's start (or the trace's, if the process was already running) to the end
-- of the trace. A group is growing when at least 3 of its handles are still open at the end, the newest of them was
-- opened in the second half of the window, and their open times span at least a quarter of the window and at least
-- 1 s; its growth is (count - 1) per (newest - oldest open time), per minute. Anything else is flat, whatever its size.
-- Handles open since before the trace (rundown: create_time_ns NULL) count as opened at the window's start.
--
-- Reads the tables by name: live_handles, processes, stacks. Bind them before running (schema: docs/parquet-schema.md):
--   DuckDB:  CREATE VIEW live_handles AS SELECT * FROM read_parquet('DIR/live_handles.parquet');  (same for the others)
--   Spark:   spark.read.parquet("DIR/live_handles.parquet").createOrReplaceTempView("live_handles")  (same for the others)
-- Plain SQL that DuckDB and Spark SQL (3.x) both accept: no casts with ::, no engine-specific functions (the tests
-- parse it with a Spark SQL grammar). One trace at a time: scripts/fleet_leaks.py runs it on each trace of a fleet.
-- `handleetw leaks` also gives `opened` (every open of the group, closed ones too); this query leaves it out.
--
-- Output columns
--   pid, type, type_name, stack_id  the group (stack_id NULL: no create stack, e.g. open since before the trace)
--   outstanding                     handles of the group still open at the end
--   first_open_s, last_open_s       open times of the oldest and newest of them, seconds since trace start
--   window_start_s, window_end_s    the window the rule looks at
--   per_minute                      growth, handles per minute (0 when flat)
--   growing, reason                 the verdict and why
--   depth                           frames in the create stack
WITH open_at_end AS (
    SELECT pid, type, type_name, stack_id, create_time_ns, snapshot_time_ns
    FROM live_handles
    WHERE snapshot = 'end' AND handle_kind = 'kernel'  -- 'gdi' / 'user' rank GDI and USER objects the same way
),
trace_end AS (
    SELECT MAX(snapshot_time_ns) AS end_ns FROM open_at_end
),
process_start AS (
    -- processes running at the end; those started before the trace count from 0
    SELECT pid, MAX(CASE WHEN start_time_ns IS NULL OR start_time_ns < 0 THEN 0 ELSE start_time_ns END) AS start_ns
    FROM processes WHERE end_time_ns IS NULL GROUP BY pid
),
opened AS (
    SELECT h.pid, h.type, h.type_name, h.stack_id, COALESCE(p.start_ns, 0) AS start_ns,
           COALESCE(h.create_time_ns, p.start_ns, 0) AS open_ns
    FROM open_at_end h LEFT JOIN process_start p ON p.pid = h.pid
),
grouped AS (
    SELECT o.pid, o.type, MAX(o.type_name) AS type_name, o.stack_id, COUNT(*) AS outstanding,
           MIN(o.open_ns) AS first_ns, MAX(o.open_ns) AS last_ns, MAX(o.start_ns) AS start_ns,
           CASE WHEN MAX(e.end_ns) < MAX(o.start_ns) THEN MAX(o.start_ns) ELSE MAX(e.end_ns) END AS end_ns
    FROM opened o CROSS JOIN trace_end e
    GROUP BY o.pid, o.type, o.stack_id
),
judged AS (
    SELECT g.*,
           CASE WHEN g.outstanding < 3 THEN 'flat: fewer than 3 still open'
                WHEN 2 * (g.last_ns - g.start_ns) < g.end_ns - g.start_ns
                     THEN 'flat: all opened in the first half of the window, then held'
                WHEN 4 * (g.last_ns - g.first_ns) < g.end_ns - g.start_ns OR g.last_ns - g.first_ns < 1000000000
                     THEN 'flat: opened in a burst shorter than a quarter of the window or 1 s'
                ELSE 'growing: still open handles were opened across the window, up to its second half' END AS reason
    FROM grouped g
),
ranked AS (
    SELECT j.pid, j.type, j.type_name, j.stack_id, j.outstanding,
           CAST(j.first_ns AS DOUBLE) / 1000000000.0 AS first_open_s,
           CAST(j.last_ns AS DOUBLE) / 1000000000.0 AS last_open_s,
           CAST(j.start_ns AS DOUBLE) / 1000000000.0 AS window_start_s,
           CAST(j.end_ns AS DOUBLE) / 1000000000.0 AS window_end_s,
           CASE WHEN j.reason LIKE 'growing%'
                THEN CAST(j.outstanding - 1 AS DOUBLE) * 60000000000.0 / CAST(j.last_ns - j.first_ns AS DOUBLE)
                ELSE CAST(0 AS DOUBLE) END AS per_minute,
           j.reason LIKE 'growing%' AS growing,
           j.reason,
           CASE WHEN j.reason LIKE 'growing%' THEN 0 ELSE 1 END AS rank_class,
           COALESCE(j.stack_id, -1) AS stack_order
    FROM judged j
)
SELECT r.pid, r.type, r.type_name, r.stack_id, r.outstanding, r.first_open_s, r.last_open_s, r.window_start_s,
       r.window_end_s, r.per_minute, r.growing, r.reason, s.depth
FROM ranked r
LEFT JOIN stacks s ON s.stack_id = r.stack_id
ORDER BY r.rank_class,
         CASE WHEN r.rank_class = 0 THEN r.per_minute ELSE CAST(r.outstanding AS DOUBLE) END DESC,
         r.outstanding DESC, r.pid, r.type, r.stack_order
