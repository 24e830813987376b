use cqrs_es::persist::EventStoreAggregateContext;
use cqrs_es::{AggregateError, EventStore};
use leadstream_domain::lead::{Lead, LeadAction, LeadCommand, LeadError};
use sqlx::PgPool;
use std::time::Duration;
use uuid::Uuid;

use crate::{CommandMetadata, LeadEventStore};
use leadstream_event_log::personal_data::{seal_events, KeyDurability};

/// How often a command without an expected version is tried before it reports contention.
const MAX_ATTEMPTS: u32 = 12;

/// What a command left behind: the lead's new state, its version and the global position of
/// its last event (for read-your-writes).
#[derive(Debug, Clone)]
pub struct CommandOutcome {
    pub lead_id: Uuid,
    pub lead: Lead,
    pub version: u64,
    pub position: Option<i64>,
}

/// Why a command was not carried out.
#[derive(Debug)]
pub enum CommandError {
    /// The lead refused it.
    Domain(LeadError),
    /// The caller said which version it changes, and the lead is at another.
    VersionMismatch { expected: u64, actual: u64 },
    /// Other writers kept winning the race.
    Contended,
    /// The store failed.
    Store(String),
}

impl std::fmt::Display for CommandError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Domain(e) => e.fmt(f),
            Self::VersionMismatch { expected, actual } => {
                write!(f, "expected version {expected}, lead is at version {actual}")
            }
            Self::Contended => f.write_str("too many concurrent writers; retry"),
            Self::Store(e) => write!(f, "event store: {e}"),
        }
    }
}

/// Runs lead commands: load, decide, append with optimistic concurrency, report the position.
#[derive(Clone)]
pub struct LeadCommandService {
    store: std::sync::Arc<LeadEventStore>,
    pool: PgPool,
}

impl LeadCommandService {
    /// A service over `store`, reading outbox positions through `pool`.
    pub fn new(store: LeadEventStore, pool: PgPool) -> Self {
        Self {
            store: std::sync::Arc::new(store),
            pool,
        }
    }

    /// The pool the store lives in.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Executes `command` on lead `lead_id`. With `expected_version`, the command applies only
    /// to that version (a lost race is a `VersionMismatch`); without, a lost race is retried
    /// against the new state, so concurrent writers never lose an update.
    pub async fn execute(
        &self,
        lead_id: Uuid,
        command: LeadCommand,
        expected_version: Option<u64>,
        metadata: &CommandMetadata,
    ) -> Result<CommandOutcome, CommandError> {
        let id = lead_id.to_string();
        let is_create = matches!(
            command.action,
            LeadAction::Create(_) | LeadAction::CreateQualified { .. }
        );
        for attempt in 0..MAX_ATTEMPTS {
            if attempt > 0 {
                // Jittered, growing pauses, so writers that collided do not collide again.
                let jitter = Uuid::new_v4().as_u128() % 1000;
                tokio::time::sleep(Duration::from_micros((500 + jitter as u64) * u64::from(attempt.min(8)))).await;
            }
            let context = if is_create {
                // A new lead's id was minted by us: there is no stream to read.
                EventStoreAggregateContext {
                    aggregate_id: id.clone(),
                    aggregate: Lead::default(),
                    current_sequence: 0,
                    current_snapshot: None,
                }
            } else {
                self.store.load_aggregate(&id).await.map_err(store_error)?
            };
            let current = context.current_sequence as u64;
            let events = context.aggregate.decide(&command).map_err(CommandError::Domain)?;
            if let Some(expected) = expected_version.filter(|e| *e != current) {
                return Err(CommandError::VersionMismatch {
                    expected,
                    actual: current,
                });
            }
            if events.is_empty() {
                // Already as asked: nothing to append, and the answer names the current state.
                let position = self.position_of(&id, current).await?;
                let lead = context.aggregate;
                return Ok(CommandOutcome {
                    lead_id,
                    lead,
                    version: current,
                    position,
                });
            }
            let mut lead = context.aggregate.clone();
            for event in &events {
                cqrs_es::Aggregate::apply(&mut lead, event.clone());
            }
            // `decide` leaves the context's aggregate untouched, so the store's snapshot folds
            // each event exactly once.
            let committed = match self.store.commit(events, context, metadata.to_map()).await {
                Ok(committed) => committed,
                Err(AggregateError::AggregateConflict) if expected_version.is_none() && !is_create => continue,
                Err(AggregateError::AggregateConflict) => {
                    let actual = self.current_version(&id).await?;
                    return Err(CommandError::VersionMismatch {
                        expected: expected_version.unwrap_or(current),
                        actual,
                    });
                }
                Err(other) => return Err(store_error(other)),
            };
            crate::pipeline_metrics::appended("lead", committed.len());
            let version = committed.last().map_or(current, |e| e.sequence as u64);
            let position = self.position_of(&id, version).await?;
            return Ok(CommandOutcome {
                lead_id,
                lead,
                version,
                position,
            });
        }
        Err(CommandError::Contended)
    }

    /// Creates many new leads, `chunk` per transaction: each lead's events are decided by the
    /// aggregate as for a single create, then appended with one multi-row insert (the
    /// postgres-es layout, so the store reads them like any other). Returns how many leads were
    /// created and the global position of the last event. A lead the aggregate refuses stops
    /// nothing else: its error is returned beside its id.
    pub async fn create_many(
        &self,
        commands: Vec<(Uuid, LeadCommand)>,
        metadata: &CommandMetadata,
        chunk: usize,
    ) -> Result<(u64, Option<i64>, Vec<(Uuid, LeadError)>), CommandError> {
        let metadata = serde_json::to_value(metadata.to_map()).map_err(|e| CommandError::Store(e.to_string()))?;
        let (mut created, mut position, mut refused) = (0, None, vec![]);
        for commands in commands.chunks(chunk.max(1)) {
            let (mut ids, mut sequences, mut types, mut payloads) = (vec![], vec![], vec![], vec![]);
            for (lead_id, command) in commands {
                let events = match Lead::default().decide(command) {
                    Ok(events) => events,
                    Err(error) => {
                        refused.push((*lead_id, error));
                        continue;
                    }
                };
                created += 1;
                for (i, event) in events.iter().enumerate() {
                    ids.push(lead_id.to_string());
                    sequences.push(i as i64 + 1);
                    types.push(event.name());
                    payloads.push(serde_json::to_value(event).map_err(|e| CommandError::Store(e.to_string()))?);
                }
            }
            let mut tx = self
                .pool
                .begin()
                .await
                .map_err(|e| CommandError::Store(e.to_string()))?;
            let subjects: Vec<Option<Uuid>> = ids.iter().map(|id| Uuid::parse_str(id).ok()).collect();
            let events = payloads.iter_mut().zip(subjects).collect();
            seal_events(&mut tx, events, &[], KeyDurability::WithTheAppend)
                .await
                .map_err(|e| CommandError::Store(e.to_string()))?;
            sqlx::query(
                "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata)
                 SELECT 'lead', id, seq, event_type, '1', payload, $5
                   FROM unnest($1::text[], $2::bigint[], $3::text[], $4::jsonb[]) AS e(id, seq, event_type, payload)",
            )
            .bind(&ids)
            .bind(&sequences)
            .bind(&types)
            .bind(&payloads)
            .bind(&metadata)
            .execute(&mut *tx)
            .await
            .map_err(|e| CommandError::Store(e.to_string()))?;
            let last: Option<i64> = sqlx::query_scalar(
                "SELECT max(position) FROM outbox WHERE aggregate_type = 'lead' AND aggregate_id = ANY($1)",
            )
            .bind(&ids)
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| CommandError::Store(e.to_string()))?;
            tx.commit().await.map_err(|e| CommandError::Store(e.to_string()))?;
            crate::pipeline_metrics::appended("lead", ids.len());
            position = position.max(last);
        }
        Ok((created, position, refused))
    }

    /// Which of `emails` (lower-cased) and `phones` the tenant's leads already have, as the
    /// read model shows them (a lead created in the last moments may not be there yet).
    pub async fn existing_contacts(
        &self,
        tenant: Uuid,
        emails: &[String],
        phones: &[String],
    ) -> Result<(std::collections::HashSet<String>, std::collections::HashSet<String>), sqlx::Error> {
        let emails: Vec<String> = sqlx::query_scalar(
            "SELECT DISTINCT lower(l.email) FROM leads l JOIN unnest($2::text[]) AS e(v) ON lower(l.email) = e.v
              WHERE l.tenant_id = $1",
        )
        .bind(tenant)
        .bind(emails)
        .fetch_all(&self.pool)
        .await?;
        let phones: Vec<String> = sqlx::query_scalar(
            "SELECT DISTINCT l.phone FROM leads l JOIN unnest($2::text[]) AS p(v) ON l.phone = p.v
              WHERE l.tenant_id = $1",
        )
        .bind(tenant)
        .bind(phones)
        .fetch_all(&self.pool)
        .await?;
        Ok((emails.into_iter().collect(), phones.into_iter().collect()))
    }

    /// The lead as its events leave it now (a default, non-existent lead for an unknown id).
    pub async fn load(&self, lead_id: Uuid) -> Result<Lead, CommandError> {
        let context = self
            .store
            .load_aggregate(&lead_id.to_string())
            .await
            .map_err(store_error)?;
        Ok(context.aggregate)
    }

    async fn position_of(&self, id: &str, sequence: u64) -> Result<Option<i64>, CommandError> {
        sqlx::query_scalar(
            "SELECT position FROM outbox WHERE aggregate_type = 'lead' AND aggregate_id = $1 AND sequence = $2",
        )
        .bind(id)
        .bind(sequence as i64)
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| CommandError::Store(e.to_string()))
    }

    async fn current_version(&self, id: &str) -> Result<u64, CommandError> {
        let version: Option<i64> =
            sqlx::query_scalar("SELECT max(sequence) FROM events WHERE aggregate_type = 'lead' AND aggregate_id = $1")
                .bind(id)
                .fetch_one(&self.pool)
                .await
                .map_err(|e| CommandError::Store(e.to_string()))?;
        Ok(version.unwrap_or(0) as u64)
    }
}

fn store_error(error: AggregateError<LeadError>) -> CommandError {
    match error {
        AggregateError::UserError(e) => CommandError::Domain(e),
        AggregateError::AggregateConflict => CommandError::Contended,
        other => CommandError::Store(other.to_string()),
    }
}
impl std::error::Error for CommandError {}
