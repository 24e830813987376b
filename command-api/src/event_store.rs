use cqrs_es::persist::PersistedEventStore;
use leadstream_domain::lead::Lead;
use postgres_es::PostgresEventRepository;
use sqlx::PgPool;

/// The lead event store: postgres-es over the `events` and `snapshots` tables.
pub type LeadEventStore = PersistedEventStore<PostgresEventRepository, Lead>;

/// Builds the lead store, snapshotting every `snapshot_every` events so loading a long stream
/// reads one snapshot and a short tail instead of the whole history.
pub fn lead_event_store(pool: PgPool, snapshot_every: usize) -> LeadEventStore {
    let repository = PostgresEventRepository::new(pool).with_tables("events", "snapshots");
    PersistedEventStore::new_snapshot_store(repository, snapshot_every.max(1))
}
