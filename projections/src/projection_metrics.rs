//! Counts of events applied to read models.

use prometheus::{register_int_counter_vec, IntCounterVec};
use std::sync::LazyLock;

static PROJECTED: LazyLock<Option<IntCounterVec>> = LazyLock::new(|| {
    register_int_counter_vec!(
        "leadstream_events_projected_total",
        "Events applied to a read model",
        &["projection"]
    )
    .map_err(|error| tracing::warn!(%error, "cannot register leadstream_events_projected_total"))
    .ok()
});

/// Counts `n` events newly applied by `projection`.
pub fn projected(projection: &str, n: usize) {
    if let Some(counter) = PROJECTED.as_ref() {
        counter.with_label_values(&[projection]).inc_by(n as u64);
    }
}
