package userpipe.peer;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * bench/cql/bench_cql.c's measurement through the Apache Cassandra Java driver:
 * {@code BenchCql CONTACT KEYSPACE TABLE ROWS IN_FLIGHT [--compression] [--samples FILE] [--seed S] [--dc DC]}.
 * The same rows (bench_cql's bind_row), the same prepared INSERT ... USING TIMESTAMP ?, idempotent,
 * LOCAL_QUORUM; IN_FLIGHT requests out at all times (each completion submits the next, on the
 * driver's I/O thread, as the driver's async examples chain CompletionStages). Latency per request,
 * submit -> completion; CPU = the JVM process's CPU time over the insert window (JIT and GC threads
 * included). One JSON line on stdout with bench_cql's keys.
 */
public final class BenchCql {
  static final String[] FIRST = {"Jennifer", "Mehmet", "Aino", "Lucas", "Sofia", "Noah"};
  static final String[] LAST = {"Lambert", "Yilmaz", "Korhonen", "Moreau", "Rossi", "Berg"};
  static final String[] NAT = {"US", "TR", "FI", "FR", "IT", "NO"};

  final CqlSession session;
  final PreparedStatement insert;
  final long rows, seed;
  final int[] latUs;
  final AtomicLong next = new AtomicLong(), failed = new AtomicLong();
  final CountDownLatch done;

  BenchCql(CqlSession s, PreparedStatement p, long rows, long seed) {
    session = s;
    insert = p;
    this.rows = rows;
    this.seed = seed;
    latUs = new int[(int) rows];
    done = new CountDownLatch((int) rows);
  }

  static UUID id(long seed, long i) {
    ByteBuffer b = ByteBuffer.allocate(16);
    b.putLong(seed * 0x9E3779B97F4A7C15L + i).putLong(i * 0xBF58476D1CE4E5B9L);
    byte[] x = b.array();
    x[6] = (byte) ((x[6] & 0x0F) | 0x40);
    x[8] = (byte) ((x[8] & 0x3F) | 0x80);
    ByteBuffer r = ByteBuffer.wrap(x);
    return new UUID(r.getLong(), r.getLong());
  }

  void submit() {
    long i = next.getAndIncrement();
    if (i >= rows) return;
    int f = (int) (i % 6), l = (int) (i / 6 % 6);
    var st = insert.bind(id(seed, i), FIRST[f], LAST[l], i % 2 == 1 ? "female" : "male",
        (1000 + i % 9000) + " Main Street, Springfield, Illinois, United States",
        String.format(Locale.ROOT, "%05d", i % 100000),
        FIRST[f] + "." + LAST[l] + i + "@example.com", "bluebird" + i,
        Instant.ofEpochMilli(315532800000L + i * 86400000L % 946684800000L),
        Instant.ofEpochMilli(1262304000000L + i * 3600000L % 441504000000L),
        String.format(Locale.ROOT, "(555) %03d-%04d", i / 10000 % 1000, i % 10000),
        "https://randomuser.me/api/portraits/med/" + (i % 2 == 1 ? "women" : "men") + "/" + (i % 100) + ".jpg",
        NAT[f], Instant.ofEpochMilli(1735689600000L + i), (1735689600000L + i) * 1000);
    long t0 = System.nanoTime();
    session.executeAsync(st).whenComplete((rs, err) -> {
      latUs[(int) i] = (int) Math.min(Integer.MAX_VALUE, (System.nanoTime() - t0) / 1000);
      if (err != null && failed.incrementAndGet() <= 5) System.err.println("bench-java: insert failed: " + err);
      done.countDown();
      submit();
    });
  }

  static double cpuSeconds() {
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    return os.getProcessCpuTime() / 1e9;
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 5) {
      System.err.println("usage: BenchCql CONTACT KEYSPACE TABLE ROWS IN_FLIGHT [--compression] [--samples FILE] [--seed S] [--dc DC]");
      System.exit(2);
    }
    long rows = Long.parseLong(args[3]);
    int depth = Integer.parseInt(args[4]);
    boolean compression = false;
    String samples = null, dc = "datacenter1";
    long seed = 1;
    for (int i = 5; i < args.length; i++) {
      switch (args[i]) {
        case "--compression" -> compression = true;
        case "--samples" -> samples = args[++i];
        case "--seed" -> seed = Long.parseLong(args[++i]);
        case "--dc" -> dc = args[++i];
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    String contact = args[0].contains(":") ? args[0] : args[0] + ":9042";
    try (CqlSession s = Stream.connect(contact, dc, compression, args[1])) {
      PreparedStatement p = s.prepare("INSERT INTO " + args[1] + "." + args[2] + " (" + String.join(", ", Stream.FIELDS)
          + ", ingested_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) USING TIMESTAMP ?");
      BenchCql b = new BenchCql(s, p, rows, seed);
      double cpu0 = cpuSeconds();
      long t0 = System.nanoTime();
      for (int i = 0; i < depth; i++) b.submit();
      b.done.await();
      double seconds = (System.nanoTime() - t0) / 1e9, cpu = cpuSeconds() - cpu0;
      if (samples != null) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < rows; i += 10) sb.append(String.format(Locale.ROOT, "%.3f%n", b.latUs[i] / 1000.0));
        Files.writeString(Path.of(samples), sb);
      }
      int[] sorted = b.latUs.clone();
      Arrays.sort(sorted);
      java.util.function.DoubleUnaryOperator pct = q -> sorted[(int) (q * (sorted.length - 1) + 0.5)] / 1000.0;
      System.out.printf(Locale.ROOT,
          "{\"rows\": %d, \"failed\": %d, \"in_flight\": %d, \"seconds\": %.3f, \"rows_per_s\": %.1f, "
              + "\"latency_p50_ms\": %.3f, \"latency_p99_ms\": %.3f, \"latency_p999_ms\": %.3f, \"cpu_s\": %.3f, "
              + "\"cpu_s_per_100k\": %.3f, \"driver\": \"java-driver-core 4.19.2\"}%n",
          rows - b.failed.get(), b.failed.get(), depth, seconds, rows / seconds, pct.applyAsDouble(0.5),
          pct.applyAsDouble(0.99), pct.applyAsDouble(0.999), cpu, cpu * 100000 / rows);
      System.exit(b.failed.get() == 0 ? 0 : 1);
    }
  }
}
