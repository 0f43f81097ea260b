-- handleetw diff.sql: handles opened after FROM and still open at TO, grouped by process, type and create stack
-- (WinDbg `!htrace -diff` between two points of the trace). Edit the two times in `params` (seconds since trace
-- start; meta.duration_ns gives the length).
--
-- Reads the tables `events` and `object_types` by name. Bind them before running (schema: docs/parquet-schema.md):
--   DuckDB:  CREATE VIEW events AS SELECT * FROM read_parquet('DIR/events.parquet');   (same for object_types)
--   Spark:   spark.read.parquet("DIR/events.parquet").createOrReplaceTempView("events")
-- Plain SQL that DuckDB and Spark SQL (3.x) both accept.
--
-- events.op: 0 create, 1 close, 2 duplicate, 3 rundown_start, 4 rundown_end.
-- A handle value is opened by `create` (in pid) or `duplicate` (target_handle in target_pid) and closed by `close`
-- (in pid). An open counts when it is the last operation on its (process, handle value) up to TO: a later open of
-- the same value means the close was lost, so that older open is not reported.
WITH params AS (
    SELECT CAST(10 AS DOUBLE) AS from_s, CAST(60 AS DOUBLE) AS to_s
),
bounds AS (
    SELECT CAST(from_s * 1000000000.0 AS BIGINT) AS from_ns, CAST(to_s * 1000000000.0 AS BIGINT) AS to_ns FROM params
),
ops AS (
    SELECT pid AS owner_pid, handle AS handle_value, time_ns, 'open' AS op, stack_id, type, tid
    FROM events WHERE op = 0 AND handle_kind = 'kernel'
    UNION ALL
    SELECT target_pid, target_handle, time_ns, 'open', stack_id, type, tid
    FROM events WHERE op = 2 AND handle_kind = 'kernel'
    UNION ALL
    SELECT pid, handle, time_ns, 'close', stack_id, type, tid
    FROM events WHERE op = 1 AND handle_kind = 'kernel'
),
until_to AS (
    SELECT o.* FROM ops o CROSS JOIN bounds b WHERE o.time_ns <= b.to_ns
),
sequenced AS (
    SELECT owner_pid, handle_value, time_ns, op, stack_id, type,
           LEAD(op) OVER (PARTITION BY owner_pid, handle_value ORDER BY time_ns) AS next_op
    FROM until_to
),
still_open AS (
    SELECT s.* FROM sequenced s CROSS JOIN bounds b
    WHERE s.op = 'open' AND s.next_op IS NULL AND s.time_ns > b.from_ns
)
SELECT g.pid, g.type, t.type_name, g.stack_id, g.opened_and_still_open, g.first_open_s, g.last_open_s
FROM (
    SELECT owner_pid AS pid, type, stack_id,
           COUNT(*) AS opened_and_still_open,
           MIN(time_ns) / 1000000000.0 AS first_open_s,
           MAX(time_ns) / 1000000000.0 AS last_open_s
    FROM still_open
    GROUP BY owner_pid, type, stack_id
) g
LEFT JOIN object_types t ON t.type = g.type
ORDER BY opened_and_still_open DESC, pid, type, stack_id
