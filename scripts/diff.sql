-- handleetw diff.sql: handles opened after FROM and still open at TO, grouped by process, type and create stack
-- (WinDbg `!htrace -diff` between two points of the trace). Edit the two times in `params` (seconds since trace
-- start; meta.duration_ns gives the length).
--
-- Reads the table `events` by name. Bind it before running (schema: docs/parquet-schema.md):
--   DuckDB:  CREATE VIEW events AS SELECT * FROM read_parquet('DIR/events.parquet');
--   Spark:   spark.read.parquet("DIR/events.parquet").createOrReplaceTempView("events")
-- Plain SQL that DuckDB and Spark SQL (3.x) both accept.
--
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
    SELECT pid AS owner_pid, handle AS handle_value, time_ns, 'open' AS op, stack_id, type, type_name, tid
    FROM events WHERE kind = 'create'
    UNION ALL
    SELECT target_pid, target_handle, time_ns, 'open', stack_id, type, type_name, tid
    FROM events WHERE kind = 'duplicate'
    UNION ALL
    SELECT pid, handle, time_ns, 'close', stack_id, type, type_name, tid
    FROM events WHERE kind = 'close'
),
until_to AS (
    SELECT o.* FROM ops o CROSS JOIN bounds b WHERE o.time_ns <= b.to_ns
),
sequenced AS (
    SELECT owner_pid, handle_value, time_ns, op, stack_id, type, type_name,
           LEAD(op) OVER (PARTITION BY owner_pid, handle_value ORDER BY time_ns) AS next_op
    FROM until_to
),
still_open AS (
    SELECT s.* FROM sequenced s CROSS JOIN bounds b
    WHERE s.op = 'open' AND s.next_op IS NULL AND s.time_ns > b.from_ns
)
SELECT owner_pid AS pid, type, MAX(type_name) AS type_name, stack_id,
       COUNT(*) AS opened_and_still_open,
       MIN(time_ns) / 1000000000.0 AS first_open_s,
       MAX(time_ns) / 1000000000.0 AS last_open_s
FROM still_open
GROUP BY owner_pid, type, stack_id
ORDER BY opened_and_still_open DESC, pid, type, stack_id
