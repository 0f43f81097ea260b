-- handleetw leaks.sql: handles still open at the end of a trace, grouped by (pid, type, create stack) and ranked,
-- as `handleetw leaks` ranks them. The first row is the top leak.
--
-- Reads the tables by name: live_handles and stacks. Bind them before running (schema: docs/parquet-schema.md):
--   DuckDB:  CREATE VIEW live_handles AS SELECT * FROM read_parquet('DIR/live_handles.parquet');
--            CREATE VIEW stacks       AS SELECT * FROM read_parquet('DIR/stacks.parquet');
--            (a partitioned fleet: read_parquet('DIR/*/*/live_handles.parquet', hive_partitioning = true))
--   Spark:   spark.read.parquet("DIR/live_handles.parquet").createOrReplaceTempView("live_handles")
--            spark.read.parquet("DIR/stacks.parquet").createOrReplaceTempView("stacks")
-- Plain SQL that DuckDB and Spark SQL (3.x) both accept: no casts with ::, no engine-specific functions.
--
-- Output columns
--   pid, type, type_name, stack_id  the group (stack_id NULL: created without a stack)
--   outstanding                     handles of the group still open at the end
--   first_create_s, last_create_s   create times of the oldest and newest of them, seconds since trace start
--   slope_per_min                   growth: least-squares slope of the group's open count against create time,
--                                   handles per minute (NULL when all were created at the same instant)
--   depth                           frames in the create stack
-- Handles that were already open when the trace started (origin = 'rundown') have no create time or stack and
-- are left out: they are not evidence of a leak inside the trace.
WITH open_at_end AS (
    SELECT pid, type, type_name, stack_id, create_time_ns
    FROM live_handles
    WHERE snapshot = 'end' AND create_time_ns IS NOT NULL
),
numbered AS (
    SELECT pid, type, type_name, stack_id,
           CAST(create_time_ns AS DOUBLE) / 60000000000.0 AS create_min,
           CAST(ROW_NUMBER() OVER (PARTITION BY pid, type, stack_id ORDER BY create_time_ns) AS DOUBLE) AS open_count
    FROM open_at_end
),
grouped AS (
    SELECT pid, type, MAX(type_name) AS type_name, stack_id,
           COUNT(*) AS outstanding,
           MIN(create_min) * 60.0 AS first_create_s,
           MAX(create_min) * 60.0 AS last_create_s,
           CASE WHEN VAR_POP(create_min) > 0 THEN COVAR_POP(create_min, open_count) / VAR_POP(create_min) END AS slope_per_min
    FROM numbered
    GROUP BY pid, type, stack_id
)
SELECT g.pid, g.type, g.type_name, g.stack_id, g.outstanding, g.first_create_s, g.last_create_s, g.slope_per_min,
       s.depth
FROM grouped g
LEFT JOIN stacks s ON s.stack_id = g.stack_id
ORDER BY g.outstanding DESC, g.slope_per_min DESC NULLS LAST, g.pid, g.type, g.stack_id
