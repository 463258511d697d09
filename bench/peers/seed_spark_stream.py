#!/usr/bin/env python3
"""The seed's Spark Structured Streaming job, rewritten to do its job on userpipe's record format.

What the seed's spark_stream.py does (shared/docs/seed-stack.md §2.3, §3.2), and what we keep:
  - create the keyspace and table through the Python cassandra-driver before streaming;
  - a SparkSession in local mode (the seed sets no master, so `python spark_stream.py` runs local[*]);
  - readStream from Kafka, subscribe to one topic, startingOffsets=earliest;
  - CAST(value AS STRING) -> from_json with a schema -> select the fields;
  - writeStream in format org.apache.spark.sql.cassandra (spark-cassandra-connector), append mode,
    default trigger (the next micro-batch starts as soon as the previous one ends), no rate limits.
What we fix, so the peer is at least as safe as `userpipe stream` and actually stores rows:
  - the schema covers all 13 fields of the record (the seed forgot dob), with typed dates;
  - the table is userpipe's (docs/design.md "The table"), ingested_at from the Kafka record timestamp;
  - a checkpointLocation outside /tmp's defaults, given by the caller (offsets survive restarts);
  - the Kafka and Cassandra packages match the pyspark build's Scala version (2.12), passed as
    spark.jars (no Ivy download at start-up);
  - SIGINT/SIGTERM stop the query between micro-batches, then the session, and exit 0.
The Spark UI is off (port clashes on a shared machine); that makes the peer lighter, not heavier.

--tuned is Spark at its best rather than as the seed wrote it (issue #20; docs/bench.md says why each):
  - spark.cassandra.output.concurrent.writes 256 per task (the connector's default is 5): with one task
    per core that is 512 writes in flight, userpipe stream's own --in-flight bound;
  - Kafka fetches of up to 8 MiB per partition (default 1 MiB), so a task is not fed in small pieces;
  - the Kryo serializer;
  - the default trigger kept on purpose: a processingTime interval only adds waiting, and an unbounded
    maxOffsetsPerTrigger drains a backlog in the fewest micro-batches (each costs two checkpoint writes).
--concurrent-writes, --max-offsets-per-trigger and --trigger-interval set these one by one.

Diagnostics go to stderr; one JSON line per finished micro-batch too ({"batch": N, "rows": ...}).
"""
import argparse
import json
import os
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))

# The record on the topic (docs/design.md): every field a JSON string; dates ISO 8601 UTC with ms.
RECORD_FIELDS = ["id", "first_name", "last_name", "gender", "address", "post_code", "email",
                 "username", "dob", "registered_date", "phone", "picture", "nat"]
DATE_FIELDS = {"dob", "registered_date"}


def table_ddl(keyspace, table, replication_factor):
    """userpipe's keyspace and table (docs/design.md "The table"), so both subjects write the same shape."""
    columns = ", ".join(
        f"{f} {'uuid PRIMARY KEY' if f == 'id' else 'timestamp' if f in DATE_FIELDS else 'text'}"
        for f in RECORD_FIELDS)
    return [
        f"CREATE KEYSPACE IF NOT EXISTS {keyspace} WITH replication = "
        f"{{'class': 'SimpleStrategy', 'replication_factor': {replication_factor}}}",
        f"CREATE TABLE IF NOT EXISTS {keyspace}.{table} ({columns}, ingested_at timestamp)",
    ]


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--brokers", default=os.environ.get("USERPIPE_BROKERS", "127.0.0.1:9092"))
    p.add_argument("--topic", default="users_queue")
    p.add_argument("--cassandra", default=os.environ.get("USERPIPE_CASSANDRA", "127.0.0.1:9042"),
                   help="host:port of one Cassandra node")
    p.add_argument("--cassandra-user", default=os.environ.get("USERPIPE_CASSANDRA_USER", "cassandra"))
    p.add_argument("--cassandra-password-file",
                   default=os.environ.get("USERPIPE_CASSANDRA_PASSWORD_FILE"),
                   help="file holding the password (default: the password is 'cassandra')")
    p.add_argument("--keyspace", default="profiles")
    p.add_argument("--table", default="users")
    p.add_argument("--replication-factor", type=int, default=1)
    p.add_argument("--checkpoint", required=True,
                   help="checkpointLocation directory (Kafka offsets + commit log of micro-batches)")
    p.add_argument("--master", default="local[*]")
    p.add_argument("--starting-offsets", default="earliest")
    p.add_argument("--tuned", action="store_true",
                   help="Spark at its best: the connector's concurrent writes, fetch sizes, Kryo")
    p.add_argument("--concurrent-writes", type=int,
                   help="spark.cassandra.output.concurrent.writes per task (--tuned: 256)")
    p.add_argument("--max-offsets-per-trigger", type=int,
                   help="records per micro-batch at most (default: no bound)")
    p.add_argument("--trigger-interval",
                   help="processingTime trigger, e.g. '500 milliseconds' (default: as soon as possible)")
    p.add_argument("--jars", default=os.environ.get("SPARK_PEER_JARS"),
                   help="comma-separated jars for spark.jars (default: bench/peers/spark/jars)")
    args = p.parse_args(argv)
    if args.tuned and args.concurrent_writes is None:
        args.concurrent_writes = 256
    return args


def read_password(path):
    if not path:
        return "cassandra"
    with open(path, encoding="utf-8") as f:
        return f.read().strip()


def create_table(args, password):
    """The seed issues its DDL through the Python cassandra-driver before it starts streaming."""
    from cassandra.auth import PlainTextAuthProvider
    from cassandra.cluster import Cluster

    host, _, port = args.cassandra.rpartition(":")
    cluster = Cluster([host], port=int(port),
                      auth_provider=PlainTextAuthProvider(args.cassandra_user, password))
    try:
        session = cluster.connect()
        for stmt in table_ddl(args.keyspace, args.table, args.replication_factor):
            session.execute(stmt, timeout=30)
    finally:
        cluster.shutdown()


def spark_session(args, password):
    from pyspark.sql import SparkSession

    jars = args.jars or subprocess.run([os.path.join(HERE, "spark", "jars")], check=True,
                                       capture_output=True, text=True).stdout.strip()
    host, _, port = args.cassandra.rpartition(":")
    builder = (SparkSession.builder.appName("SparkDataStreaming")
             .master(args.master)
             .config("spark.jars", jars)
             .config("spark.ui.enabled", "false")
             .config("spark.ui.showConsoleProgress", "false")
             .config("spark.driver.host", "127.0.0.1")
             .config("spark.driver.bindAddress", "127.0.0.1")
             .config("spark.sql.session.timeZone", "UTC")
             .config("spark.cassandra.connection.host", host)
             .config("spark.cassandra.connection.port", port)
             .config("spark.cassandra.auth.username", args.cassandra_user)
             .config("spark.cassandra.auth.password", password))
    if args.concurrent_writes:
        builder = builder.config("spark.cassandra.output.concurrent.writes", str(args.concurrent_writes))
    if args.tuned:
        builder = builder.config("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    return spark


def record_schema():
    from pyspark.sql.types import StringType, StructField, StructType, TimestampType

    return StructType([
        StructField(f, TimestampType() if f in DATE_FIELDS else StringType(), True)
        for f in RECORD_FIELDS
    ])


def start_query(spark, args):
    from pyspark.sql.functions import col, from_json

    reader = (spark.readStream.format("kafka")
              .option("kafka.bootstrap.servers", args.brokers)
              .option("subscribe", args.topic)
              .option("startingOffsets", args.starting_offsets))
    if args.tuned:
        reader = reader.option("kafka.max.partition.fetch.bytes", str(8 << 20))
    if args.max_offsets_per_trigger:
        reader = reader.option("maxOffsetsPerTrigger", str(args.max_offsets_per_trigger))
    source = reader.load()
    rows = (source.select(from_json(col("value").cast("string"), record_schema()).alias("data"),
                          col("timestamp").alias("ingested_at"))
            .select("data.*", "ingested_at"))
    writer = (rows.writeStream.format("org.apache.spark.sql.cassandra")
              .option("checkpointLocation", args.checkpoint)
              .option("keyspace", args.keyspace)
              .option("table", args.table)
              .outputMode("append"))
    if args.trigger_interval:
        writer = writer.trigger(processingTime=args.trigger_interval)
    return writer.start()


def report_progress(query, last_batch):
    """Prints finished micro-batches after last_batch as JSON lines; returns the newest batch id."""
    for p in query.recentProgress:
        if p["batchId"] > last_batch:
            last_batch = p["batchId"]
            print(json.dumps({"batch": p["batchId"], "rows": p["numInputRows"],
                              "started": p["timestamp"],
                              "duration_ms": p["durationMs"].get("triggerExecution")}),
                  file=sys.stderr, flush=True)
    return last_batch


def main(argv):
    args = parse_args(argv)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # loopback only, as the rest of the stack
    password = read_password(args.cassandra_password_file)
    stop = {"requested": False}

    def on_signal(signum, _frame):
        stop["requested"] = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    create_table(args, password)
    spark = spark_session(args, password)
    query = start_query(spark, args)
    print(f"seed_spark_stream: streaming {args.topic} -> {args.keyspace}.{args.table}",
          file=sys.stderr, flush=True)
    last_batch = -1
    try:
        while not stop["requested"] and query.isActive:
            query.awaitTermination(0.5)
            last_batch = report_progress(query, last_batch)
    finally:
        failure = query.exception()
        if query.isActive:
            query.stop()
        report_progress(query, last_batch)
        spark.stop()
    if failure is not None and not stop["requested"]:
        print(f"seed_spark_stream: query failed: {failure}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    t0 = time.monotonic()
    rc = main(sys.argv[1:])
    print(f"seed_spark_stream: exit {rc} after {time.monotonic() - t0:.1f} s", file=sys.stderr)
    sys.exit(rc)
