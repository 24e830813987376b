//! The Appointment's rules and the slot finder.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use cqrs_es::Aggregate;
use std::collections::BTreeMap;
use uuid::Uuid;

use super::*;
use crate::lead::Channel;
use crate::values::{AgentId, TenantId};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 5, 4, 12, 0, 0).unwrap()
}

fn command(at: DateTime<Utc>, action: AppointmentAction) -> AppointmentCommand {
    AppointmentCommand {
        tenant_id: TenantId(Uuid::from_u128(1)),
        issued_at: at,
        action,
    }
}

fn booking(starts_at: DateTime<Utc>, duration: u32) -> AppointmentAction {
    AppointmentAction::Schedule(ScheduleAppointment {
        appointment_id: Uuid::from_u128(7),
        lead_id: Uuid::from_u128(8),
        agent_id: AgentId(Uuid::from_u128(9)),
        starts_at,
        duration_minutes: duration,
        appointment_type: "consultation".into(),
        notes: None,
        location: None,
        reminders_minutes_before: DEFAULT_REMINDERS_MINUTES.to_vec(),
    })
}

fn run(appointment: &mut Appointment, at: DateTime<Utc>, action: AppointmentAction) -> Vec<&'static str> {
    let events = appointment.decide(&command(at, action)).unwrap();
    let names = events.iter().map(AppointmentEvent::name).collect();
    for event in events {
        appointment.apply(event);
    }
    names
}

fn booked() -> Appointment {
    let mut appointment = Appointment::default();
    run(&mut appointment, now(), booking(now() + Duration::days(2), 30));
    appointment
}

#[test]
fn bookings_are_in_the_future_and_of_sane_length() {
    let empty = Appointment::default();
    assert_eq!(
        empty.decide(&command(now(), booking(now() - Duration::minutes(1), 30))),
        Err(AppointmentError::InThePast)
    );
    assert_eq!(
        empty.decide(&command(now(), booking(now() + Duration::hours(1), 600))),
        Err(AppointmentError::BadDuration)
    );
    let appointment = booked();
    assert_eq!(appointment.status, AppointmentStatus::Scheduled);
    assert_eq!(
        appointment.ends_at(),
        Some(now() + Duration::days(2) + Duration::minutes(30))
    );
    assert_eq!(appointment.reminders_minutes_before, [1440, 60]);
}

#[test]
fn an_appointment_is_confirmed_moved_held_or_cancelled() {
    let mut appointment = booked();
    assert_eq!(
        run(&mut appointment, now(), AppointmentAction::Confirm),
        ["appointment.confirmed"]
    );
    assert!(run(&mut appointment, now(), AppointmentAction::Confirm).is_empty());
    let later = now() + Duration::days(3);
    let move_it = AppointmentAction::Reschedule {
        starts_at: later,
        duration_minutes: Some(45),
    };
    assert_eq!(run(&mut appointment, now(), move_it), ["appointment.rescheduled"]);
    assert_eq!(
        appointment.status,
        AppointmentStatus::Scheduled,
        "a moved meeting needs confirming again"
    );
    assert_eq!(
        appointment.decide(&command(now(), AppointmentAction::Complete { notes: None })),
        Err(AppointmentError::NotYetHeld)
    );
    let held = later + Duration::minutes(50);
    assert_eq!(
        run(
            &mut appointment,
            held,
            AppointmentAction::Complete {
                notes: Some("signed".into())
            }
        ),
        ["appointment.completed"]
    );
    assert_eq!(
        appointment.decide(&command(held, AppointmentAction::Cancel { reason: None })),
        Err(AppointmentError::Closed("completed"))
    );
    let mut cancelled = booked();
    let cancel = AppointmentAction::Cancel {
        reason: Some("client travelling".into()),
    };
    assert_eq!(run(&mut cancelled, now(), cancel.clone()), ["appointment.cancelled"]);
    assert!(run(&mut cancelled, now(), cancel).is_empty());
    let remind = AppointmentAction::RecordReminder {
        channel: Channel::Sms,
        to: "+56912345678".into(),
        message: "see you".into(),
        trigger: ReminderTrigger::Manual,
        minutes_before: None,
    };
    assert_eq!(
        cancelled.decide(&command(now(), remind.clone())),
        Err(AppointmentError::Closed("cancelled"))
    );
    let mut missed = booked();
    run(&mut missed, now(), remind);
    assert_eq!(missed.reminders_sent, 1);
    assert_eq!(
        run(&mut missed, now() + Duration::days(2), AppointmentAction::MarkNoShow),
        ["appointment.no_show"]
    );
}

fn santiago_hours() -> BusinessHours {
    let mut days = BTreeMap::new();
    for day in ["monday", "tuesday"] {
        days.insert(
            day.to_string(),
            OpeningHours {
                open: "09:00".into(),
                close: "11:00".into(),
            },
        );
    }
    BusinessHours::parse("America/Santiago", &days).unwrap()
}

#[test]
fn slots_follow_business_hours_in_the_tenants_time_zone_and_skip_bookings() {
    let hours = santiago_hours();
    // Monday 4 May 2026: Santiago is UTC−4, so 09:00 there is 13:00 UTC.
    let day = NaiveDate::from_ymd_opt(2026, 5, 4).unwrap();
    let query = SlotQuery {
        from: day,
        to: day + Duration::days(6),
        duration_minutes: 30,
        step_minutes: 30,
        not_before: Utc.with_ymd_and_hms(2026, 5, 4, 0, 0, 0).unwrap(),
        limit: 100,
    };
    let booked_start = Utc.with_ymd_and_hms(2026, 5, 4, 13, 30, 0).unwrap();
    let busy = [(booked_start, booked_start + Duration::minutes(45))];
    let slots = available_slots(&hours, &query, &busy);
    let starts: Vec<String> = slots.iter().map(|s| s.local_start.clone()).collect();
    assert_eq!(
        starts,
        [
            "2026-05-04T09:00:00-04:00",
            "2026-05-04T10:30:00-04:00",
            "2026-05-05T09:00:00-04:00",
            "2026-05-05T09:30:00-04:00",
            "2026-05-05T10:00:00-04:00",
            "2026-05-05T10:30:00-04:00",
        ]
    );
    assert_eq!(slots[0].starts_at, Utc.with_ymd_and_hms(2026, 5, 4, 13, 0, 0).unwrap());
    let later = SlotQuery {
        not_before: Utc.with_ymd_and_hms(2026, 5, 5, 13, 45, 0).unwrap(),
        ..query
    };
    assert_eq!(
        available_slots(&hours, &later, &[]).len(),
        2,
        "slots already begun are gone"
    );
}

#[test]
fn business_hours_are_validated() {
    let mut days = BTreeMap::new();
    days.insert(
        "funday".to_string(),
        OpeningHours {
            open: "09:00".into(),
            close: "17:00".into(),
        },
    );
    days.insert(
        "monday".to_string(),
        OpeningHours {
            open: "18:00".into(),
            close: "09:00".into(),
        },
    );
    let errors = BusinessHours::parse("Mars/Olympus", &days).unwrap_err();
    let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["timezone", "business_hours.funday", "business_hours.monday"]);
    assert_eq!(BusinessHours::default().opening_hours().len(), 5);
}
