-- handleetw leaks.sql: handles still open at the end of a trace, grouped by (pid, type, create stack) and ranked
-- as `handleetw leaks` ranks them (LeakAnalysis): a group whose open count grows by at least 0.5 handles a minute
-- ranks above every flat group, growing groups by growth, flat ones by outstanding count. The first row is the top leak.
--
-- Growth is the least-squares slope of the group's open count n(t), a step function, over the process's life in
-- the trace [start, end]: from the integrals of n and t*n, which each open interval [o, c] adds to as (c - o) and
-- (c*c - o*o) / 2. Intervals still open come from live_handles (snapshot 'end'); closed ones pair each open in
-- `events` with the next operation on the same (process, handle value): its close, or a reopen (a lost close).
--
-- Reads the tables by name: live_handles, events, processes, stacks. Bind them before running
-- (schema: docs/parquet-schema.md):
--   DuckDB:  CREATE VIEW live_handles AS SELECT * FROM read_parquet('DIR/live_handles.parquet');  (same for the others)
--   Spark:   spark.read.parquet("DIR/live_handles.parquet").createOrReplaceTempView("live_handles")  (same for the others)
-- Plain SQL that DuckDB and Spark SQL (3.x) both accept: no casts with ::, no engine-specific functions.
-- events.op: 0 create, 1 close, 2 duplicate, 3 rundown_start. Kernel handles (0x80000000 set) belong to pid 4.
--
-- Output columns
--   pid, type, type_name, stack_id  the group (stack_id NULL: no create stack, e.g. open since before the trace)
--   outstanding                     handles of the group still open at the end
--   first_create_s, last_create_s   create times of the oldest and newest of them, seconds since trace start
--   per_minute                      growth of the open count, handles per minute
--   growing                         per_minute >= 0.5
--   depth                           frames in the create stack
WITH open_at_end AS (
    SELECT pid, type, type_name, stack_id, create_time_ns, snapshot_time_ns
    FROM live_handles
    WHERE snapshot = 'end'
),
trace_end AS (
    SELECT MAX(snapshot_time_ns) AS end_ns, CAST(MAX(snapshot_time_ns) AS DOUBLE) / 1000000000.0 AS end_s FROM open_at_end
),
process_start AS (
    -- processes running at the end; those started before the trace count from 0
    SELECT pid, MAX(CASE WHEN start_time_ns IS NULL THEN 0 ELSE start_time_ns END) AS start_ns
    FROM processes WHERE end_time_ns IS NULL GROUP BY pid
),
ops AS (
    SELECT CASE WHEN handle >= 2147483648 THEN 4 ELSE pid END AS owner, handle AS value, time_ns, 1 AS is_open,
           0 AS rundown, type, stack_id
    FROM events WHERE op = 0
    UNION ALL
    SELECT CASE WHEN target_handle >= 2147483648 THEN 4 ELSE target_pid END, target_handle, time_ns, 1, 0, type, stack_id
    FROM events
    WHERE op = 2 AND NOT (source_pid = target_pid AND source_handle = target_handle AND source_handle < 2147483648)
    UNION ALL
    SELECT CASE WHEN handle >= 2147483648 THEN 4 ELSE pid END, handle, time_ns, 1, 1, type, NULL
    FROM events WHERE op = 3
    UNION ALL
    SELECT CASE WHEN handle >= 2147483648 THEN 4 ELSE pid END, handle, time_ns, 0, 0, type, NULL
    FROM events WHERE op = 1
),
spans AS (
    SELECT owner, type, stack_id, is_open, rundown, time_ns AS open_ns,
           -- at equal times a close sorts before an open: a value closed and reused at once
           LEAD(time_ns) OVER (PARTITION BY owner, value ORDER BY time_ns, is_open) AS close_ns
    FROM ops
),
intervals AS (
    -- closed during the life of the process running now
    SELECT s.owner AS pid, s.type, s.stack_id, s.open_ns, s.close_ns
    FROM spans s LEFT JOIN process_start p ON p.pid = s.owner
    WHERE s.is_open = 1 AND s.close_ns IS NOT NULL AND s.open_ns >= COALESCE(p.start_ns, 0)
    UNION ALL
    -- opened in the trace and still open at the end
    SELECT h.pid, h.type, h.stack_id,
           CASE WHEN h.create_time_ns < COALESCE(p.start_ns, 0) THEN COALESCE(p.start_ns, 0) ELSE h.create_time_ns END,
           h.snapshot_time_ns
    FROM open_at_end h LEFT JOIN process_start p ON p.pid = h.pid
    WHERE h.create_time_ns IS NOT NULL
    UNION ALL
    -- listed by the handle rundown (open since before the trace) and still open: counted from the rundown
    SELECT s.owner, s.type, s.stack_id, s.open_ns, e.end_ns
    FROM spans s CROSS JOIN trace_end e LEFT JOIN process_start p ON p.pid = s.owner
    WHERE s.rundown = 1 AND s.close_ns IS NULL AND s.open_ns >= COALESCE(p.start_ns, 0)
),
integrals AS (
    SELECT i.pid, i.type, i.stack_id,
           SUM(CAST(i.close_ns - i.open_ns AS DOUBLE)) / 1000000000.0 AS int_n,
           SUM((CAST(i.close_ns AS DOUBLE) / 1000000000.0) * (CAST(i.close_ns AS DOUBLE) / 1000000000.0)
             - (CAST(i.open_ns AS DOUBLE) / 1000000000.0) * (CAST(i.open_ns AS DOUBLE) / 1000000000.0)) / 2.0 AS int_tn
    FROM intervals i
    GROUP BY i.pid, i.type, i.stack_id
),
live_groups AS (
    SELECT pid, type, MAX(type_name) AS type_name, stack_id, COUNT(*) AS outstanding,
           MIN(create_time_ns) / 1000000000.0 AS first_create_s,
           MAX(create_time_ns) / 1000000000.0 AS last_create_s
    FROM open_at_end
    GROUP BY pid, type, stack_id
),
growth AS (
    SELECT g.pid, g.type, g.type_name, g.stack_id, g.outstanding, g.first_create_s, g.last_create_s,
           COALESCE(p.start_ns, 0) / 1000000000.0 AS start_s, e.end_s, n.int_n, n.int_tn
    FROM live_groups g
    LEFT JOIN process_start p ON p.pid = g.pid
    CROSS JOIN trace_end e
    LEFT JOIN integrals n
           ON n.pid = g.pid AND n.type = g.type
          AND (n.stack_id = g.stack_id OR (n.stack_id IS NULL AND g.stack_id IS NULL))
),
ranked AS (
    SELECT pid, type, type_name, stack_id, outstanding, first_create_s, last_create_s,
           CASE WHEN end_s - start_s > 0
                THEN 60.0 * (int_tn / (end_s - start_s) - (start_s + end_s) / 2.0 * int_n / (end_s - start_s))
                     / ((end_s - start_s) * (end_s - start_s) / 12.0)
                ELSE 0.0 END AS per_minute
    FROM growth
)
SELECT g.pid, g.type, g.type_name, g.stack_id, g.outstanding, g.first_create_s, g.last_create_s, g.per_minute,
       g.per_minute >= 0.5 AS growing, s.depth
FROM ranked g
LEFT JOIN stacks s ON s.stack_id = g.stack_id
ORDER BY CASE WHEN g.per_minute >= 0.5 THEN 0 ELSE 1 END,
         CASE WHEN g.per_minute >= 0.5 THEN g.per_minute ELSE CAST(g.outstanding AS DOUBLE) END DESC,
         g.outstanding DESC, g.pid, g.type, g.stack_id
