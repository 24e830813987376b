//! The Batch's rules.

use chrono::{TimeZone, Utc};
use cqrs_es::Aggregate;
use uuid::Uuid;

use super::*;
use crate::scoring::Tier;
use crate::values::TenantId;

fn command(minute: u32, action: BatchAction) -> BatchCommand {
    BatchCommand {
        tenant_id: TenantId(Uuid::from_u128(1)),
        issued_at: Utc.with_ymd_and_hms(2026, 1, 1, 10, minute, 0).unwrap(),
        action,
    }
}

fn submitted(total: u32) -> Batch {
    let mut batch = Batch::default();
    let submit = SubmitBatch {
        batch_id: Uuid::from_u128(7),
        total,
        submitted_by: "user:1".into(),
        priority: "normal".into(),
        webhook_url: None,
    };
    for event in batch.decide(&command(0, BatchAction::Submit(submit))).unwrap() {
        batch.apply(event);
    }
    batch
}

fn qualified(index: u32) -> BatchAction {
    BatchAction::Record {
        index,
        outcome: ItemOutcome::Qualified {
            lead_id: Uuid::from_u128(100 + u128::from(index)),
            email: None,
            score: 70.0,
            tier: Tier::Warm,
        },
    }
}

fn record(batch: &mut Batch, minute: u32, action: BatchAction) -> Vec<&'static str> {
    let events = batch.decide(&command(minute, action)).unwrap();
    let names = events.iter().map(BatchEvent::name).collect();
    for event in events {
        batch.apply(event);
    }
    names
}

#[test]
fn the_last_outcome_completes_the_batch_with_its_counts_and_time() {
    let mut batch = submitted(3);
    assert_eq!(record(&mut batch, 1, qualified(0)), ["batch.item_qualified"]);
    let failure = BatchAction::Record {
        index: 2,
        outcome: ItemOutcome::Failed {
            email: Some("bad".into()),
            error: "email: invalid".into(),
        },
    };
    assert_eq!(record(&mut batch, 1, failure), ["batch.item_failed"]);
    let events = batch.decide(&command(2, qualified(1))).unwrap();
    let BatchEvent::Completed(done) = &events[1] else {
        panic!("{events:?}")
    };
    assert_eq!((done.total, done.processed, done.failed), (3, 2, 1));
    assert_eq!(done.processing_time_ms, 120_000);
}

#[test]
fn an_item_is_counted_once_and_only_items_of_the_batch() {
    let mut batch = submitted(2);
    record(&mut batch, 1, qualified(1));
    assert!(batch.decide(&command(1, qualified(1))).unwrap().is_empty());
    assert_eq!(batch.processed, 1);
    assert_eq!(
        batch.decide(&command(1, qualified(2))),
        Err(BatchError::NoSuchItem { index: 2, total: 2 })
    );
    let stranger = BatchCommand {
        tenant_id: TenantId(Uuid::from_u128(2)),
        ..command(1, qualified(0))
    };
    assert_eq!(batch.decide(&stranger), Err(BatchError::NotFound));
}

#[test]
fn a_batch_where_nothing_qualified_failed() {
    let mut batch = submitted(1);
    let failure = BatchAction::Record {
        index: 0,
        outcome: ItemOutcome::Failed {
            email: None,
            error: "no email".into(),
        },
    };
    assert_eq!(record(&mut batch, 1, failure), ["batch.item_failed", "batch.failed"]);
    assert!(batch.finished);
}

#[test]
fn an_empty_batch_is_refused_and_a_batch_is_submitted_once() {
    let mut batch = Batch::default();
    let submit = SubmitBatch {
        batch_id: Uuid::from_u128(7),
        total: 0,
        submitted_by: "user:1".into(),
        priority: "normal".into(),
        webhook_url: None,
    };
    assert_eq!(
        batch.decide(&command(0, BatchAction::Submit(submit.clone()))),
        Err(BatchError::Empty)
    );
    batch = submitted(70);
    assert_eq!(
        batch.decide(&command(0, BatchAction::Submit(submit))),
        Err(BatchError::AlreadyExists)
    );
    // Items past the first 64 land in the next word of the bitset.
    record(&mut batch, 1, qualified(69));
    assert!(batch.is_done(69) && !batch.is_done(5));
}
