//! The Sequence's rules.

use chrono::{Duration, TimeZone, Utc};
use cqrs_es::Aggregate;
use uuid::Uuid;

use super::*;
use crate::lead::Channel;
use crate::values::TenantId;

fn command(at: chrono::DateTime<Utc>, action: SequenceAction) -> SequenceCommand {
    SequenceCommand {
        tenant_id: TenantId(Uuid::from_u128(1)),
        issued_at: at,
        action,
    }
}

fn start() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 10, 0, 0).unwrap()
}

fn started() -> Sequence {
    let mut sequence = Sequence::default();
    let action = SequenceAction::Start(StartSequence {
        sequence_id: Uuid::from_u128(5),
        lead_id: Uuid::from_u128(6),
        sequence_type: "nurture".into(),
        channel: Channel::Sms,
        days: DEFAULT_TOUCHPOINT_DAYS.to_vec(),
        messages: vec![],
        campaign_id: None,
    });
    for event in sequence.decide(&command(start(), action)).unwrap() {
        sequence.apply(event);
    }
    sequence
}

fn run(sequence: &mut Sequence, at: chrono::DateTime<Utc>, action: SequenceAction) -> Vec<&'static str> {
    let events = sequence.decide(&command(at, action)).unwrap();
    let names = events.iter().map(SequenceEvent::name).collect();
    for event in events {
        sequence.apply(event);
    }
    names
}

#[test]
fn touchpoints_fall_due_on_their_days_and_go_out_once() {
    let mut sequence = started();
    let days: Vec<i64> = sequence
        .touchpoints
        .iter()
        .map(|t| (t.due_at - start()).num_days())
        .collect();
    assert_eq!(days, [3, 7, 30]);
    let early = sequence.decide(&command(
        start() + Duration::days(2),
        SequenceAction::SendTouchpoint { index: 0 },
    ));
    assert!(matches!(early, Err(SequenceError::NotDue { index: 0, .. })));
    let day3 = start() + Duration::days(3);
    assert_eq!(
        run(&mut sequence, day3, SequenceAction::SendTouchpoint { index: 0 }),
        ["sequence.touchpoint_sent"]
    );
    assert!(run(&mut sequence, day3, SequenceAction::SendTouchpoint { index: 0 }).is_empty());
    assert_eq!(sequence.next_touchpoint().map(|t| t.index), Some(1));
    let day30 = start() + Duration::days(30);
    run(&mut sequence, day30, SequenceAction::SendTouchpoint { index: 1 });
    assert_eq!(
        run(&mut sequence, day30, SequenceAction::SendTouchpoint { index: 2 }),
        ["sequence.touchpoint_sent", "sequence.completed"]
    );
    assert_eq!(sequence.status, SequenceStatus::Completed);
    assert!(sequence.next_touchpoint().is_none());
}

#[test]
fn a_stopped_sequence_sends_nothing_more() {
    let mut sequence = started();
    run(
        &mut sequence,
        start() + Duration::days(3),
        SequenceAction::SendTouchpoint { index: 0 },
    );
    let events = sequence
        .decide(&command(
            start() + Duration::days(4),
            SequenceAction::Stop {
                reason: "converted".into(),
            },
        ))
        .unwrap();
    let SequenceEvent::Stopped(stopped) = &events[0] else {
        panic!("{events:?}")
    };
    assert_eq!(stopped.cancelled, 2);
    for event in events {
        sequence.apply(event);
    }
    assert!(run(
        &mut sequence,
        start() + Duration::days(40),
        SequenceAction::SendTouchpoint { index: 1 }
    )
    .is_empty());
    assert!(run(
        &mut sequence,
        start() + Duration::days(40),
        SequenceAction::Stop { reason: "again".into() }
    )
    .is_empty());
}

#[test]
fn schedules_and_strangers_are_checked() {
    let bad = SequenceAction::Start(StartSequence {
        sequence_id: Uuid::from_u128(5),
        lead_id: Uuid::from_u128(6),
        sequence_type: "nurture".into(),
        channel: Channel::Email,
        days: vec![7, 3],
        messages: vec![],
        campaign_id: None,
    });
    assert_eq!(
        Sequence::default().decide(&command(start(), bad)),
        Err(SequenceError::BadSchedule)
    );
    let stranger = SequenceCommand {
        tenant_id: TenantId(Uuid::from_u128(2)),
        ..command(start(), SequenceAction::Stop { reason: "x".into() })
    };
    assert_eq!(started().decide(&stranger), Err(SequenceError::NotFound));
}
