//! Configuration from environment variables, with defaults that work on a developer machine.

use std::path::PathBuf;
use std::str::FromStr;

/// Everything the service reads from its environment.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `DATABASE_URL`: the PostgreSQL database (created if missing).
    pub database_url: String,
    /// `DATABASE_MAX_CONNECTIONS`: pool size per process.
    pub database_max_connections: u32,
    /// `KAFKA_BROKERS`: bootstrap servers; unset means "start a local tansu broker".
    pub kafka_brokers: Option<String>,
    /// `KAFKA_TOPIC_PREFIX`: prepended to every topic and consumer group.
    pub kafka_topic_prefix: String,
    /// `KAFKA_PARTITIONS`: partitions of each topic the relay creates.
    pub kafka_partitions: i32,
    /// `KAFKA_MESSAGE_TIMEOUT_MS`: how long the producer retries one message.
    pub kafka_message_timeout_ms: u64,
    /// `HTTP_ADDR`: where the HTTP API listens.
    pub http_addr: String,
    /// `HTTP_WORKERS`: actix worker threads.
    pub http_workers: usize,
    /// `SNAPSHOT_EVERY`: events between aggregate snapshots.
    pub snapshot_every: usize,
    /// `RELAY_BATCH_SIZE`: outbox rows published per batch.
    pub relay_batch_size: i64,
    /// `PROJECTION_BATCH_SIZE`: events applied per read-model transaction.
    pub projection_batch_size: usize,
    /// `PROJECTION_WORKERS`: consumer-group members per process (at most one per partition
    /// does work).
    pub projection_workers: usize,
    /// `LEADSTREAM_DATA_DIR`: where the local broker keeps its data and log.
    pub data_dir: PathBuf,
    /// `LOCAL_KAFKA_ADDR`: where a local broker listens when one is started.
    pub local_kafka_addr: String,
    /// `RATE_LIMIT_PER_PRINCIPAL`: requests per window for an identified caller.
    pub rate_limit_per_principal: u64,
    /// `RATE_LIMIT_PER_IP`: requests per window for an anonymous caller, per IP.
    pub rate_limit_per_ip: u64,
    /// `RATE_LIMIT_CREDENTIALS_PER_IP`: anonymous calls per window, per IP, to the routes that
    /// check a password or token (register, login, forgot and reset password), on top of the IP's budget.
    pub rate_limit_credentials_per_ip: u64,
    /// `RATE_LIMIT_WINDOW_SECS`: the window's length.
    pub rate_limit_window_secs: u64,
    /// `REDIS_URL`: where rate-limit counts are shared; unset means in-process counts.
    pub redis_url: Option<String>,
    /// `LOG_FORMAT`: `json` (default) or `pretty`.
    pub log_format: String,
    /// `JWT_SECRET`: signs access tokens (32+ bytes); unset means a random secret kept in the
    /// database, shared by every instance on it.
    pub jwt_secret: Option<String>,
    /// `ACCESS_TOKEN_TTL_SECS`: how long a login's access token lives.
    pub access_token_ttl_secs: u64,
    /// `PASSWORD_RESET_TTL_SECS`: how long a password-reset token stays good.
    pub password_reset_ttl_secs: u64,
    /// `REGISTRATION_TTL_SECS`: how long a registration waits for its mailed confirmation.
    pub registration_ttl_secs: u64,
    /// `BATCH_MAX_LEADS`: the most leads in one batch (seed 001's plans: 25, 500, 5000).
    pub batch_max_leads: usize,
    /// `BATCH_WORKERS`: batches one process works on at once (0: none; another instance does).
    pub batch_workers: usize,
    /// `IMPORT_MAX_BYTES`: the largest CSV an import takes.
    pub import_max_bytes: usize,
    /// `IMPORT_MAX_ROWS`: the most rows in one import.
    pub import_max_rows: usize,
    /// `SCHEDULER_TICK_MS`: how often due sequence touchpoints are looked for (0: this process
    /// runs no scheduler).
    pub scheduler_tick_ms: u64,
    /// Where the service reads the time: the system clock, or one a test sets.
    pub clock: leadstream_command_api::clock::Clock,
    /// `BATCH_POLL_MS`: how often the batch queue is checked for work submitted elsewhere.
    pub batch_poll_ms: u64,
}

impl Settings {
    /// Reads the environment; a value that is set but unparsable is an error, not a default.
    pub fn from_env() -> Result<Self, String> {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Ok(Self {
            database_url: text("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/leadstream"),
            database_max_connections: number("DATABASE_MAX_CONNECTIONS", 40)?,
            kafka_brokers: std::env::var("KAFKA_BROKERS").ok().filter(|b| !b.trim().is_empty()),
            kafka_topic_prefix: text("KAFKA_TOPIC_PREFIX", "leadstream."),
            kafka_partitions: number("KAFKA_PARTITIONS", 3)?,
            kafka_message_timeout_ms: number("KAFKA_MESSAGE_TIMEOUT_MS", 30_000)?,
            http_addr: text("HTTP_ADDR", "127.0.0.1:8080"),
            http_workers: number("HTTP_WORKERS", cores)?,
            snapshot_every: number("SNAPSHOT_EVERY", 20)?,
            relay_batch_size: number("RELAY_BATCH_SIZE", 500)?,
            projection_batch_size: number("PROJECTION_BATCH_SIZE", 500)?,
            projection_workers: number("PROJECTION_WORKERS", 1)?,
            data_dir: PathBuf::from(text("LEADSTREAM_DATA_DIR", ".data")),
            local_kafka_addr: text("LOCAL_KAFKA_ADDR", "127.0.0.1:9092"),
            rate_limit_per_principal: number("RATE_LIMIT_PER_PRINCIPAL", 6000)?,
            rate_limit_per_ip: number("RATE_LIMIT_PER_IP", 600)?,
            rate_limit_credentials_per_ip: number("RATE_LIMIT_CREDENTIALS_PER_IP", 30)?,
            rate_limit_window_secs: number("RATE_LIMIT_WINDOW_SECS", 60)?,
            redis_url: std::env::var("REDIS_URL").ok().filter(|u| !u.trim().is_empty()),
            log_format: text("LOG_FORMAT", "json"),
            jwt_secret: std::env::var("JWT_SECRET").ok().filter(|s| !s.is_empty()),
            access_token_ttl_secs: number("ACCESS_TOKEN_TTL_SECS", 3600)?,
            password_reset_ttl_secs: number("PASSWORD_RESET_TTL_SECS", 3600)?,
            registration_ttl_secs: number("REGISTRATION_TTL_SECS", 86_400)?,
            batch_max_leads: number("BATCH_MAX_LEADS", 500)?,
            batch_workers: number("BATCH_WORKERS", 2)?,
            batch_poll_ms: number("BATCH_POLL_MS", 1000)?,
            scheduler_tick_ms: number("SCHEDULER_TICK_MS", 500)?,
            clock: leadstream_command_api::clock::Clock::System,
            import_max_bytes: number("IMPORT_MAX_BYTES", 64 * 1024 * 1024)?,
            import_max_rows: number("IMPORT_MAX_ROWS", 200_000)?,
        })
    }
}

fn text(name: &str, default: &str) -> String {
    std::env::var(name)
        .ok()
        .filter(|v| !v.trim().is_empty())
        .unwrap_or_else(|| default.to_string())
}

fn number<T: FromStr>(name: &str, default: T) -> Result<T, String> {
    match std::env::var(name) {
        Ok(raw) if !raw.trim().is_empty() => raw
            .trim()
            .parse()
            .map_err(|_| format!("{name}={raw:?} is not a valid number")),
        _ => Ok(default),
    }
}
