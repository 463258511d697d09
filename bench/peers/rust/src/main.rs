//! peer-stream: the Rust team's `userpipe stream`. Kafka topic -> validate -> async prepared
//! INSERT ... USING TIMESTAMP -> Cassandra, with offsets committed only past stored records.
//!
//! Written for userpipe's bench from the rdkafka and scylla crates' documentation (docs/bench.md,
//! "The Rust pipeline"). Same semantics as `userpipe stream`:
//! - a consumer group; `enable.auto.commit=false`: this program commits, every second and at exit,
//!   per partition the offset one past the longest prefix of records that are finished (stored, or
//!   invalid and counted), so a commit never passes a record that is not in the table;
//! - one prepared INSERT of the 13 record fields plus `ingested_at`, `USING TIMESTAMP ?`, both
//!   from the Kafka record's own timestamp, idempotent, LOCAL_QUORUM by default, token-aware;
//! - at most `--in-flight` records taken and not finished (the window): a full window stops
//!   taking records (librdkafka keeps prefetching up to its queue limits);
//! - a failed write is retried with exponential backoff (100 ms to 5 s) and never skipped;
//! - invalid records (not the JSON record, a key that is not the id, a bad UUID or date) are
//!   counted and passed, not dead-lettered (userpipe sends them to a DLQ topic);
//! - `--exit-when-idle D` stops once nothing was taken for D and nothing is in flight, commits
//!   synchronously and prints one JSON summary line on stdout (the same keys as userpipe's).
//!
//! Counters are plain integers of the one task that runs the loop: nothing is atomic; the monotonic
//! clock is read once per record taken and per write finished (idle exit, active window), the wall
//! clock only when `--e2e-latency` asks for the end-to-end histogram.
use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};
use std::process::ExitCode;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use futures::stream::{FuturesUnordered, StreamExt};
use rdkafka::consumer::{CommitMode, Consumer, StreamConsumer};
use rdkafka::message::Message;
use rdkafka::{ClientConfig, Offset, TopicPartitionList};
use scylla::client::session::Session;
use scylla::client::session_builder::SessionBuilder;
use scylla::frame::Compression;
use scylla::statement::Consistency;
use scylla::value::CqlTimestamp;
use serde::Deserialize;
use uuid::Uuid;

/// The record on the topic (src/core/record.h): 13 string fields; unknown fields are ignored,
/// missing, duplicated or non-string ones make the record invalid.
#[derive(Deserialize)]
struct Record<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(borrow)]
    first_name: Cow<'a, str>,
    #[serde(borrow)]
    last_name: Cow<'a, str>,
    #[serde(borrow)]
    gender: Cow<'a, str>,
    #[serde(borrow)]
    address: Cow<'a, str>,
    #[serde(borrow)]
    post_code: Cow<'a, str>,
    #[serde(borrow)]
    email: Cow<'a, str>,
    #[serde(borrow)]
    username: Cow<'a, str>,
    #[serde(borrow)]
    dob: Cow<'a, str>,
    #[serde(borrow)]
    registered_date: Cow<'a, str>,
    #[serde(borrow)]
    phone: Cow<'a, str>,
    #[serde(borrow)]
    picture: Cow<'a, str>,
    #[serde(borrow)]
    nat: Cow<'a, str>,
}

/// The bound values, in the INSERT's order: 13 fields, ingested_at, the write timestamp (µs).
type Row = (
    Uuid,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    CqlTimestamp,
    CqlTimestamp,
    String,
    String,
    String,
    CqlTimestamp,
    i64,
);

/// A canonical lowercase 8-4-4-4-12 UUID, as userpipe accepts (Uuid::parse_str alone also takes
/// uppercase, braces, URNs and the simple form).
fn canonical_uuid(s: &str) -> Option<Uuid> {
    let b = s.as_bytes();
    if b.len() != 36 || b.iter().any(|c| c.is_ascii_uppercase()) {
        return None;
    }
    if b[8] != b'-' || b[13] != b'-' || b[18] != b'-' || b[23] != b'-' {
        return None;
    }
    Uuid::try_parse(s).ok()
}

fn iso8601_ms(s: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(s).ok().map(|t| t.timestamp_millis())
}

/// Key + value -> the row to write, or None for an invalid record.
fn validate(key: Option<&[u8]>, value: Option<&[u8]>, timestamp_ms: i64, max_bytes: usize) -> Option<Row> {
    let value = value.filter(|v| !v.is_empty() && v.len() <= max_bytes)?;
    let r: Record = serde_json::from_slice(value).ok()?;
    let id = canonical_uuid(&r.id)?;
    if key != Some(r.id.as_bytes()) {
        return None;
    }
    let dob = iso8601_ms(&r.dob)?;
    let registered = iso8601_ms(&r.registered_date)?;
    Some((
        id,
        r.first_name.into_owned(),
        r.last_name.into_owned(),
        r.gender.into_owned(),
        r.address.into_owned(),
        r.post_code.into_owned(),
        r.email.into_owned(),
        r.username.into_owned(),
        CqlTimestamp(dob),
        CqlTimestamp(registered),
        r.phone.into_owned(),
        r.picture.into_owned(),
        r.nat.into_owned(),
        CqlTimestamp(timestamp_ms),
        timestamp_ms * 1000,
    ))
}

/// Per partition: records enter in offset order and finish in any order; the committable offset
/// is one past the finished prefix.
#[derive(Default)]
struct Partition {
    next: i64,
    in_flight: BTreeSet<i64>,
    committed: i64,
}

impl Partition {
    fn committable(&self) -> i64 {
        self.in_flight.first().copied().unwrap_or(self.next)
    }
}

struct Opts {
    brokers: String,
    topic: String,
    group: String,
    cassandra: Vec<String>,
    user: Option<String>,
    password_file: Option<String>,
    keyspace: String,
    table: String,
    in_flight: usize,
    exit_when_idle: Option<Duration>,
    consistency: Consistency,
    create_schema: bool,
    compression: bool,
    max_record_bytes: usize,
    e2e_latency: bool,
    kafka: Vec<(String, String)>,
}

const USAGE: &str = "usage: peer-stream [--brokers H:P] [--topic T] [--group G] [--cassandra H:P[,H:P]]
       [--cassandra-user U --cassandra-password-file F] [--keyspace K] [--table T]
       [--in-flight N] [--exit-when-idle 2s] [--consistency one|local_quorum|quorum]
       [--no-create-schema] [--compression] [--max-record-bytes N] [--e2e-latency] [-X key=value]...";

fn duration(s: &str) -> Result<Duration, String> {
    let (num, unit) = match s.find(|c: char| !(c.is_ascii_digit() || c == '.')) {
        Some(i) => s.split_at(i),
        None => (s, "s"),
    };
    let v: f64 = num.parse().map_err(|_| format!("bad duration '{s}'"))?;
    let secs = match unit {
        "ms" => v / 1000.0,
        "s" => v,
        "m" => v * 60.0,
        _ => return Err(format!("bad duration unit in '{s}' (ms, s, m)")),
    };
    Ok(Duration::from_secs_f64(secs))
}

fn parse_args() -> Result<Opts, String> {
    let mut o = Opts {
        brokers: "127.0.0.1:9092".into(),
        topic: "users_queue".into(),
        group: "peer-rust-stream".into(),
        cassandra: vec!["127.0.0.1:9042".into()],
        user: None,
        password_file: None,
        keyspace: "profiles".into(),
        table: "users".into(),
        in_flight: 512,
        exit_when_idle: None,
        consistency: Consistency::LocalQuorum,
        create_schema: true,
        compression: false,
        max_record_bytes: 1 << 20,
        e2e_latency: false,
        kafka: Vec::new(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || args.next().ok_or_else(|| format!("{a} needs a value"));
        match a.as_str() {
            "--brokers" => o.brokers = val()?,
            "--topic" => o.topic = val()?,
            "--group" => o.group = val()?,
            "--cassandra" => o.cassandra = val()?.split(',').map(str::to_owned).collect(),
            "--cassandra-user" => o.user = Some(val()?),
            "--cassandra-password-file" => o.password_file = Some(val()?),
            "--keyspace" => o.keyspace = val()?,
            "--table" => o.table = val()?,
            "--in-flight" => o.in_flight = val()?.parse().map_err(|_| "bad --in-flight")?,
            "--exit-when-idle" => o.exit_when_idle = Some(duration(&val()?)?),
            "--consistency" => {
                o.consistency = match val()?.as_str() {
                    "one" => Consistency::One,
                    "local_quorum" => Consistency::LocalQuorum,
                    "quorum" => Consistency::Quorum,
                    "local_one" => Consistency::LocalOne,
                    "all" => Consistency::All,
                    c => return Err(format!("unknown consistency {c}")),
                }
            }
            "--no-create-schema" => o.create_schema = false,
            "--compression" => o.compression = true,
            "--max-record-bytes" => o.max_record_bytes = val()?.parse().map_err(|_| "bad --max-record-bytes")?,
            "--e2e-latency" => o.e2e_latency = true,
            "-X" => {
                let kv = val()?;
                let (k, v) = kv.split_once('=').ok_or("-X wants key=value")?;
                o.kafka.push((k.into(), v.into()));
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            _ => return Err(format!("unknown argument {a}")),
        }
    }
    let name_ok = |s: &str| !s.is_empty() && s.len() <= 48 && s.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_');
    if !name_ok(&o.keyspace) || !name_ok(&o.table) {
        return Err("keyspace and table names are 1-48 of [A-Za-z0-9_]".into());
    }
    if o.in_flight == 0 {
        return Err("--in-flight must be positive".into());
    }
    Ok(o)
}

fn password(o: &Opts) -> Result<Option<(String, String)>, String> {
    let user = o.user.clone().or_else(|| std::env::var("USERPIPE_CASSANDRA_USER").ok());
    let file = o.password_file.clone().or_else(|| std::env::var("USERPIPE_CASSANDRA_PASSWORD_FILE").ok());
    match (user, file) {
        (Some(u), Some(f)) => {
            let p = std::fs::read_to_string(&f).map_err(|e| format!("{f}: {e}"))?;
            Ok(Some((u, p.trim_end_matches(['\n', '\r']).to_owned())))
        }
        (Some(u), None) => Ok(Some((u.clone(), u))),
        _ => Ok(None),
    }
}

/// A small log-scale histogram of end-to-end latency (record timestamp -> acknowledged), ms.
struct Histogram {
    buckets: Vec<u64>, // bucket i holds values in [2^(i/8) - 1, 2^((i+1)/8) - 1) ms
}

impl Histogram {
    fn new() -> Self {
        Histogram { buckets: vec![0; 8 * 24] }
    }
    fn bucket(ms: f64) -> usize {
        (((ms.max(0.0) + 1.0).log2() * 8.0) as usize).min(8 * 24 - 1)
    }
    fn record(&mut self, ms: f64) {
        self.buckets[Self::bucket(ms)] += 1;
    }
    fn quantile(&self, q: f64) -> f64 {
        let total: u64 = self.buckets.iter().sum();
        if total == 0 {
            return 0.0;
        }
        let want = (q * total as f64).ceil() as u64;
        let mut seen = 0;
        for (i, n) in self.buckets.iter().enumerate() {
            seen += n;
            if seen >= want {
                return 2f64.powf((i as f64 + 1.0) / 8.0) - 1.0; // the bucket's upper edge
            }
        }
        f64::INFINITY
    }
}

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

fn commit(consumer: &StreamConsumer, topic: &str, parts: &mut HashMap<i32, Partition>, mode: CommitMode) {
    let mut tpl = TopicPartitionList::new();
    for (p, st) in parts.iter_mut() {
        let c = st.committable();
        if c > st.committed {
            if tpl.add_partition_offset(topic, *p, Offset::Offset(c)).is_ok() {
                st.committed = c;
            }
        }
    }
    if tpl.count() > 0 {
        if let Err(e) = consumer.commit(&tpl, mode) {
            eprintln!("peer-stream: commit failed: {e} (the next commit carries the offsets again)");
            for e in tpl.elements() {
                if let Some(st) = parts.get_mut(&e.partition()) {
                    st.committed = -1;
                }
            }
        }
    }
}

async fn run(o: Opts) -> Result<(), String> {
    let t_start = Instant::now();
    // --- Cassandra: session, schema, one prepared INSERT
    let mut sb = SessionBuilder::new().known_nodes(&o.cassandra).tcp_nodelay(true);
    if let Some((u, p)) = password(&o)? {
        sb = sb.user(u, p);
    }
    if o.compression {
        sb = sb.compression(Some(Compression::Lz4));
    }
    let session: Session = sb.build().await.map_err(|e| format!("connecting to Cassandra: {e}"))?;
    let (ks, t) = (&o.keyspace, &o.table);
    if o.create_schema {
        session
            .query_unpaged(
                format!("CREATE KEYSPACE IF NOT EXISTS \"{ks}\" WITH replication = {{'class': 'SimpleStrategy', 'replication_factor': 1}}"),
                &[],
            )
            .await
            .map_err(|e| format!("creating keyspace: {e}"))?;
        session
            .query_unpaged(
                format!(
                    "CREATE TABLE IF NOT EXISTS \"{ks}\".\"{t}\" (id uuid PRIMARY KEY, first_name text, last_name text, \
                     gender text, address text, post_code text, email text, username text, dob timestamp, \
                     registered_date timestamp, phone text, picture text, nat text, ingested_at timestamp)"
                ),
                &[],
            )
            .await
            .map_err(|e| format!("creating table: {e}"))?;
    }
    let mut insert = session
        .prepare(format!(
            "INSERT INTO \"{ks}\".\"{t}\" (id, first_name, last_name, gender, address, post_code, email, username, \
             dob, registered_date, phone, picture, nat, ingested_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
             USING TIMESTAMP ?"
        ))
        .await
        .map_err(|e| format!("preparing the INSERT: {e}"))?;
    insert.set_consistency(o.consistency);
    insert.set_is_idempotent(true);

    // --- Kafka: a group member that commits by itself
    let mut cc = ClientConfig::new();
    for (k, v) in [
        ("bootstrap.servers", o.brokers.as_str()),
        ("group.id", o.group.as_str()),
        ("enable.auto.commit", "false"),
        ("auto.offset.reset", "earliest"),
        ("enable.partition.eof", "false"),
        ("session.timeout.ms", "10000"),
        ("heartbeat.interval.ms", "2000"),
        // Tuned as userpipe's consumer (src/kafka/consumer.c), plus librdkafka >= 2.1's
        // fetch.queue.backoff.ms: a drained queue is refilled at once, not after up to 1 s.
        ("queued.min.messages", "50000"),
        ("queued.max.messages.kbytes", "6144"),
        ("fetch.max.bytes", "1048576"),
        ("max.partition.fetch.bytes", "262144"),
        ("fetch.wait.max.ms", "100"),
        ("fetch.queue.backoff.ms", "10"),
    ] {
        cc.set(k, v);
    }
    for (k, v) in &o.kafka {
        cc.set(k, v);
    }
    let consumer: StreamConsumer = cc.create().map_err(|e| format!("Kafka consumer: {e}"))?;
    consumer.subscribe(&[&o.topic]).map_err(|e| format!("subscribe: {e}"))?;

    // --- the loop
    let mut parts: HashMap<i32, Partition> = HashMap::new();
    let mut writes = FuturesUnordered::new();
    let (mut consumed, mut stored, mut invalid, mut retries) = (0u64, 0u64, 0u64, 0u64);
    let mut e2e = o.e2e_latency.then(Histogram::new);
    let mut first_taken: Option<Instant> = None;
    let mut last_done = Instant::now();
    let mut last_taken = Instant::now();
    let mut commit_tick = tokio::time::interval(Duration::from_secs(1));
    commit_tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // Signal streams made once: tokio::signal::ctrl_c() inside the loop would register a new
    // listener for every record taken.
    use tokio::signal::unix::{signal, SignalKind};
    let mut sigterm = signal(SignalKind::terminate()).map_err(|e| format!("signal: {e}"))?;
    let mut sigint = signal(SignalKind::interrupt()).map_err(|e| format!("signal: {e}"))?;
    let (session, insert) = (&session, &insert);
    let status;
    loop {
        tokio::select! {
            biased;
            Some((partition, offset, ts_ms, tries)) = writes.next(), if !writes.is_empty() => {
                let tries: u64 = tries;
                retries += tries - 1;
                stored += 1;
                if let Some(st) = parts.get_mut(&partition) {
                    st.in_flight.remove(&offset);
                }
                if let Some(h) = e2e.as_mut() {
                    h.record((now_ms() - ts_ms) as f64);
                }
                last_done = Instant::now();
            }
            msg = consumer.recv(), if writes.len() < o.in_flight => {
                let m = msg.map_err(|e| format!("Kafka: {e}"))?;
                consumed += 1;
                let now = Instant::now();
                first_taken.get_or_insert(now);
                last_taken = now;
                let (partition, offset) = (m.partition(), m.offset());
                let ts_ms = m.timestamp().to_millis().unwrap_or_else(now_ms);
                let st = parts.entry(partition).or_insert_with(|| Partition { next: offset, committed: -1, ..Default::default() });
                st.next = offset + 1;
                match validate(m.key(), m.payload(), ts_ms, o.max_record_bytes) {
                    None => {
                        invalid += 1;
                        last_done = now;
                    }
                    Some(row) => {
                        st.in_flight.insert(offset);
                        writes.push(async move {
                            let mut backoff = Duration::from_millis(100);
                            let mut tries = 1u64;
                            loop {
                                match session.execute_unpaged(insert, &row).await {
                                    Ok(_) => break (partition, offset, ts_ms, tries),
                                    Err(e) => {
                                        if tries == 1 || tries % 20 == 0 {
                                            eprintln!("peer-stream: write failed ({e}); retrying in {backoff:?}");
                                        }
                                        tokio::time::sleep(backoff).await;
                                        backoff = (backoff * 2).min(Duration::from_secs(5));
                                        tries += 1;
                                    }
                                }
                            }
                        });
                    }
                }
            }
            _ = commit_tick.tick() => {
                commit(&consumer, &o.topic, &mut parts, CommitMode::Async);
                if let Some(idle) = o.exit_when_idle {
                    if writes.is_empty() && last_taken.elapsed() >= idle && last_done.elapsed() >= idle.min(last_taken.elapsed()) {
                        status = "completed";
                        break;
                    }
                }
            }
            _ = sigint.recv() => { status = "stopped"; break; }
            _ = sigterm.recv() => { status = "stopped"; break; }
        }
    }
    // Drain what is still in flight, then the final synchronous commit.
    while let Some((partition, offset, _, tries)) = writes.next().await {
        retries += tries - 1;
        stored += 1;
        if let Some(st) = parts.get_mut(&partition) {
            st.in_flight.remove(&offset);
        }
        last_done = Instant::now();
    }
    commit(&consumer, &o.topic, &mut parts, CommitMode::Sync);
    drop(consumer); // leaves the group

    let active = match first_taken {
        Some(t0) => last_done.saturating_duration_since(t0).as_secs_f64(),
        None => 0.0,
    };
    let mut summary = serde_json::json!({
        "status": status,
        "consumed": consumed,
        "stored": stored,
        "invalid": invalid,
        "write_retries": retries,
        "seconds": (t_start.elapsed().as_secs_f64() * 1000.0).round() / 1000.0,
        "active_seconds": (active * 1000.0).round() / 1000.0,
        "rows_per_second": if active > 0.0 { (stored as f64 / active).round() } else { 0.0 },
    });
    if let Some(h) = e2e {
        summary["e2e_latency_p50_ms"] = h.quantile(0.50).into();
        summary["e2e_latency_p99_ms"] = h.quantile(0.99).into();
        summary["e2e_latency_p999_ms"] = h.quantile(0.999).into();
    }
    println!("{summary}");
    Ok(())
}

fn main() -> ExitCode {
    let o = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("peer-stream: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    // tokio's default: one worker per core. The loop is one task; the driver's connection
    // tasks and librdkafka's own threads run beside it.
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    match rt.block_on(run(o)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("peer-stream: {e}");
            ExitCode::from(1)
        }
    }
}
