//! Which facts in the event log name or quote a person. The event store seals these fields with
//! a key of the person's own (the lead they belong to) and erasure destroys that key, so the log
//! stays immutable while what it said about the person becomes unreadable. What is not listed
//! here (ids, scores, tiers, statuses, times, channels, providers' ids) is kept: it is what the
//! analytics and the read models are made of, and says nothing about who the person is.

/// What a reader sees in place of a personal field whose key was destroyed: a value of the
/// field's own type, so an erased event still reads as the event it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shredded {
    /// An optional field: absent.
    Null,
    /// A required text: [`ERASED_TEXT`].
    Text,
    /// A map (metadata): empty.
    Empty,
}

/// The text a required personal field reads as once erased.
pub const ERASED_TEXT: &str = "[erased]";

/// A personal field of an event's data: its path (`/`-separated keys, `*` for every element of
/// a list) and what it reads as once erased.
pub type PersonalField = (&'static str, Shredded);

use Shredded::{Empty, Null, Text};

/// Every event type with personal fields, and those fields.
pub const PERSONAL_FIELDS: &[(&str, &[PersonalField])] = &[
    (
        "lead.created",
        &[
            ("name", Null),
            ("first_name", Null),
            ("last_name", Null),
            ("email", Null),
            ("phone", Null),
            ("message", Null),
            ("notes", Null),
            ("metadata", Empty),
        ],
    ),
    (
        "lead.updated",
        &[
            ("changes/name", Null),
            ("changes/first_name", Null),
            ("changes/last_name", Null),
            ("changes/email", Null),
            ("changes/phone", Null),
            ("changes/message", Null),
            ("changes/notes", Null),
            ("changes/metadata", Null),
        ],
    ),
    ("lead.status_changed", &[("reason", Null)]),
    ("lead.activity_logged", &[("description", Null), ("metadata", Empty)]),
    ("lead.note_added", &[("note", Text)]),
    (
        "lead.enriched",
        &[
            ("enrichment/email_domain", Null),
            ("enrichment/website", Null),
            ("enrichment/linkedin_url", Null),
            ("enrichment/location", Null),
        ],
    ),
    ("lead.message_sent", &[("to", Text), ("subject", Null), ("body", Text)]),
    ("lead.message_received", &[("from", Text), ("body", Text)]),
    ("call.created", &[("phone", Text), ("purpose", Null)]),
    ("call.started", &[("opening_message", Text)]),
    ("call.turn_recorded", &[("customer_text", Text), ("reply", Null)]),
    (
        "call.completed",
        &[("summary/recommendation", Text), ("summary/outcome", Null)],
    ),
    ("appointment.scheduled", &[("notes", Null), ("location", Null)]),
    ("appointment.updated", &[("notes", Null), ("location", Null)]),
    ("appointment.completed", &[("notes", Null)]),
    ("appointment.cancelled", &[("reason", Null)]),
    ("appointment.reminder_sent", &[("to", Text), ("message", Text)]),
    (
        "sequence.started",
        &[("touchpoints/*/subject", Null), ("touchpoints/*/message", Null)],
    ),
    ("batch.item_qualified", &[("email", Null)]),
    ("batch.item_failed", &[("email", Null), ("error", Text)]),
];

/// The personal fields of events of `event_type` (the dotted name, e.g. `lead.created`).
pub fn personal_fields(event_type: &str) -> &'static [PersonalField] {
    PERSONAL_FIELDS
        .iter()
        .find(|(name, _)| *name == event_type)
        .map_or(&[], |(_, fields)| fields)
}

/// The person an aggregate's events speak of: whose key seals their personal fields. An event
/// that names its own lead (`lead_id` in its data, as a batch's items do) is sealed for that
/// lead instead.
pub trait DataSubject {
    /// The lead this aggregate's personal data belongs to, once known.
    fn data_subject(&self) -> Option<uuid::Uuid>;
}

/// Aggregates that belong to one lead, named by their `lead_id`.
macro_rules! owned_by_its_lead {
    ($($aggregate:ty),*) => {$(
        impl DataSubject for $aggregate {
            fn data_subject(&self) -> Option<uuid::Uuid> {
                self.lead_id
            }
        }
    )*};
}

owned_by_its_lead!(
    crate::lead::Lead,
    crate::call::Call,
    crate::appointment::Appointment,
    crate::sequence::Sequence
);

/// A batch holds many people: each item event names its lead; a failed item (which made no
/// lead) is sealed for the batch.
impl DataSubject for crate::batch::Batch {
    fn data_subject(&self) -> Option<uuid::Uuid> {
        self.batch_id
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::EventContract;

    /// Every listed event type exists, so a renamed event cannot silently stop being sealed.
    #[test]
    fn every_event_type_with_personal_fields_is_a_real_event() {
        let known: Vec<&str> = [
            crate::lead::LeadEvent::EVENT_TYPES,
            crate::call::CallEvent::EVENT_TYPES,
            crate::appointment::AppointmentEvent::EVENT_TYPES,
            crate::sequence::SequenceEvent::EVENT_TYPES,
            crate::batch::BatchEvent::EVENT_TYPES,
        ]
        .iter()
        .flat_map(|types| types.iter().map(|(name, _)| *name))
        .collect();
        for (event_type, fields) in PERSONAL_FIELDS {
            assert!(known.contains(event_type), "{event_type} is not an event type");
            assert!(!fields.is_empty(), "{event_type} lists no field");
            assert_eq!(personal_fields(event_type), *fields);
        }
        assert_eq!(PERSONAL_FIELDS.len(), 20);
        assert!(personal_fields("lead.scored").is_empty());
    }
}
