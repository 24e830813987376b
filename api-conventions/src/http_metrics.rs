//! Request counts and latencies by route and status, in the process-wide Prometheus registry.

use prometheus::{register_histogram_vec, register_int_counter_vec, HistogramVec, IntCounterVec};
use std::sync::LazyLock;
use std::time::Duration;

static REQUESTS: LazyLock<Option<IntCounterVec>> = LazyLock::new(|| {
    register_int_counter_vec!(
        "http_requests_total",
        "HTTP requests by route and status",
        &["method", "route", "status"]
    )
    .map_err(|error| tracing::warn!(%error, "cannot register http_requests_total"))
    .ok()
});

static LATENCY: LazyLock<Option<HistogramVec>> = LazyLock::new(|| {
    register_histogram_vec!(
        "http_request_duration_seconds",
        "HTTP request latency by route",
        &["method", "route"],
        vec![0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0]
    )
    .map_err(|error| tracing::warn!(%error, "cannot register http_request_duration_seconds"))
    .ok()
});

/// Records one served request. `route` is the matched pattern (e.g. `/api/v1/leads/{id}`), never
/// the raw path, so ids do not multiply the series.
pub fn record_request(method: &str, route: &str, status: u16, elapsed: Duration) {
    if let Some(requests) = REQUESTS.as_ref() {
        requests.with_label_values(&[method, route, &status.to_string()]).inc();
    }
    if let Some(latency) = LATENCY.as_ref() {
        latency
            .with_label_values(&[method, route])
            .observe(elapsed.as_secs_f64());
    }
}
