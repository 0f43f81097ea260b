"""Rank leaking create stacks across a fleet of handleetw Parquet traces (PySpark).

    spark-submit scripts/fleet_leaks.py ROOT [--top 50] [--frames 12] [--out leaks_by_stack.parquet]

ROOT is a directory written with `handleetw convert trace.etl -o ROOT --partition` for many traces:
ROOT/host=NAME/date=YYYY-MM-DD/{live_handles,stacks,modules,processes,meta}.parquet (docs/parquet-schema.md).

Stack ids and addresses are per trace (ASLR moves modules), so stacks are compared across hosts by a signature of
`module!+offset` for their innermost frames, resolved through each trace's own `modules` table. Each trace's leaks
are ranked as scripts/leaks.sql ranks them; then signatures are ranked by how many hosts leak from them, the total
outstanding handles and the median growth per minute.
"""

import argparse

from pyspark.sql import SparkSession, Window
from pyspark.sql import functions as F

TRACE = ["host", "date"]


def read(spark, root, table):
    return spark.read.option("basePath", root).parquet(f"{root}/host=*/date=*/{table}.parquet")


def per_trace_leaks(live_handles):
    """(host, date, pid, type, stack_id) groups still open at the end, with count and slope per minute."""
    opened = (live_handles
              .where((F.col("snapshot") == "end") & F.col("create_time_ns").isNotNull())
              .withColumn("create_min", F.col("create_time_ns") / F.lit(60e9)))
    group = TRACE + ["pid", "type", "stack_id"]
    numbered = opened.withColumn(
        "open_count", F.row_number().over(Window.partitionBy(*group).orderBy("create_time_ns")).cast("double"))
    return (numbered.groupBy(*group)
            .agg(F.first("type_name", ignorenulls=True).alias("type_name"),
                 F.count(F.lit(1)).alias("outstanding"),
                 F.when(F.var_pop("create_min") > 0,
                        F.covar_pop("create_min", "open_count") / F.var_pop("create_min")).alias("slope_per_min")))


def stack_signatures(stacks, modules, leaks, max_frames):
    """`module!+0xOFFSET` for the innermost frames of each leaking stack (unresolved frames stay as addresses)."""
    used = leaks.select(*TRACE, "pid", "stack_id").where(F.col("stack_id").isNotNull()).distinct()
    frames = (stacks.join(used, TRACE + ["stack_id"])
              .select(*TRACE, "pid", "stack_id", F.posexplode("frames").alias("frame", "address"))
              .where(F.col("frame") < max_frames))
    mods = modules.select(*TRACE, F.col("pid").alias("module_pid"), "base", "size",
                          F.regexp_extract("path", r"([^\\/]+)$", 1).alias("module"))
    located = frames.join(
        mods,
        on=[frames.host == mods.host, frames.date == mods.date,
            (mods.module_pid == frames.pid) | mods.module_pid.isin(0, 4),
            frames.address >= mods.base, frames.address < mods.base + mods.size],
        how="left")
    text = F.when(F.col("module").isNotNull(),
                  F.concat(F.lower("module"), F.lit("!+0x"), F.lower(F.hex(F.col("address") - F.col("base"))))
                  ).otherwise(F.concat(F.lit("0x"), F.lower(F.hex("address"))))
    one_per_frame = (located
                     .select(frames.host, frames.date, "pid", "stack_id", "frame", text.alias("text"))
                     .groupBy(*TRACE, "pid", "stack_id", "frame").agg(F.min("text").alias("text")))
    return (one_per_frame
            .groupBy(*TRACE, "pid", "stack_id")
            .agg(F.array_sort(F.collect_list(F.struct("frame", "text"))).alias("ordered"))
            .select(*TRACE, "pid", "stack_id", F.concat_ws(" < ", F.col("ordered.text")).alias("signature")))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root")
    parser.add_argument("--top", type=int, default=50)
    parser.add_argument("--frames", type=int, default=12, help="innermost frames in the signature")
    parser.add_argument("--out", help="also write the ranking as Parquet here")
    args = parser.parse_args()

    spark = SparkSession.builder.appName("handleetw fleet leaks").getOrCreate()
    leaks = per_trace_leaks(read(spark, args.root, "live_handles"))
    signatures = stack_signatures(read(spark, args.root, "stacks"), read(spark, args.root, "modules"), leaks, args.frames)
    images = read(spark, args.root, "processes").groupBy(*TRACE, "pid").agg(F.first("image", ignorenulls=True).alias("image"))

    ranked = (leaks
              .join(signatures, TRACE + ["pid", "stack_id"], "left")
              .join(images, TRACE + ["pid"], "left")
              .withColumn("signature", F.coalesce("signature", F.lit("(no stack)")))
              .groupBy("image", "type_name", "signature")
              .agg(F.countDistinct("host").alias("hosts"),
                   F.countDistinct(*TRACE).alias("traces"),
                   F.sum("outstanding").alias("outstanding"),
                   F.expr("percentile_approx(slope_per_min, 0.5)").alias("median_slope_per_min"),
                   F.max("outstanding").alias("worst_trace_outstanding"))
              .orderBy(F.desc("hosts"), F.desc("outstanding"), F.desc_nulls_last("median_slope_per_min")))

    ranked.show(args.top, truncate=120)
    if args.out:
        ranked.write.mode("overwrite").parquet(args.out)
    spark.stop()


if __name__ == "__main__":
    main()
