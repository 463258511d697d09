package userpipe.peer;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.CqlSessionBuilder;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The JVM team's {@code userpipe stream}: Kafka topic -> validate -> async prepared INSERT ... USING
 * TIMESTAMP -> Cassandra, offsets committed only past stored records. Written for userpipe's bench
 * from the kafka-clients and Java driver documentation (docs/bench.md, "The Java pipeline").
 *
 * <p>Semantics as {@code userpipe stream}: a consumer group with enable.auto.commit=false; every
 * second (commitAsync) and at exit (commitSync) each partition's offset one past its finished prefix;
 * one prepared INSERT bound per record with ingested_at and USING TIMESTAMP from the record's own
 * timestamp, idempotent, LOCAL_QUORUM; at most --in-flight records taken and not finished (a
 * Semaphore: the poll thread blocks while the window is full); a failed write is retried with
 * backoff (100 ms to 5 s), never skipped; invalid records are counted and passed (no DLQ).
 * --exit-when-idle D stops once nothing was taken for D and nothing is in flight, and prints one
 * JSON summary line with userpipe's keys.
 */
public final class Stream {
  static final String[] FIELDS = {
    "id", "first_name", "last_name", "gender", "address", "post_code", "email", "username", "dob",
    "registered_date", "phone", "picture", "nat"
  };

  /** Per partition: offsets taken and not finished; committable = one past the finished prefix. */
  static final class Part {
    private final TreeSet<Long> inFlight = new TreeSet<>();
    private long next = -1;
    long committed = -1;

    synchronized void take(long offset, boolean write) {
      next = offset + 1;
      if (write) inFlight.add(offset);
    }

    synchronized void done(long offset) {
      inFlight.remove(offset);
    }

    synchronized long committable() {
      return inFlight.isEmpty() ? next : inFlight.first();
    }
  }

  static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  static UUID canonicalUuid(String s) {
    if (s.length() != 36 || s.charAt(8) != '-' || s.charAt(13) != '-' || s.charAt(18) != '-' || s.charAt(23) != '-') return null;
    for (int i = 0; i < 36; i++) {
      char c = s.charAt(i);
      if (!(c == '-' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return null;
    }
    return UUID.fromString(s);
  }

  /** The bound INSERT for a record, or null when the record is invalid. */
  static BoundStatement bind(PreparedStatement insert, byte[] key, byte[] value, long tsMs, int maxBytes) {
    if (value == null || value.length == 0 || value.length > maxBytes) return null;
    try {
      JsonNode n = JSON.readTree(value);
      if (n == null || !n.isObject()) return null;
      String[] f = new String[FIELDS.length];
      for (int i = 0; i < FIELDS.length; i++) {
        JsonNode v = n.get(FIELDS[i]);
        if (v == null || !v.isTextual()) return null;
        f[i] = v.textValue();
      }
      UUID id = canonicalUuid(f[0]);
      if (id == null || key == null || !f[0].equals(new String(key, StandardCharsets.UTF_8))) return null;
      Instant dob = OffsetDateTime.parse(f[8]).toInstant();
      Instant registered = OffsetDateTime.parse(f[9]).toInstant();
      return insert.bind(id, f[1], f[2], f[3], f[4], f[5], f[6], f[7], dob, registered, f[10], f[11], f[12],
          Instant.ofEpochMilli(tsMs), tsMs * 1000);
    } catch (Exception e) { // malformed JSON, bad date
      return null;
    }
  }

  static Duration duration(String s) {
    if (s.endsWith("ms")) return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
    if (s.endsWith("s")) s = s.substring(0, s.length() - 1);
    return Duration.ofMillis((long) (Double.parseDouble(s) * 1000));
  }

  static CqlSession connect(String contacts, String dc, boolean compression, String keyspace) throws Exception {
    String user = System.getenv().getOrDefault("USERPIPE_CASSANDRA_USER", "cassandra");
    String pwFile = System.getenv("USERPIPE_CASSANDRA_PASSWORD_FILE");
    String password = pwFile == null ? user : Files.readString(Path.of(pwFile)).strip();
    var config = DriverConfigLoader.programmaticBuilder()
        .withString(DefaultDriverOption.REQUEST_CONSISTENCY, "LOCAL_QUORUM")
        .withBoolean(DefaultDriverOption.REQUEST_DEFAULT_IDEMPOTENCE, true)
        .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(10))
        .withDuration(DefaultDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, Duration.ofSeconds(10))
        .withDuration(DefaultDriverOption.METADATA_SCHEMA_REQUEST_TIMEOUT, Duration.ofSeconds(30))
        .withDuration(DefaultDriverOption.CONTROL_CONNECTION_AGREEMENT_TIMEOUT, Duration.ofSeconds(30))
        .withString(DefaultDriverOption.PROTOCOL_COMPRESSION, compression ? "lz4" : "none");
    CqlSessionBuilder b = CqlSession.builder().withConfigLoader(config.build()).withLocalDatacenter(dc)
        .withAuthCredentials(user, password);
    for (String hp : contacts.split(",")) {
      int c = hp.lastIndexOf(':');
      b.addContactPoint(new InetSocketAddress(hp.substring(0, c), Integer.parseInt(hp.substring(c + 1))));
    }
    return b.build();
  }

  static String insertCql(String ks, String table) {
    return "INSERT INTO \"" + ks + "\".\"" + table + "\" (" + String.join(", ", FIELDS)
        + ", ingested_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) USING TIMESTAMP ?";
  }

  public static void main(String[] args) throws Exception {
    String brokers = "127.0.0.1:9092", topic = "users_queue", group = "peer-java-stream";
    String cassandra = "127.0.0.1:9042", dc = "datacenter1", ks = "profiles", table = "users";
    int window = 512, maxBytes = 1 << 20;
    Duration idle = null;
    boolean createSchema = true, compression = false;
    Map<String, String> extra = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--brokers" -> brokers = args[++i];
        case "--topic" -> topic = args[++i];
        case "--group" -> group = args[++i];
        case "--cassandra" -> cassandra = args[++i];
        case "--dc" -> dc = args[++i];
        case "--keyspace" -> ks = args[++i];
        case "--table" -> table = args[++i];
        case "--in-flight" -> window = Integer.parseInt(args[++i]);
        case "--exit-when-idle" -> idle = duration(args[++i]);
        case "--no-create-schema" -> createSchema = false;
        case "--compression" -> compression = true;
        case "--max-record-bytes" -> maxBytes = Integer.parseInt(args[++i]);
        case "-X" -> {
          String[] kv = args[++i].split("=", 2);
          extra.put(kv[0], kv[1]);
        }
        default -> {
          System.err.println("usage: Stream [--brokers H:P] [--topic T] [--group G] [--cassandra H:P[,..]] [--dc DC]"
              + " [--keyspace K] [--table T] [--in-flight N] [--exit-when-idle 2s] [--no-create-schema]"
              + " [--compression] [-X key=value]...   (unknown: " + a + ")");
          System.exit(2);
        }
      }
    }
    long tStart = System.nanoTime();
    CqlSession session = connect(cassandra, dc, compression, ks);
    if (createSchema) {
      session.execute("CREATE KEYSPACE IF NOT EXISTS \"" + ks
          + "\" WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
      session.execute("CREATE TABLE IF NOT EXISTS \"" + ks + "\".\"" + table + "\" (id uuid PRIMARY KEY,"
          + " first_name text, last_name text, gender text, address text, post_code text, email text,"
          + " username text, dob timestamp, registered_date timestamp, phone text, picture text, nat text,"
          + " ingested_at timestamp)");
    }
    PreparedStatement insert = session.prepare(insertCql(ks, table));

    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "10000");
    p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "2000");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1000");
    p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "100");
    p.putAll(extra);
    KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    consumer.subscribe(List.of(topic));

    Map<Integer, Part> parts = new ConcurrentHashMap<>();
    Semaphore room = new Semaphore(window);
    ScheduledExecutorService retryTimer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "retry");
      t.setDaemon(true);
      return t;
    });
    AtomicLong stored = new AtomicLong(), retries = new AtomicLong(), lastDoneNs = new AtomicLong(System.nanoTime());
    long consumed = 0, invalid = 0, firstTakenNs = 0, lastTakenNs = System.nanoTime(), lastCommitNs = System.nanoTime();
    String status = "completed";
    Thread main = Thread.currentThread();
    java.util.concurrent.atomic.AtomicBoolean finished = new java.util.concurrent.atomic.AtomicBoolean();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      if (finished.get()) return; // our own System.exit below
      consumer.wakeup(); // SIGTERM/SIGINT: the loop stops, drains and commits
      try {
        main.join(30000);
      } catch (InterruptedException ignored) {
      }
    }));
    try {
      while (true) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
        long now = System.nanoTime();
        for (ConsumerRecord<byte[], byte[]> r : records) {
          consumed++;
          if (firstTakenNs == 0) firstTakenNs = now;
          Part part = parts.computeIfAbsent(r.partition(), k -> new Part());
          BoundStatement st = bind(insert, r.key(), r.value(), r.timestamp(), maxBytes);
          if (st == null) {
            invalid++;
            part.take(r.offset(), false);
            continue;
          }
          room.acquire();
          part.take(r.offset(), true);
          write(session, st, part, r.offset(), room, stored, retries, lastDoneNs, retryTimer, 100);
        }
        if (!records.isEmpty()) lastTakenNs = System.nanoTime();
        if (System.nanoTime() - lastCommitNs >= 1_000_000_000L) {
          commit(consumer, topic, parts, false);
          lastCommitNs = System.nanoTime();
        }
        if (idle != null && records.isEmpty() && room.availablePermits() == window
            && System.nanoTime() - Math.max(lastTakenNs, lastDoneNs.get()) >= idle.toNanos()) break;
      }
    } catch (org.apache.kafka.common.errors.WakeupException e) {
      status = "stopped";
    }
    room.acquire(window); // drain what is in flight
    commit(consumer, topic, parts, true);
    consumer.close();
    session.close();
    finished.set(true);
    double active = firstTakenNs == 0 ? 0 : (lastDoneNs.get() - firstTakenNs) / 1e9;
    if (active < 0) active = 0;
    System.out.printf(java.util.Locale.ROOT,
        "{\"status\":\"%s\",\"consumed\":%d,\"stored\":%d,\"invalid\":%d,\"write_retries\":%d,"
            + "\"seconds\":%.3f,\"active_seconds\":%.3f,\"rows_per_second\":%.0f}%n",
        status, consumed, stored.get(), invalid, retries.get(), (System.nanoTime() - tStart) / 1e9, active,
        active > 0 ? stored.get() / active : 0.0);
    System.out.flush();
    if (!"stopped".equals(status)) System.exit(0); // else the shutdown hook is waiting for this thread
  }

  static void write(CqlSession session, BoundStatement st, Part part, long offset, Semaphore room,
      AtomicLong stored, AtomicLong retries, AtomicLong lastDoneNs, ScheduledExecutorService timer, long backoffMs) {
    session.executeAsync(st).whenComplete((rs, err) -> {
      if (err == null) {
        part.done(offset);
        stored.incrementAndGet();
        lastDoneNs.set(System.nanoTime());
        room.release();
      } else {
        long n = retries.incrementAndGet();
        if (n <= 5 || n % 100 == 0) System.err.println("peer-java: write failed (" + err + "); retrying in " + backoffMs + " ms");
        timer.schedule(() -> write(session, st, part, offset, room, stored, retries, lastDoneNs, timer,
            Math.min(backoffMs * 2, 5000)), backoffMs, TimeUnit.MILLISECONDS);
      }
    });
  }

  static void commit(KafkaConsumer<byte[], byte[]> consumer, String topic, Map<Integer, Part> parts, boolean sync) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    List<Part> changed = new ArrayList<>();
    parts.forEach((p, part) -> {
      long c = part.committable();
      if (c > part.committed) {
        offsets.put(new TopicPartition(topic, p), new OffsetAndMetadata(c));
        part.committed = c;
        changed.add(part);
      }
    });
    if (offsets.isEmpty()) return;
    if (sync) {
      consumer.commitSync(offsets);
    } else {
      consumer.commitAsync(offsets, (o, e) -> {
        if (e != null) {
          System.err.println("peer-java: commit failed (" + e + "); the next commit carries the offsets again");
          changed.forEach(part -> part.committed = -1);
        }
      });
    }
  }

  private Stream() {}
}
