//! Structured logs through `tracing`: JSON lines by default, human-readable on request.

use tracing_subscriber::EnvFilter;

/// Installs the global subscriber once; later calls are no-ops (tests start many apps).
pub fn init(format: &str) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,rdkafka=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = if format == "pretty" {
        builder.try_init()
    } else {
        builder.json().flatten_event(true).try_init()
    };
}
