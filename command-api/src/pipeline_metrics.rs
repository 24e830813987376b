//! Counts of events appended to the store and published to Kafka.

use prometheus::{register_int_counter_vec, IntCounterVec};
use std::sync::LazyLock;

static APPENDED: LazyLock<Option<IntCounterVec>> = LazyLock::new(|| {
    register_int_counter_vec!(
        "leadstream_events_appended_total",
        "Events appended to the event store",
        &["aggregate_type"]
    )
    .map_err(|error| tracing::warn!(%error, "cannot register leadstream_events_appended_total"))
    .ok()
});

static PUBLISHED: LazyLock<Option<IntCounterVec>> = LazyLock::new(|| {
    register_int_counter_vec!(
        "leadstream_events_published_total",
        "Events the relay published to Kafka",
        &["aggregate_type"]
    )
    .map_err(|error| tracing::warn!(%error, "cannot register leadstream_events_published_total"))
    .ok()
});

/// Counts `n` events appended for `aggregate_type`.
pub fn appended(aggregate_type: &str, n: usize) {
    if let Some(counter) = APPENDED.as_ref() {
        counter.with_label_values(&[aggregate_type]).inc_by(n as u64);
    }
}

/// Counts one event published for `aggregate_type`.
pub fn published(aggregate_type: &str) {
    if let Some(counter) = PUBLISHED.as_ref() {
        counter.with_label_values(&[aggregate_type]).inc();
    }
}
