//! The write side: HTTP commands, the PostgreSQL event store, and the outbox relay to Kafka.

mod aggregate_store;
pub mod appointments;
pub mod batch;
pub mod calls;
pub mod campaigns;
pub mod clock;
mod command_metadata;
mod derived_id;
mod event_store;
mod http;
pub mod identity;
pub mod integrations;
mod lead_command_service;
pub mod lead_erasure;
mod lead_followups;
pub mod outbox_relay;
mod pipeline_metrics;
pub mod scoring;
pub mod sequences;
pub mod webhooks;

pub use aggregate_store::{AggregateStore, ExecuteError, Executed};
pub use command_metadata::CommandMetadata;
pub use event_store::{event_store_of, lead_event_store, EventStoreOf, LeadEventStore, SealedRepository};
pub use http::{configure, routes, BatchLimits, CommandServices, ImportLimits, CREDENTIAL_ROUTES};
pub use lead_command_service::{CommandError, CommandOutcome, LeadCommandService};
pub use lead_followups::LeadFollowUps;
pub use outbox_relay::{OutboxRelay, RelaySettings};
