use chrono::{DateTime, Utc};
use cqrs_es::event_sink::EventSink;
use cqrs_es::Aggregate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::commands::{BatchAction, BatchCommand, ItemOutcome, SubmitBatch};
use super::error::BatchError;
use super::events::*;
use crate::values::TenantId;

/// A batch's progress, folded from its events. Only counts and which items are done: the
/// results themselves stay in the events, so loading a batch of 5,000 stays cheap.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Batch {
    pub batch_id: Option<Uuid>,
    pub tenant_id: Option<TenantId>,
    pub total: u32,
    pub processed: u32,
    pub failed: u32,
    pub submitted_by: Option<String>,
    pub webhook_url: Option<String>,
    pub submitted_at: Option<DateTime<Utc>>,
    /// One bit per item: set once the item has an outcome.
    done: Vec<u64>,
    pub finished: bool,
}

impl Batch {
    /// Decides which events `command` produces; an outcome for an item that already has one
    /// produces none, so a worker that resumes after a crash cannot count an item twice.
    pub fn decide(&self, command: &BatchCommand) -> Result<Vec<BatchEvent>, BatchError> {
        let tenant_id = command.tenant_id;
        let at = command.issued_at;
        match &command.action {
            BatchAction::Submit(submit) => self.submit(tenant_id, submit, at),
            BatchAction::Record { .. } if self.tenant_id != Some(tenant_id) => Err(BatchError::NotFound),
            BatchAction::Record { index, .. } if *index >= self.total => Err(BatchError::NoSuchItem {
                index: *index,
                total: self.total,
            }),
            BatchAction::Record { index, .. } if self.is_done(*index) => Ok(vec![]),
            BatchAction::Record { index, outcome } => {
                let mut events = vec![match outcome.clone() {
                    ItemOutcome::Qualified {
                        lead_id,
                        email,
                        score,
                        tier,
                    } => BatchEvent::ItemQualified(ItemQualified {
                        tenant_id,
                        index: *index,
                        lead_id,
                        email,
                        score,
                        tier,
                        processed_at: at,
                    }),
                    ItemOutcome::Failed { email, error } => BatchEvent::ItemFailed(ItemFailed {
                        tenant_id,
                        index: *index,
                        email,
                        error,
                        processed_at: at,
                    }),
                }];
                let (processed, failed) = match outcome {
                    ItemOutcome::Qualified { .. } => (self.processed + 1, self.failed),
                    ItemOutcome::Failed { .. } => (self.processed, self.failed + 1),
                };
                if processed + failed == self.total {
                    events.push(self.finish(tenant_id, processed, failed, at));
                }
                Ok(events)
            }
        }
    }

    fn submit(&self, tenant_id: TenantId, s: &SubmitBatch, at: DateTime<Utc>) -> Result<Vec<BatchEvent>, BatchError> {
        if self.batch_id.is_some() {
            return Err(BatchError::AlreadyExists);
        }
        if s.total == 0 {
            return Err(BatchError::Empty);
        }
        Ok(vec![BatchEvent::Submitted(BatchSubmitted {
            tenant_id,
            batch_id: s.batch_id,
            total: s.total,
            submitted_by: s.submitted_by.clone(),
            priority: s.priority.clone(),
            webhook_url: s.webhook_url.clone(),
            submitted_at: at,
        })])
    }

    fn finish(&self, tenant_id: TenantId, processed: u32, failed: u32, at: DateTime<Utc>) -> BatchEvent {
        if processed == 0 {
            return BatchEvent::Failed(BatchFailed {
                tenant_id,
                total: self.total,
                failed,
                webhook_url: self.webhook_url.clone(),
                failed_at: at,
            });
        }
        let elapsed = self
            .submitted_at
            .map_or(0, |start| (at - start).num_milliseconds().max(0));
        BatchEvent::Completed(BatchCompleted {
            tenant_id,
            total: self.total,
            processed,
            failed,
            processing_time_ms: elapsed as u64,
            webhook_url: self.webhook_url.clone(),
            completed_at: at,
        })
    }

    /// True once item `index` has an outcome.
    pub fn is_done(&self, index: u32) -> bool {
        let (word, bit) = (index as usize / 64, index % 64);
        self.done.get(word).is_some_and(|w| w & (1 << bit) != 0)
    }

    fn mark_done(&mut self, index: u32) {
        let (word, bit) = (index as usize / 64, index % 64);
        if self.done.len() <= word {
            self.done.resize(word + 1, 0);
        }
        self.done[word] |= 1 << bit;
    }
}

impl Aggregate for Batch {
    const TYPE: &'static str = "batch";
    type Command = BatchCommand;
    type Event = BatchEvent;
    type Error = BatchError;
    type Services = ();

    async fn handle(&mut self, command: BatchCommand, _: &(), sink: &EventSink<Self>) -> Result<(), BatchError> {
        for event in self.decide(&command)? {
            sink.write(event, self).await;
        }
        Ok(())
    }

    fn apply(&mut self, event: BatchEvent) {
        match event {
            BatchEvent::Submitted(e) => {
                *self = Batch {
                    batch_id: Some(e.batch_id),
                    tenant_id: Some(e.tenant_id),
                    total: e.total,
                    submitted_by: Some(e.submitted_by),
                    webhook_url: e.webhook_url,
                    submitted_at: Some(e.submitted_at),
                    ..Batch::default()
                };
            }
            BatchEvent::ItemQualified(e) => {
                self.processed += 1;
                self.mark_done(e.index);
            }
            BatchEvent::ItemFailed(e) => {
                self.failed += 1;
                self.mark_done(e.index);
            }
            BatchEvent::Completed(_) | BatchEvent::Failed(_) => self.finished = true,
        }
    }
}
