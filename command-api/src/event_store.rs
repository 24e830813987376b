//! The event store every aggregate is loaded from: postgres-es over the `events` and
//! `snapshots` tables, behind a repository that seals personal fields on the way in and opens
//! them on the way out (see `leadstream_event_log::personal_data`), so nothing personal reaches
//! the log, the snapshots or Kafka in clear.

use cqrs_es::persist::{
    PersistedEventRepository, PersistedEventStore, PersistenceError, ReplayStream, SerializedEvent, SerializedSnapshot,
};
use cqrs_es::Aggregate;
use leadstream_domain::lead::Lead;
use leadstream_event_log::personal_data::{self, KeyDurability, SubjectKeys};
use postgres_es::PostgresEventRepository;
use serde_json::Value;
use sqlx::PgPool;
use uuid::Uuid;

/// The lead event store, snapshotting.
pub type LeadEventStore = PersistedEventStore<SealedRepository, Lead>;

/// An event store of aggregate `A` over the sealed repository.
pub type EventStoreOf<A> = PersistedEventStore<SealedRepository, A>;

/// Builds the lead store, snapshotting every `snapshot_every` events so loading a long stream
/// reads one snapshot and a short tail instead of the whole history.
pub fn lead_event_store(pool: PgPool, snapshot_every: usize) -> LeadEventStore {
    PersistedEventStore::new_snapshot_store(SealedRepository::new(pool), snapshot_every.max(1))
}

/// A store of `A` without snapshots.
pub fn event_store_of<A: Aggregate>(pool: PgPool) -> EventStoreOf<A> {
    PersistedEventStore::new_event_store(SealedRepository::new(pool))
}

/// postgres-es's repository with personal fields sealed for their subject: the lead the event
/// names, else the stream's own id (a lead's stream is its lead's).
pub struct SealedRepository {
    inner: PostgresEventRepository,
    pool: PgPool,
}

impl SealedRepository {
    /// The repository over `pool`'s `events` and `snapshots`.
    pub fn new(pool: PgPool) -> Self {
        Self {
            inner: PostgresEventRepository::new(pool.clone()).with_tables("events", "snapshots"),
            pool,
        }
    }

    async fn opened(&self, mut events: Vec<SerializedEvent>) -> Result<Vec<SerializedEvent>, PersistenceError> {
        let mut conn = self.pool.acquire().await.map_err(connection)?;
        let parts = events
            .iter_mut()
            .filter_map(|e| Some((e.event_type.as_str(), e.payload.get_mut("data")?)))
            .collect();
        personal_data::open_events(&mut conn, parts).await.map_err(connection)?;
        Ok(events)
    }
}

impl PersistedEventRepository for SealedRepository {
    async fn get_events<A: Aggregate>(&self, aggregate_id: &str) -> Result<Vec<SerializedEvent>, PersistenceError> {
        let events = self.inner.get_events::<A>(aggregate_id).await?;
        self.opened(events).await
    }

    async fn get_last_events<A: Aggregate>(
        &self,
        aggregate_id: &str,
        last_sequence: usize,
    ) -> Result<Vec<SerializedEvent>, PersistenceError> {
        let events = self.inner.get_last_events::<A>(aggregate_id, last_sequence).await?;
        self.opened(events).await
    }

    async fn get_snapshot<A: Aggregate>(
        &self,
        aggregate_id: &str,
    ) -> Result<Option<SerializedSnapshot>, PersistenceError> {
        let Some(mut snapshot) = self.inner.get_snapshot::<A>(aggregate_id).await? else {
            return Ok(None);
        };
        let keys = match personal_data::document_subject(&snapshot.aggregate) {
            Some(subject) => {
                let mut conn = self.pool.acquire().await.map_err(connection)?;
                personal_data::keys_to_open(&mut conn, &[subject])
                    .await
                    .map_err(connection)?
            }
            None => SubjectKeys::default(),
        };
        // A snapshot whose key is gone is no snapshot: the stream is read from its start.
        Ok(
            personal_data::open_document(&snapshot.aggregate, &keys).map(|aggregate| {
                snapshot.aggregate = aggregate;
                snapshot
            }),
        )
    }

    async fn persist<A: Aggregate>(
        &self,
        events: &[SerializedEvent],
        snapshot_update: Option<(String, Value, usize)>,
    ) -> Result<(), PersistenceError> {
        let mut sealed = events.to_vec();
        let streams: Vec<Option<Uuid>> = sealed.iter().map(|e| Uuid::parse_str(&e.aggregate_id).ok()).collect();
        let payloads = sealed.iter_mut().map(|e| &mut e.payload).zip(streams).collect();
        // A lead's snapshot is sealed for the lead: its key comes back with the events'.
        let snapshot_subject: Vec<Uuid> = snapshot_update
            .as_ref()
            .and_then(|(id, _, _)| Uuid::parse_str(id).ok())
            .into_iter()
            .collect();
        let mut conn = self.pool.acquire().await.map_err(connection)?;
        let keys = personal_data::seal_events(&mut conn, payloads, &snapshot_subject, KeyDurability::AheadOfTheAppend)
            .await
            .map_err(connection)?;
        drop(conn);
        let snapshot_update = snapshot_update.and_then(|(id, aggregate, version)| {
            let subject = Uuid::parse_str(&id).ok()?;
            personal_data::seal_document(&aggregate, subject, &keys).map(|sealed| (id, sealed, version))
        });
        self.inner.persist::<A>(&sealed, snapshot_update).await
    }

    /// Streams as stored (sealed): replays that need the personal fields load aggregates instead.
    async fn stream_events<A: Aggregate>(&self, aggregate_id: &str) -> Result<ReplayStream, PersistenceError> {
        self.inner.stream_events::<A>(aggregate_id).await
    }

    /// Streams as stored (sealed).
    async fn stream_all_events<A: Aggregate>(&self) -> Result<ReplayStream, PersistenceError> {
        self.inner.stream_all_events::<A>().await
    }
}

fn connection(error: sqlx::Error) -> PersistenceError {
    PersistenceError::ConnectionError(Box::new(error))
}
