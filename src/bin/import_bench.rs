//! Measures CSV import end to end (upload until the list shows every row) and CSV export, over
//! real HTTP, PostgreSQL and Kafka, and prints the figures.
//!
//! `cargo run --release --bin import_bench`; knobs: `IMPORT_ROWS` (default 100000),
//! `DATABASE_URL` (its server is used; the bench makes and drops its own database),
//! `KAFKA_BROKERS` (else a local tansu is started).

use leadstream::bench_env::BenchEnv;
use std::time::Instant;

/// The process's resident set now and at its peak, in MiB (Linux).
fn memory_mib() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
            .map_or(f64::NAN, |kib| kib / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let rows: usize = std::env::var("IMPORT_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let env = BenchEnv::start("importbench", |s| s.import_max_rows = s.import_max_rows.max(rows)).await?;
    let mut csv = String::from("name,email,phone,company,title,tags,message,city\n");
    for i in 0..rows {
        csv.push_str(&format!(
            "Lead {i},lead{i}@company{}.com,+5691{:07},Company {},{},{},\"{}\",City {}\n",
            i % 997,
            i,
            i % 997,
            ["CEO", "Analyst", "Sales Manager", ""][i % 4],
            ["vip;buyer", "", "north"][i % 3],
            ["need a demo this week", "info please", "precio y visita"][i % 3],
            i % 50
        ));
    }
    println!(
        "import bench: {rows} rows, {:.1} MiB of CSV, HTTP workers {}, pool {}",
        csv.len() as f64 / 1024.0 / 1024.0,
        env.settings.http_workers,
        env.settings.database_max_connections
    );

    let started = Instant::now();
    let response = env
        .client
        .post(format!("{}/api/v1/leads/import", env.base))
        .header("authorization", &env.auth)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await?;
    anyhow::ensure!(response.status().is_success(), "import answered {}", response.status());
    let answer: serde_json::Value = response.json().await?;
    let answered = started.elapsed().as_secs_f64();
    env.wait_read_side().await?;
    let visible = started.elapsed().as_secs_f64();
    let listed: serde_json::Value = env
        .client
        .get(format!("{}/api/v1/leads?limit=1", env.base))
        .header("authorization", &env.auth)
        .send()
        .await?
        .json()
        .await?;
    anyhow::ensure!(listed["total"] == rows, "the list shows {} of {rows}", listed["total"]);
    println!(
        "import: {} imported, {} duplicates, {} invalid; answered in {answered:.2} s ({:.0} rows/s); \
         all {rows} in the list after {visible:.2} s ({:.0} rows/s end to end)",
        answer["imported"],
        answer["duplicates"],
        answer["invalid"],
        rows as f64 / answered,
        rows as f64 / visible
    );

    let (rss_before, _) = memory_mib();
    let started = Instant::now();
    let mut response = env
        .client
        .get(format!("{}/api/v1/leads/export?format=csv", env.base))
        .header("authorization", &env.auth)
        .send()
        .await?;
    let (mut bytes, mut lines, mut peak_rss) = (0usize, 0usize, rss_before);
    while let Some(chunk) = response.chunk().await? {
        bytes += chunk.len();
        lines += chunk.iter().filter(|b| **b == b'\n').count();
        peak_rss = peak_rss.max(memory_mib().0);
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "export: {:.1} MiB, {} lines in {seconds:.2} s ({:.0} rows/s); process RSS {rss_before:.0} MiB before, \
         at most {peak_rss:.0} MiB while streaming (the whole export held in memory would be {:.0} MiB)",
        bytes as f64 / 1024.0 / 1024.0,
        lines,
        rows as f64 / seconds,
        bytes as f64 / 1024.0 / 1024.0
    );
    env.stop().await
}
