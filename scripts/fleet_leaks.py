"""Rank leaking create stacks across a fleet of handleetw Parquet traces (PySpark).

    spark-submit scripts/fleet_leaks.py ROOT [--top 50] [--frames 6] [--all] [--out leaks_by_stack.parquet]

ROOT is a directory written with `handleetw convert trace.etl -o ROOT --partition` for many traces:
ROOT/host=NAME/date=YYYY-MM-DD/trace=START/{live_handles,stacks,modules,processes,meta}.parquet, plus symbols.parquet
where `handleetw symbolize` ran (docs/parquet-schema.md). One trace is one (host, date, trace) partition: two traces
of a host on one day stay apart.

Each trace is ranked by scripts/leaks.sql itself, run by spark.sql over that trace's tables: the same rule, verdicts
and ranking as `handleetw leaks` (growing groups only, unless --all). Stack ids and addresses are per trace (ASLR
moves modules, builds move offsets), so stacks are compared across traces by a signature of their innermost user
frames (the code that asked for the handle; kernel frames only when a stack has no user frame), each frame named
`module!function` from the trace's symbols table when it has one, else `module+0xOFFSET` from its modules table.
Signatures are then ranked by how many hosts leak from them, the total outstanding handles and the median growth.
"""

import argparse
import pathlib

from pyspark.sql import SparkSession, Window
from pyspark.sql import functions as F
try:
    from pyspark.errors import AnalysisException  # Spark 3.4 and later
except ImportError:
    from pyspark.sql.utils import AnalysisException

TRACE = ["host", "date", "trace"]
LEAKS_SQL = pathlib.Path(__file__).resolve().parent / "leaks.sql"
# Kernel addresses: the top bit of the pointer (frames are uint64, which Spark reads as decimal(20,0)).
KERNEL_64 = "CAST('9223372036854775808' AS DECIMAL(20,0))"
KERNEL_32 = "CAST('2147483648' AS DECIMAL(20,0))"


def read(spark, root, table):
    return spark.read.option("basePath", root).parquet(f"{root}/host=*/date=*/trace=*/{table}.parquet")


def read_optional(spark, root, table):
    try:
        return read(spark, root, table)
    except AnalysisException:  # no trace of the fleet has the table
        return None


def per_trace_leaks(spark, root, traces, include_flat):
    """scripts/leaks.sql run by spark.sql on each trace's own tables, tagged with the trace's host, date and start."""
    sql = LEAKS_SQL.read_text()
    ranked = None
    for host, date, trace in traces:
        folder = f"{root}/host={host}/date={date}/trace={trace}"
        for table in ["live_handles", "processes", "stacks"]:
            spark.read.parquet(f"{folder}/{table}.parquet").createOrReplaceTempView(table)
        # spark.sql analyses the query now, against the views as bound for this trace.
        # host, date and trace as typed as the partition columns they are joined with later.
        one = spark.sql(sql).withColumn("host", F.lit(host)).withColumn("date", F.lit(date)).withColumn("trace", F.lit(trace))
        ranked = one if ranked is None else ranked.unionByName(one)
    if ranked is None:
        raise SystemExit(f"no traces under {root} (expected host=*/date=*/trace=*/meta.parquet)")
    return ranked if include_flat else ranked.where(F.col("growing"))


def stack_signatures(stacks, modules, symbols, meta, leaks, max_frames):
    """The innermost user frames of each leaking stack (kernel frames when it has none), named by symbol."""
    used = leaks.select(*TRACE, "pid", "stack_id").where(F.col("stack_id").isNotNull()).distinct()
    kernel_from = F.when(F.col("pointer_size") == 4, F.expr(KERNEL_32)).otherwise(F.expr(KERNEL_64))
    frames = (stacks.join(used, TRACE + ["stack_id"])
              .join(meta.select(*TRACE, "pointer_size"), TRACE, "left")
              .select(*TRACE, "pid", "stack_id", F.posexplode("frames").alias("frame_index", "address"), kernel_from.alias("kernel_from"))
              .withColumn("user", F.col("address") < F.col("kernel_from")))
    has_user = frames.groupBy(*TRACE, "pid", "stack_id").agg(F.max(F.col("user").cast("int")).alias("has_user"))
    kept = (frames.join(has_user, TRACE + ["pid", "stack_id"])
            .where(F.col("user") | (F.col("has_user") == 0)))
    # Position among the kept frames, innermost first.
    order = F.row_number().over(Window.partitionBy(*TRACE, "pid", "stack_id").orderBy("frame_index"))
    kept = kept.withColumn("position", order).where(F.col("position") <= max_frames)

    mods = modules.select(*TRACE, F.col("pid").alias("module_pid"), "base", "size",
                          F.lower(F.regexp_extract("path", r"([^\\/]+)$", 1)).alias("module"))
    located = kept.join(
        mods,
        on=[kept.host == mods.host, kept.date == mods.date, kept.trace == mods.trace,
            (mods.module_pid == kept.pid) | mods.module_pid.isin(0, 4),
            kept.address >= mods.base, kept.address < mods.base + mods.size],
        how="left").select(kept["*"], "module", (F.col("address") - F.col("base")).cast("long").alias("module_offset"))
    text = F.when(F.col("module").isNotNull(),
                  F.concat(F.col("module"), F.lit("+0x"), F.lower(F.hex("module_offset")))
                  ).otherwise(F.concat(F.lit("?"), F.col("address").cast("string")))
    if symbols is not None:
        named = symbols.where(F.col("function").isNotNull()).select(
            *TRACE, "stack_id", "frame_index",
            F.concat(F.lower(F.regexp_replace("module", r"\.[^.]*$", "")), F.lit("!"), F.col("function")).alias("symbol"))
        located = located.join(named, TRACE + ["stack_id", "frame_index"], "left")
        text = F.coalesce(F.col("symbol"), text)
    one_per_frame = (located.select(*TRACE, "pid", "stack_id", "position", text.alias("text"))
                     .groupBy(*TRACE, "pid", "stack_id", "position").agg(F.min("text").alias("text")))
    return (one_per_frame
            .groupBy(*TRACE, "pid", "stack_id")
            .agg(F.array_sort(F.collect_list(F.struct("position", "text"))).alias("ordered"))
            .select(*TRACE, "pid", "stack_id", F.concat_ws(" < ", F.col("ordered.text")).alias("signature")))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root")
    parser.add_argument("--top", type=int, default=50)
    parser.add_argument("--frames", type=int, default=6, help="innermost user frames in the signature")
    parser.add_argument("--all", action="store_true", help="also rank groups leaks.sql calls flat")
    parser.add_argument("--out", help="also write the ranking as Parquet here")
    args = parser.parse_args()

    spark = SparkSession.builder.appName("handleetw fleet leaks").getOrCreate()
    meta = read(spark, args.root, "meta")
    traces = [(r.host, r.date, r.trace) for r in meta.select(*TRACE).distinct().orderBy(*TRACE).collect()]
    leaks = per_trace_leaks(spark, args.root, traces, args.all)
    signatures = stack_signatures(read(spark, args.root, "stacks"), read(spark, args.root, "modules"),
                                  read_optional(spark, args.root, "symbols"), meta, leaks, args.frames)
    images = read(spark, args.root, "processes").groupBy(*TRACE, "pid").agg(F.first("image", ignorenulls=True).alias("image"))

    ranked = (leaks
              .join(signatures, TRACE + ["pid", "stack_id"], "left")
              .join(images, TRACE + ["pid"], "left")
              .withColumn("signature", F.coalesce("signature", F.lit("(no stack)")))
              .groupBy("image", "type_name", "signature")
              .agg(F.countDistinct("host").alias("hosts"),
                   F.countDistinct(*TRACE).alias("traces"),
                   F.sum(F.col("growing").cast("int")).alias("growing_in_traces"),
                   F.sum("outstanding").alias("outstanding"),
                   F.expr("percentile_approx(per_minute, 0.5)").alias("median_per_minute"),
                   F.max("outstanding").alias("worst_trace_outstanding"))
              .orderBy(F.desc("hosts"), F.desc("growing_in_traces"), F.desc("outstanding"), F.desc_nulls_last("median_per_minute")))

    ranked.show(args.top, truncate=120)
    if args.out:
        ranked.write.mode("overwrite").parquet(args.out)
    spark.stop()


if __name__ == "__main__":
    main()
