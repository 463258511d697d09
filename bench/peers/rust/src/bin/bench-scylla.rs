//! bench-scylla: bench/cql/bench_cql.c's measurement through the ScyllaDB Rust driver (`scylla`).
//!
//!   bench-scylla CONTACT KEYSPACE TABLE ROWS IN_FLIGHT [--compression] [--samples FILE] [--seed S]
//!
//! The same rows as bench_cql (its bind_row, field by field), the same statement
//! (INSERT ... USING TIMESTAMP ?, prepared, idempotent), the same closed loop: IN_FLIGHT requests
//! out at all times, a finished one replaced at once. Latency is submit -> completion per request;
//! CPU is getrusage() over the insert window only (connect and prepare excluded). One JSON line
//! on stdout with bench_cql's keys. Credentials: USERPIPE_CASSANDRA_USER (default cassandra) and
//! USERPIPE_CASSANDRA_PASSWORD_FILE (default: the user name as password).
use std::process::ExitCode;
use std::time::Instant;

use futures::stream::{FuturesUnordered, StreamExt};
use scylla::client::session::Session;
use scylla::client::session_builder::SessionBuilder;
use scylla::frame::Compression;
use scylla::statement::Consistency;
use scylla::value::CqlTimestamp;
use uuid::Uuid;

type Row = (
    Uuid,
    &'static str,
    &'static str,
    &'static str,
    String,
    String,
    String,
    String,
    CqlTimestamp,
    CqlTimestamp,
    String,
    String,
    &'static str,
    CqlTimestamp,
    i64,
);

const FIRST: [&str; 6] = ["Jennifer", "Mehmet", "Aino", "Lucas", "Sofia", "Noah"];
const LAST: [&str; 6] = ["Lambert", "Yilmaz", "Korhonen", "Moreau", "Rossi", "Berg"];
const NAT: [&str; 6] = ["US", "TR", "FI", "FR", "IT", "NO"];

/// bench_cql.c's bind_row: same id bits, same strings, same timestamps.
fn row(seed: u64, i: i64) -> Row {
    let a = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15).wrapping_add(i as u64);
    let b = (i as u64).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    let mut id = [0u8; 16];
    id[..8].copy_from_slice(&a.to_be_bytes());
    id[8..].copy_from_slice(&b.to_be_bytes());
    id[6] = (id[6] & 0x0F) | 0x40;
    id[8] = (id[8] & 0x3F) | 0x80;
    let (f, l) = ((i % 6) as usize, (i / 6 % 6) as usize);
    (
        Uuid::from_bytes(id),
        FIRST[f],
        LAST[l],
        if i % 2 == 1 { "female" } else { "male" },
        format!("{} Main Street, Springfield, Illinois, United States", 1000 + i % 9000),
        format!("{:05}", i % 100000),
        format!("{}.{}{}@example.com", FIRST[f], LAST[l], i),
        format!("bluebird{i}"),
        CqlTimestamp(315_532_800_000 + i * 86_400_000 % 946_684_800_000),
        CqlTimestamp(1_262_304_000_000 + i * 3_600_000 % 441_504_000_000),
        format!("(555) {:03}-{:04}", i / 10000 % 1000, i % 10000),
        format!(
            "https://randomuser.me/api/portraits/med/{}/{}.jpg",
            if i % 2 == 1 { "women" } else { "men" },
            i % 100
        ),
        NAT[f],
        CqlTimestamp(1_735_689_600_000 + i),
        (1_735_689_600_000 + i) * 1000,
    )
}

fn cpu_seconds() -> f64 {
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
    let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    tv(ru.ru_utime) + tv(ru.ru_stime)
}

fn percentile_ms(sorted: &[u32], p: f64) -> f64 {
    let i = (p * (sorted.len() - 1) as f64 + 0.5) as usize;
    sorted[i] as f64 / 1000.0
}

async fn run(args: Vec<String>) -> Result<bool, String> {
    let (contact, ks, table) = (&args[0], &args[1], &args[2]);
    let rows: i64 = args[3].parse().map_err(|_| "bad ROWS")?;
    let depth: usize = args[4].parse().map_err(|_| "bad IN_FLIGHT")?;
    if rows <= 0 || depth == 0 {
        return Err("ROWS and IN_FLIGHT must be positive".into());
    }
    let (mut compression, mut samples, mut seed) = (false, None, 1u64);
    let mut it = args[5..].iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--compression" => compression = true,
            "--samples" => samples = it.next().cloned(),
            "--seed" => seed = it.next().and_then(|s| s.parse().ok()).ok_or("bad --seed")?,
            _ => return Err(format!("unknown argument {a}")),
        }
    }
    let user = std::env::var("USERPIPE_CASSANDRA_USER").unwrap_or_else(|_| "cassandra".into());
    let password = match std::env::var("USERPIPE_CASSANDRA_PASSWORD_FILE") {
        Ok(f) => std::fs::read_to_string(&f).map_err(|e| format!("{f}: {e}"))?.trim_end().to_owned(),
        Err(_) => user.clone(),
    };
    let mut sb = SessionBuilder::new().known_node(contact).user(user, password).tcp_nodelay(true);
    if compression {
        sb = sb.compression(Some(Compression::Lz4));
    }
    let session: Session = sb.build().await.map_err(|e| format!("connect: {e}"))?;
    let mut insert = session
        .prepare(format!(
            "INSERT INTO {ks}.{table} (id, first_name, last_name, gender, address, post_code, email, username, \
             dob, registered_date, phone, picture, nat, ingested_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
             USING TIMESTAMP ?"
        ))
        .await
        .map_err(|e| format!("prepare: {e}"))?;
    insert.set_is_idempotent(true);
    insert.set_consistency(Consistency::LocalQuorum);

    let mut lat_us = vec![0u32; rows as usize];
    let mut failed = 0u64;
    let (session, insert) = (&session, &insert);
    let submit = |i: i64| async move {
        let values = row(seed, i);
        let t = Instant::now();
        let r = session.execute_unpaged(insert, values).await;
        (i, t.elapsed(), r.err())
    };
    let cpu0 = cpu_seconds();
    let t0 = Instant::now();
    let mut out = FuturesUnordered::new();
    let mut next = 0i64;
    while next < rows && out.len() < depth {
        out.push(submit(next));
        next += 1;
    }
    while let Some((i, took, err)) = out.next().await {
        lat_us[i as usize] = took.as_micros().min(u32::MAX as u128) as u32;
        if let Some(e) = err {
            failed += 1;
            if failed <= 5 {
                eprintln!("bench-scylla: insert failed: {e}");
            }
        }
        if next < rows {
            out.push(submit(next));
            next += 1;
        }
    }
    let seconds = t0.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu0;
    if let Some(path) = samples {
        let text: String = lat_us.iter().step_by(10).map(|us| format!("{:.3}\n", *us as f64 / 1000.0)).collect();
        std::fs::write(&path, text).map_err(|e| format!("{path}: {e}"))?;
    }
    lat_us.sort_unstable();
    println!(
        "{}",
        serde_json::json!({
            "rows": rows as u64 - failed, "failed": failed, "in_flight": depth,
            "seconds": (seconds * 1000.0).round() / 1000.0,
            "rows_per_s": (rows as f64 / seconds * 10.0).round() / 10.0,
            "latency_p50_ms": percentile_ms(&lat_us, 0.50),
            "latency_p99_ms": percentile_ms(&lat_us, 0.99),
            "latency_p999_ms": percentile_ms(&lat_us, 0.999),
            "cpu_s": (cpu * 1000.0).round() / 1000.0,
            "cpu_s_per_100k": (cpu * 100000.0 / rows as f64 * 1000.0).round() / 1000.0,
            "driver": "scylla 1.9.0",
        })
    );
    Ok(failed == 0)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 5 {
        eprintln!(
            "usage: bench-scylla CONTACT KEYSPACE TABLE ROWS IN_FLIGHT [--compression] [--samples FILE] [--seed S]"
        );
        return ExitCode::from(2);
    }
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    match rt.block_on(run(args)) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("bench-scylla: {e}");
            ExitCode::from(1)
        }
    }
}
