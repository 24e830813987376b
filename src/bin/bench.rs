//! Measures the command path over real HTTP, PostgreSQL and Kafka, beside pgbench's one-row
//! INSERT TPS on the same machine, and prints the figures.
//!
//! `cargo run --release --bin bench`; knobs: `BENCH_COMMANDS` (per concurrency level, default
//! 3000), `BENCH_CONCURRENCY` (default `1,8,32`), `BENCH_LAG_SECONDS` (default 10),
//! `BENCH_PGBENCH_SECONDS` (default 10; 0 skips pgbench),
//! `DATABASE_URL` (its server is used; the bench makes and drops its own database),
//! `KAFKA_BROKERS` (else a local tansu is started).

use futures::future::join_all;
use leadstream::bench_env::BenchEnv;
use serde_json::json;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

struct Run {
    concurrency: usize,
    commands_per_sec: f64,
    p50_ms: f64,
    p99_ms: f64,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Creates one lead; returns (latency, lead id, event position).
async fn create(client: &reqwest::Client, base: &str, auth: &str, n: usize) -> anyhow::Result<(Duration, String, i64)> {
    let started = Instant::now();
    let response = client
        .post(format!("{base}/api/v1/leads"))
        .header("authorization", auth)
        .json(&json!({"name": format!("Bench {n}"), "email": format!("bench{n}@example.com"), "company": "Acme", "source": "api"}))
        .send()
        .await?;
    let latency = started.elapsed();
    anyhow::ensure!(
        response.status().as_u16() == 201,
        "create answered {}",
        response.status()
    );
    let position = response
        .headers()
        .get("x-event-position")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| anyhow::anyhow!("no X-Event-Position"))?;
    let body: serde_json::Value = response.json().await?;
    Ok((latency, body["id"].as_str().unwrap_or_default().to_string(), position))
}

/// `total` creates by `concurrency` closed-loop clients.
async fn closed_loop(
    client: &reqwest::Client,
    base: &str,
    auth: &str,
    total: usize,
    concurrency: usize,
) -> anyhow::Result<Run> {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let workers = (0..concurrency).map(|_| {
        let next = next.clone();
        async move {
            let mut latencies = vec![];
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= total {
                    return anyhow::Ok(latencies);
                }
                let (latency, _, _) = create(client, base, auth, n).await?;
                latencies.push(latency.as_secs_f64() * 1000.0);
            }
        }
    });
    let mut latencies: Vec<f64> = vec![];
    for worker in join_all(workers).await {
        latencies.extend(worker?);
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort_by(f64::total_cmp);
    Ok(Run {
        concurrency,
        commands_per_sec: total as f64 / elapsed,
        p50_ms: percentile(&latencies, 0.5),
        p99_ms: percentile(&latencies, 0.99),
    })
}

/// Sends creates at `rate` per second for `seconds`; after every tenth acknowledgement, reads
/// the lead with `min_position` and records acknowledgement → visible (sampling, so that the
/// probe's reads do not become a load of their own). Returns sorted lags (ms).
async fn lag_at_rate(
    client: &reqwest::Client,
    base: &str,
    auth: &str,
    rate: f64,
    seconds: u64,
) -> anyhow::Result<Vec<f64>> {
    let mut ticker = tokio::time::interval(Duration::from_secs_f64(1.0 / rate));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = vec![];
    let mut n = 10_000_000;
    // Bounds open connections; far above what the target rate needs at the lags measured.
    let in_flight = Arc::new(tokio::sync::Semaphore::new(256));
    while Instant::now() < deadline {
        ticker.tick().await;
        n += 1;
        let (client, base, auth) = (client.clone(), base.to_string(), auth.to_string());
        let permit = in_flight.clone().acquire_owned().await?;
        tasks.push(tokio::spawn(async move {
            let _permit = permit;
            let (_, id, position) = create(&client, &base, &auth, n).await?;
            if n % 10 != 0 {
                return anyhow::Ok(None);
            }
            let acknowledged = Instant::now();
            let response = client
                .get(format!("{base}/api/v1/leads/{id}?min_position={position}"))
                .header("authorization", &auth)
                .send()
                .await?;
            let caught_up = response
                .headers()
                .get("x-projection-caught-up")
                .is_some_and(|v| v == "true");
            anyhow::ensure!(
                response.status().is_success() && caught_up,
                "lead {id} not visible within the wait"
            );
            anyhow::Ok(Some(acknowledged.elapsed().as_secs_f64() * 1000.0))
        }));
    }
    let mut lags = vec![];
    for task in tasks {
        lags.extend(task.await??);
    }
    lags.sort_by(f64::total_cmp);
    Ok(lags)
}

/// pgbench TPS for a one-row INSERT per transaction at `concurrency` clients, if pgbench exists.
fn pgbench(database_url: &str, concurrency: usize, seconds: u64) -> Option<f64> {
    let script = std::env::temp_dir().join("leadstream-bench-insert.sql");
    std::fs::write(&script, "INSERT INTO pgbench_one_row (payload) VALUES ('lead');\n").ok()?;
    let output = Command::new("pgbench")
        .args([
            "-n",
            "-c",
            &concurrency.to_string(),
            "-j",
            &concurrency.min(2).to_string(),
        ])
        .args(["-T", &seconds.to_string(), "-f"])
        .arg(&script)
        .arg(database_url)
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&output.stdout);
    text.lines()
        .find(|l| l.starts_with("tps = "))
        .and_then(|l| l.trim_start_matches("tps = ").split_whitespace().next()?.parse().ok())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let commands: usize = env_or("BENCH_COMMANDS", 3000);
    let lag_seconds: u64 = env_or("BENCH_LAG_SECONDS", 10);
    let levels: Vec<usize> = std::env::var("BENCH_CONCURRENCY")
        .unwrap_or_else(|_| "1,8,32".into())
        .split(',')
        .filter_map(|c| c.trim().parse().ok())
        .collect();

    let env = BenchEnv::start("bench", |_| {}).await?;
    let (settings, pool, base, client, auth) = (
        &env.settings,
        &env.pool,
        env.base.as_str(),
        &env.client,
        env.auth.as_str(),
    );
    sqlx::query("CREATE TABLE pgbench_one_row (id bigserial PRIMARY KEY, payload text NOT NULL)")
        .execute(pool)
        .await?;

    println!(
        "leadstream bench: {commands} create-lead commands per level, HTTP workers {}, pool {}",
        settings.http_workers, settings.database_max_connections
    );
    closed_loop(client, base, auth, 300, 8).await?; // warm-up
    let mut runs = vec![];
    for &c in &levels {
        let run = closed_loop(client, base, auth, commands, c).await?;
        let pg = match env_or("BENCH_PGBENCH_SECONDS", 10) {
            0 => None,
            seconds => pgbench(&settings.database_url, c, seconds),
        };
        println!(
            "c={:<3} commands/s {:>8.0}  p50 {:>6.2} ms  p99 {:>6.2} ms  | pgbench one-row INSERT tps {}",
            run.concurrency,
            run.commands_per_sec,
            run.p50_ms,
            run.p99_ms,
            pg.map_or("n/a (skipped, or pgbench not found)".to_string(), |t| format!(
                "{t:.0} (commands/s = {:.0}% of it)",
                100.0 * run.commands_per_sec / t
            )),
        );
        runs.push(run);
    }
    // Let the relay and projection finish the closed-loop backlog before measuring lag, and say
    // how long that took: it shows whether the read side keeps up with the write side.
    let drained = Instant::now();
    env.wait_read_side().await?;
    let total_events: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox")
        .fetch_one(pool)
        .await?;
    println!(
        "read side caught up {:.0} ms after the last acknowledgement ({total_events} events in all)",
        drained.elapsed().as_secs_f64() * 1000.0
    );
    let peak = runs.iter().map(|r| r.commands_per_sec).fold(0.0, f64::max);
    for (label, rate) in [
        ("half the peak", peak / 2.0),
        ("a light load", 50.0_f64.min(peak / 4.0)),
    ] {
        let lags = lag_at_rate(client, base, auth, rate, lag_seconds).await?;
        let missed = lags.iter().filter(|l| l.is_infinite()).count();
        println!(
            "end-to-end lag (ack -> visible in GET) at {label} ({rate:.0} commands/s, {} sampled): p50 {:.2} ms  p99 {:.2} ms  max {:.2} ms  not visible within 2 s: {missed}",
            lags.len(),
            percentile(&lags, 0.5),
            percentile(&lags, 0.99),
            lags.iter().copied().filter(|l| l.is_finite()).fold(0.0, f64::max),
        );
    }

    env.stop().await?;
    Ok(())
}
