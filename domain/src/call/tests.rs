//! The Call's rules.

use chrono::{DateTime, Duration, TimeZone, Utc};
use cqrs_es::Aggregate;
use uuid::Uuid;

use super::*;
use crate::conversation::{analyze, ConversationState, Language};
use crate::values::{PhoneNumber, TenantId};

fn at(minutes: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 5, 1, 15, 0, 0).unwrap() + Duration::minutes(minutes)
}

fn command(minutes: i64, action: CallAction) -> CallCommand {
    CallCommand {
        tenant_id: TenantId(Uuid::from_u128(1)),
        issued_at: at(minutes),
        action,
    }
}

fn run(call: &mut Call, minutes: i64, action: CallAction) -> Vec<&'static str> {
    let events = call.decide(&command(minutes, action)).unwrap();
    let names = events.iter().map(CallEvent::name).collect();
    for event in events {
        call.apply(event);
    }
    names
}

fn queued() -> Call {
    let mut call = Call::default();
    let create = CallAction::Create(CreateCall {
        call_id: Uuid::from_u128(9),
        lead_id: Uuid::from_u128(8),
        direction: CallDirection::Outbound,
        phone: PhoneNumber::parse("+56912345678").unwrap(),
        purpose: None,
        language: Language::En,
        provider: "local".into(),
        provider_call_id: "local-9".into(),
    });
    run(&mut call, 0, create);
    call
}

fn turn(text: &str) -> CallAction {
    CallAction::RecordTurn {
        customer_text: text.into(),
        reply: Some("ok".into()),
        analysis: analyze(text),
        state: ConversationState::Discovery,
        should_continue: true,
    }
}

#[test]
fn a_call_goes_from_queued_through_turns_to_a_summary() {
    let mut call = queued();
    assert_eq!(call.status, CallStatus::Queued);
    assert_eq!(call.decide(&command(1, turn("hello"))), Err(CallError::NotStarted));
    let start = CallAction::Start {
        opening_message: "Hi".into(),
    };
    assert_eq!(run(&mut call, 1, start.clone()), ["call.started"]);
    assert!(run(&mut call, 1, start).is_empty(), "a second start changes nothing");
    run(&mut call, 2, turn("Yes, tell me more"));
    run(&mut call, 3, turn("Can we schedule a demo?"));
    assert_eq!(call.turns.len(), 2);
    assert_eq!(call.turns[1].index, 1);
    let end = CallAction::End {
        reason: "completed".into(),
        outcome: Some("appointment_scheduled".into()),
    };
    assert_eq!(run(&mut call, 13, end.clone()), ["call.completed"]);
    let completed = call.completed.clone().unwrap();
    assert_eq!(completed.summary.duration_minutes, 12.0);
    assert_eq!(completed.summary.total_exchanges, 2);
    assert_eq!(completed.summary.outcome.as_deref(), Some("appointment_scheduled"));
    assert_eq!(call.status, CallStatus::Completed);
    assert!(run(&mut call, 14, end).is_empty(), "ending twice changes nothing");
    assert_eq!(
        call.decide(&command(14, turn("one more thing"))),
        Err(CallError::Finished("completed"))
    );
}

#[test]
fn unanswered_and_failed_calls_fail() {
    let mut call = queued();
    let end = CallAction::End {
        reason: "completed".into(),
        outcome: None,
    };
    assert_eq!(run(&mut call, 1, end), ["call.failed"], "nobody answered");
    let mut call = queued();
    run(
        &mut call,
        1,
        CallAction::Start {
            opening_message: "Hi".into(),
        },
    );
    let busy = CallAction::End {
        reason: "busy".into(),
        outcome: None,
    };
    assert_eq!(run(&mut call, 2, busy), ["call.failed"]);
    assert_eq!(call.status, CallStatus::Failed);
    assert!(run(&mut call, 3, CallAction::Fail { reason: "error".into() }).is_empty());
}

#[test]
fn strangers_and_duplicates_are_refused() {
    let call = queued();
    let stranger = CallCommand {
        tenant_id: TenantId(Uuid::from_u128(2)),
        ..command(1, CallAction::Fail { reason: "x".into() })
    };
    assert_eq!(call.decide(&stranger), Err(CallError::NotFound));
    let again = command(
        1,
        CallAction::Create(CreateCall {
            call_id: Uuid::from_u128(9),
            lead_id: Uuid::from_u128(8),
            direction: CallDirection::Inbound,
            phone: PhoneNumber::parse("+56912345678").unwrap(),
            purpose: None,
            language: Language::Es,
            provider: "vapi".into(),
            provider_call_id: "v-1".into(),
        }),
    );
    assert_eq!(call.decide(&again), Err(CallError::AlreadyExists));
}

#[test]
fn a_call_takes_turns_only_while_answered_and_up_to_its_bound() {
    let mut call = queued();
    let tenant = TenantId(Uuid::from_u128(1));
    assert_eq!(call.takes_a_turn(tenant), Err(CallError::NotStarted));
    assert_eq!(
        call.takes_a_turn(TenantId(Uuid::from_u128(2))),
        Err(CallError::NotFound)
    );
    run(
        &mut call,
        1,
        CallAction::Start {
            opening_message: "Hi".into(),
        },
    );
    for _ in 0..aggregate::MAX_TURNS {
        run(&mut call, 2, turn("yes"));
    }
    assert_eq!(call.takes_a_turn(tenant), Err(CallError::TooManyTurns));
    assert_eq!(call.decide(&command(3, turn("one more"))), Err(CallError::TooManyTurns));
}
