use cqrs_es::persist::EventStoreAggregateContext;
use cqrs_es::{Aggregate, EventStore};
use leadstream_domain::batch::{Batch, BatchAction, BatchCommand, ItemOutcome};
use leadstream_domain::lead::{Lead, LeadAccess, LeadAction, LeadCommand, LeadError, Qualification};
use leadstream_domain::scoring::ScoringWeights;
use leadstream_domain::values::{AgentId, TenantId};
use serde_json::Value;
use sqlx::{Connection, PgPool};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{watch, Semaphore};
use uuid::Uuid;

use super::{BatchEventStore, BatchJobs};
use crate::http::qualification_requests::QualifyRequest;
use crate::integrations::Integrations;
use crate::scoring::WeightsStore;
use crate::{CommandError, CommandMetadata, LeadCommandService};

/// The first key of the advisory locks that make one worker the owner of one batch.
const BATCH_LOCK_CLASS: i32 = 0x6261;

/// How the worker runs.
#[derive(Debug, Clone)]
pub struct BatchSettings {
    /// Batches worked on at once by this instance (0: this instance works on none).
    pub workers: usize,
    /// How often the queue is looked at without a wake-up (for other instances' batches and
    /// after a restart).
    pub poll_interval: Duration,
    /// Where the items' commands take their time from.
    pub clock: crate::clock::Clock,
}

/// Works through submitted batches: each item becomes a lead, created, enriched and qualified,
/// and its outcome an event of the batch.
#[derive(Clone)]
pub struct BatchWorker {
    pool: PgPool,
    jobs: BatchJobs,
    batches: Arc<BatchEventStore>,
    leads: LeadCommandService,
    weights: WeightsStore,
    integrations: Integrations,
    settings: BatchSettings,
    running: Arc<Mutex<HashSet<Uuid>>>,
}

/// Why a batch stopped before its end; it is picked up again later.
type Interrupted = String;

impl BatchWorker {
    /// A worker over the given stores and services.
    pub fn new(
        pool: PgPool,
        jobs: BatchJobs,
        leads: LeadCommandService,
        weights: WeightsStore,
        integrations: Integrations,
        settings: BatchSettings,
    ) -> Self {
        Self {
            batches: Arc::new(super::batch_event_store(pool.clone())),
            pool,
            jobs,
            leads,
            weights,
            integrations,
            settings,
            running: Arc::default(),
        }
    }

    /// Runs until `shutdown` turns true.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        if self.settings.workers == 0 {
            return;
        }
        let slots = Arc::new(Semaphore::new(self.settings.workers));
        while !*shutdown.borrow() {
            match self.jobs.unfinished(64).await {
                Ok(batches) => {
                    for batch_id in batches {
                        let Ok(slot) = slots.clone().try_acquire_owned() else {
                            break;
                        };
                        if !self.running.lock().is_ok_and(|mut running| running.insert(batch_id)) {
                            continue;
                        }
                        let worker = self.clone();
                        tokio::spawn(async move {
                            if let Err(why) = worker.work_on(batch_id).await {
                                tracing::warn!(%batch_id, %why, "batch interrupted; it will be resumed");
                            }
                            if let Ok(mut running) = worker.running.lock() {
                                running.remove(&batch_id);
                            }
                            drop(slot);
                        });
                    }
                }
                Err(error) => tracing::warn!(%error, "cannot read the batch queue"),
            }
            tokio::select! {
                _ = self.jobs.woken() => {}
                _ = tokio::time::sleep(self.settings.poll_interval) => {}
                _ = shutdown.changed() => {}
            }
        }
    }

    /// Finishes one batch, if no other worker holds it.
    async fn work_on(&self, batch_id: Uuid) -> Result<(), Interrupted> {
        // A connection of its own, closed (not pooled) when this ends: the lock dies with it,
        // also when the process does.
        let mut lock = self.pool.acquire().await.map_err(|e| e.to_string())?.detach();
        let owned: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1, hashtext($2))")
            .bind(BATCH_LOCK_CLASS)
            .bind(batch_id.to_string())
            .fetch_one(&mut lock)
            .await
            .map_err(|e| e.to_string())?;
        if !owned {
            return Ok(());
        }
        let result = self.work_on_owned(batch_id).await;
        let _ = lock.close().await;
        result
    }

    async fn work_on_owned(&self, batch_id: Uuid) -> Result<(), Interrupted> {
        let id = batch_id.to_string();
        let mut context = self.batches.load_aggregate(&id).await.map_err(|e| e.to_string())?;
        let (Some(tenant), Some(actor)) = (context.aggregate.tenant_id, context.aggregate.submitted_by.clone()) else {
            return Err("the batch has no batch.submitted".into());
        };
        if !context.aggregate.finished {
            let agent = self.jobs.agent_of(batch_id).await.map_err(|e| e.to_string())?;
            let access = agent.map_or(LeadAccess::WholeTenant, |a| LeadAccess::AssignedTo(AgentId(a)));
            let items = self.jobs.items(batch_id).await.map_err(|e| e.to_string())?;
            // Read once per run, not per item: a batch is scored with the weights current when
            // its work (re)started.
            let weights = self
                .weights
                .current(tenant.0)
                .await
                .map_err(|e| e.to_string())?
                .weights();
            tracing::info!(%batch_id, items = items.len(), done = context.aggregate.processed + context.aggregate.failed, "working on batch");
            for (index, input) in items {
                let index = index as u32;
                if context.aggregate.is_done(index) {
                    continue;
                }
                let metadata = CommandMetadata {
                    tenant_id: tenant,
                    issued_at: self.settings.clock.now(),
                    actor: actor.clone(),
                    correlation_id: format!("batch:{batch_id}"),
                    causation_id: format!("batch:{batch_id}:{index}"),
                };
                let outcome = self
                    .qualify_item(batch_id, index, input, access, weights, &metadata)
                    .await?;
                context = self.record(context, index, outcome, &metadata).await?;
            }
        }
        if context.aggregate.finished {
            self.jobs.finish(batch_id).await.map_err(|e| e.to_string())?;
            tracing::info!(%batch_id, processed = context.aggregate.processed, failed = context.aggregate.failed, "batch finished");
        }
        Ok(())
    }

    /// Appends one item's outcome and returns the batch as it now is.
    async fn record(
        &self,
        context: EventStoreAggregateContext<Batch>,
        index: u32,
        outcome: ItemOutcome,
        metadata: &CommandMetadata,
    ) -> Result<EventStoreAggregateContext<Batch>, Interrupted> {
        let command = BatchCommand {
            tenant_id: metadata.tenant_id,
            issued_at: metadata.issued_at,
            action: BatchAction::Record { index, outcome },
        };
        let events = context.aggregate.decide(&command).map_err(|e| e.to_string())?;
        let mut next = EventStoreAggregateContext {
            aggregate_id: context.aggregate_id.clone(),
            aggregate: context.aggregate.clone(),
            current_sequence: context.current_sequence + events.len(),
            current_snapshot: None,
        };
        for event in &events {
            next.aggregate.apply(event.clone());
        }
        if !events.is_empty() {
            // Another owner cannot exist while we hold the lock, so a conflict is a real fault.
            self.batches
                .commit(events, context, metadata.to_map())
                .await
                .map_err(|e| e.to_string())?;
        }
        Ok(next)
    }

    /// Turns item `index` into a qualified lead, or says why it cannot be one. The lead's id
    /// comes from the batch and the index, so an item redone after a crash finds its lead
    /// instead of making a second one.
    async fn qualify_item(
        &self,
        batch_id: Uuid,
        index: u32,
        input: Value,
        access: LeadAccess,
        weights: ScoringWeights,
        metadata: &CommandMetadata,
    ) -> Result<ItemOutcome, Interrupted> {
        let lead_id = item_lead_id(batch_id, index);
        let email = input.get("email").and_then(Value::as_str).map(str::to_string);
        let failed = |error: String| ItemOutcome::Failed {
            email: email.clone(),
            error,
        };
        let request = match input {
            Value::Object(fields) => QualifyRequest::from_fields(fields),
            _ => return Ok(failed("not a lead: an item is a JSON object".into())),
        };
        let request = match request {
            Ok(request) => request,
            Err(e) => return Ok(failed(format!("not a lead: {e}"))),
        };
        let (lead, criteria) = match request.parse(lead_id) {
            Ok(parsed) => parsed,
            Err(errors) => return Ok(failed(errors.to_string())),
        };
        let enrichment = self.integrations.enrich(&lead.enrichment_input()).await;
        let command = LeadCommand {
            tenant_id: metadata.tenant_id,
            issued_at: metadata.issued_at,
            access,
            weights,
            action: LeadAction::CreateQualified {
                lead: Box::new(lead),
                qualification: Box::new(Qualification { criteria, enrichment }),
            },
        };
        let lead = match self.leads.execute(lead_id, command, None, metadata).await {
            Ok(outcome) => outcome.lead,
            // Made before a crash, its outcome not yet recorded: the lead is there already.
            Err(CommandError::VersionMismatch { .. }) => self.leads.load(lead_id).await.map_err(|e| e.to_string())?,
            Err(CommandError::Domain(LeadError::Invalid(errors))) => return Ok(failed(errors.to_string())),
            Err(CommandError::Domain(other)) => return Ok(failed(other.to_string())),
            Err(other) => return Err(other.to_string()),
        };
        Ok(
            qualified(lead_id, &lead, metadata.tenant_id)
                .unwrap_or_else(|| failed("the lead was not qualified".into())),
        )
    }
}

fn qualified(lead_id: Uuid, lead: &Lead, tenant: TenantId) -> Option<ItemOutcome> {
    let card = lead.score_card.as_ref().filter(|_| lead.tenant_id == Some(tenant))?;
    Some(ItemOutcome::Qualified {
        lead_id,
        email: lead.email.as_ref().map(|e| e.as_str().to_string()),
        score: card.overall_score,
        tier: card.tier,
    })
}

/// The id of the lead item `index` of batch `batch_id` becomes: the same on every attempt. A
/// batch's id is random and says nothing of anyone, so this derivation needs no secret.
pub fn item_lead_id(batch_id: Uuid, index: u32) -> Uuid {
    crate::derived_id::DerivedIds::new(&[]).of(&[batch_id.as_bytes(), &index.to_be_bytes()])
}
