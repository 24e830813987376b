//! Runs commands on the aggregates whose commands also keep rows of the command side's own
//! (work queues, reservations, lookups): the events and those rows commit in one transaction,
//! so a reservation exists exactly when the event that made it does. Events are appended in the
//! postgres-es layout, so the event store, the outbox trigger and the relay read them as usual.

use cqrs_es::{Aggregate, DomainEvent, EventStore};
use futures::future::BoxFuture;
use sqlx::{PgConnection, PgPool};
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

use crate::CommandMetadata;
use leadstream_domain::personal_data::DataSubject;
use leadstream_event_log::personal_data::{seal_events, KeyDurability};

/// How often a command is tried against a stream other writers keep moving.
const MAX_ATTEMPTS: u32 = 8;

/// The rows an aggregate keeps beside its events, brought in line with the state `after` the
/// new `events`, inside the transaction that appends them.
pub type Companion<A> = for<'c> fn(
    &'c mut PgConnection,
    Uuid,
    &'c A,
    &'c [<A as Aggregate>::Event],
) -> BoxFuture<'c, Result<(), sqlx::Error>>;

/// What a command left: the state after it, what it appended, the stream's version and the
/// global position of its last event (for read-your-writes).
#[derive(Debug, Clone)]
pub struct Executed<A: Aggregate> {
    pub state: A,
    pub events: Vec<A::Event>,
    pub version: i64,
    pub position: Option<i64>,
}

/// Why a command was not carried out.
#[derive(Debug, thiserror::Error)]
pub enum ExecuteError<E: std::error::Error> {
    #[error("{0}")]
    Refused(E),
    /// The companion rows refused (a constraint such as the no-double-booking one).
    #[error("companion rows: {0}")]
    Companion(sqlx::Error),
    #[error("too many concurrent writers")]
    Contended,
    #[error("event store: {0}")]
    Store(String),
}

/// Loads and changes one aggregate type's streams.
pub struct AggregateStore<A: Aggregate> {
    store: Arc<crate::event_store::EventStoreOf<A>>,
    pool: PgPool,
    companion: Companion<A>,
}

impl<A: Aggregate> Clone for AggregateStore<A> {
    fn clone(&self) -> Self {
        Self {
            store: self.store.clone(),
            pool: self.pool.clone(),
            companion: self.companion,
        }
    }
}

impl<A: Aggregate + DataSubject + Clone> AggregateStore<A> {
    /// A store over `pool`'s event store whose commands also write `companion`'s rows.
    pub fn new(pool: PgPool, companion: Companion<A>) -> Self {
        Self {
            store: Arc::new(crate::event_store::event_store_of(pool.clone())),
            pool,
            companion,
        }
    }

    /// The pool the store and its companion rows live in.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// The aggregate as its events leave it (the default for an unknown id), and its version.
    pub async fn load(&self, id: Uuid) -> Result<(A, i64), String> {
        let context = self
            .store
            .load_aggregate(&id.to_string())
            .await
            .map_err(|e| e.to_string())?;
        Ok((context.aggregate, context.current_sequence as i64))
    }

    /// Decides with `decide` on the current state and appends its events with the companion
    /// rows; a lost race is decided again on the new state.
    pub async fn execute(
        &self,
        id: Uuid,
        decide: impl Fn(&A) -> Result<Vec<A::Event>, A::Error>,
        metadata: &CommandMetadata,
    ) -> Result<Executed<A>, ExecuteError<A::Error>> {
        let metadata = serde_json::to_value(metadata.to_map()).map_err(|e| ExecuteError::Store(e.to_string()))?;
        for attempt in 0..MAX_ATTEMPTS {
            if attempt > 0 {
                let jitter = Uuid::new_v4().as_u128() % 1000;
                tokio::time::sleep(Duration::from_micros((500 + jitter as u64) * u64::from(attempt))).await;
            }
            let (state, version) = self.load(id).await.map_err(ExecuteError::Store)?;
            let events = decide(&state).map_err(ExecuteError::Refused)?;
            let mut after = state;
            for event in &events {
                after.apply(event.clone());
            }
            if events.is_empty() {
                let position = self.position(id, version).await?;
                return Ok(Executed {
                    state: after,
                    events,
                    version,
                    position,
                });
            }
            match self.append(id, version, &events, &after, &metadata).await {
                Ok(position) => {
                    crate::pipeline_metrics::appended(A::TYPE, events.len());
                    return Ok(Executed {
                        state: after,
                        version: version + events.len() as i64,
                        events,
                        position,
                    });
                }
                Err(Appended::Conflict) => continue,
                Err(Appended::Companion(e)) => return Err(ExecuteError::Companion(e)),
                Err(Appended::Store(e)) => return Err(ExecuteError::Store(e)),
            }
        }
        Err(ExecuteError::Contended)
    }

    async fn append(
        &self,
        id: Uuid,
        version: i64,
        events: &[A::Event],
        after: &A,
        metadata: &serde_json::Value,
    ) -> Result<Option<i64>, Appended> {
        let store = |e: sqlx::Error| Appended::Store(e.to_string());
        let mut tx = self.pool.begin().await.map_err(store)?;
        let (mut sequences, mut types, mut versions, mut payloads) = (vec![], vec![], vec![], vec![]);
        for (i, event) in events.iter().enumerate() {
            sequences.push(version + i as i64 + 1);
            types.push(event.event_type());
            versions.push(event.event_version());
            payloads.push(serde_json::to_value(event).map_err(|e| Appended::Store(e.to_string()))?);
        }
        let subject = after.data_subject();
        let sealing = payloads.iter_mut().map(|p| (p, subject)).collect();
        seal_events(&mut tx, sealing, &[], KeyDurability::WithTheAppend)
            .await
            .map_err(store)?;
        let inserted = sqlx::query(
            "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata)
             SELECT $1, $2, s, t, v, p, $7
               FROM unnest($3::bigint[], $4::text[], $5::text[], $6::jsonb[]) AS e(s, t, v, p)",
        )
        .bind(A::TYPE)
        .bind(id.to_string())
        .bind(&sequences)
        .bind(&types)
        .bind(&versions)
        .bind(&payloads)
        .bind(metadata)
        .execute(&mut *tx)
        .await;
        match inserted {
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => return Err(Appended::Conflict),
            Err(e) => return Err(store(e)),
            Ok(_) => {}
        }
        (self.companion)(&mut tx, id, after, events)
            .await
            .map_err(Appended::Companion)?;
        let position: Option<i64> =
            sqlx::query_scalar("SELECT max(position) FROM outbox WHERE aggregate_type = $1 AND aggregate_id = $2")
                .bind(A::TYPE)
                .bind(id.to_string())
                .fetch_one(&mut *tx)
                .await
                .map_err(store)?;
        tx.commit().await.map_err(store)?;
        Ok(position)
    }

    async fn position(&self, id: Uuid, sequence: i64) -> Result<Option<i64>, ExecuteError<A::Error>> {
        sqlx::query_scalar(
            "SELECT position FROM outbox WHERE aggregate_type = $1 AND aggregate_id = $2 AND sequence = $3",
        )
        .bind(A::TYPE)
        .bind(id.to_string())
        .bind(sequence)
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| ExecuteError::Store(e.to_string()))
    }
}

/// How an append went wrong.
enum Appended {
    /// Another writer took the sequence first.
    Conflict,
    Companion(sqlx::Error),
    Store(String),
}
