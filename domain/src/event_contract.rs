//! The public contract every domain event honours: a dotted type name and a version.

/// Names and versions an event for its JSON Schema in `schemas/events/`.
pub trait EventContract {
    /// The aggregate type, also the Kafka topic's suffix (e.g. `lead`).
    const AGGREGATE_TYPE: &'static str;
    /// Every event type this aggregate can emit, with its current version.
    const EVENT_TYPES: &'static [(&'static str, &'static str)];
}
