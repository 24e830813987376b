//! Every event the Lead, Batch, Sequence, Call and Appointment can emit matches its published JSON Schema in
//! `schemas/events/`.

use chrono::{TimeZone, Utc};
use leadstream_domain::batch::*;
use leadstream_domain::lead::*;
use leadstream_domain::sequence::SequenceEvent;
use leadstream_domain::values::*;
use leadstream_domain::EventContract;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::path::PathBuf;
use uuid::Uuid;

fn schemas_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../schemas/events")
}

fn validator(event_type: &str, version: &str) -> jsonschema::Validator {
    let path = schemas_dir().join(format!("{event_type}.v{version}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the schema compiles")
}

/// Runs commands through the domain that, between them, emit every event type, with optional
/// fields both filled and empty.
fn every_event() -> Vec<LeadEvent> {
    let tenant_id = TenantId(Uuid::now_v7());
    let at = |m| Utc.with_ymd_and_hms(2026, 3, 1, 9, m, 0).unwrap();
    let mut lead = Lead::default();
    let mut emitted = vec![];
    let mut run = |lead: &mut Lead, action: LeadAction, minute: u32| {
        let events = lead
            .decide(&LeadCommand {
                tenant_id,
                issued_at: at(minute),
                access: LeadAccess::WholeTenant,
                weights: leadstream_domain::scoring::ScoringWeights::default(),
                action,
            })
            .expect("accepted");
        for event in events {
            cqrs_es::Aggregate::apply(lead, event.clone());
            emitted.push(event);
        }
    };
    let full = CreateLead {
        lead_id: Uuid::now_v7(),
        name: Some(PersonName::parse("name", "Ana Pérez").unwrap()),
        first_name: Some(PersonName::parse("first_name", "Ana").unwrap()),
        last_name: Some(PersonName::parse("last_name", "Pérez").unwrap()),
        email: Some(EmailAddress::parse("ana@example.com").unwrap()),
        phone: Some(PhoneNumber::parse("+56912345678").unwrap()),
        company: Some(ShortText::parse("company", "Acme").unwrap()),
        title: Some(ShortText::parse("title", "VP Sales").unwrap()),
        industry: Some(ShortText::parse("industry", "Software").unwrap()),
        source: Some(LeadSource::parse("website_form").unwrap()),
        message: Some(LongText::parse("message", "Quiero una demo este mes").unwrap()),
        notes: Some(LongText::parse("notes", "met at a fair").unwrap()),
        tags: Tags::parse(&["vip".into()]).unwrap(),
        metadata: Metadata::parse("metadata", json!({"utm": "ads"})).unwrap(),
        status: Some(LeadStatus::Contacted),
        pipeline_stage: Some(PipelineStage::Perfilamiento),
        score: Some(LeadScore::parse(72.5).unwrap()),
    };
    run(&mut lead, LeadAction::Create(Box::new(full)), 0);
    let mut sparse = Lead::default();
    let minimal = CreateLead {
        lead_id: Uuid::now_v7(),
        email: Some(EmailAddress::parse("x@example.org").unwrap()),
        ..CreateLead::default()
    };
    run(&mut sparse, LeadAction::Create(Box::new(minimal)), 1);
    // From COLD to HOT in one update: lead.scored, then lead.score_changed.
    let hot = LeadChanges {
        company: Some(ShortText::parse("company", "Acme Logistics").unwrap()),
        title: Some(ShortText::parse("title", "CEO").unwrap()),
        source: Some(LeadSource::parse("referral").unwrap()),
        message: Some(LongText::parse("message", "Necesito cotización y una visita esta semana").unwrap()),
        ..LeadChanges::default()
    };
    let heat = LeadAction::Update {
        changes: Box::new(hot),
        status: None,
        stage: None,
    };
    run(&mut sparse, heat, 1);
    let changes = LeadChanges {
        email: Some(EmailAddress::parse("ana.perez@example.com").unwrap()),
        tags: Some(Tags::parse(&["buyer".into()]).unwrap()),
        metadata: Some(Metadata::parse("metadata", json!({"crm_id": 7})).unwrap()),
        score: Some(LeadScore::parse(90.0).unwrap()),
        ..LeadChanges::default()
    };
    let update = LeadAction::Update {
        changes: Box::new(changes),
        status: Some(LeadStatus::Qualified),
        stage: Some(PipelineStage::Agendado),
    };
    run(&mut lead, update, 2);
    run(
        &mut lead,
        LeadAction::Assign {
            agent_id: AgentId(Uuid::now_v7()),
        },
        3,
    );
    run(
        &mut lead,
        LeadAction::Assign {
            agent_id: AgentId(Uuid::now_v7()),
        },
        4,
    );
    let reason = Some(LongText::parse("reason", "signed").unwrap());
    run(
        &mut lead,
        LeadAction::ChangeStatus {
            status: LeadStatus::Converted,
            reason,
        },
        5,
    );
    run(
        &mut lead,
        LeadAction::MoveToStage {
            stage: PipelineStage::Ganado,
        },
        6,
    );
    let activity = LogActivity {
        activity_type: ActivityType::parse("call").unwrap(),
        description: None,
        metadata: Metadata::default(),
    };
    run(&mut lead, LeadAction::LogActivity(activity), 7);
    run(
        &mut lead,
        LeadAction::AddNote {
            note: LongText::parse("note", "call back Monday").unwrap(),
        },
        8,
    );
    run(
        &mut lead,
        LeadAction::AddTags {
            tags: Tags::parse(&["north".into()]).unwrap(),
        },
        9,
    );
    let criteria = leadstream_domain::scoring::QualificationCriteria {
        budget: Some(leadstream_domain::scoring::BudgetLevel::High),
        timeline: None,
        decision_maker: Some(true),
    };
    let enrichment = Enrichment::derive(&lead.enrichment_input());
    let qualification = Qualification {
        criteria,
        enrichment: Some(enrichment),
    };
    run(&mut lead, LeadAction::Qualify(Box::new(qualification)), 10);
    let route = CrmRoute {
        crm: "salesforce".to_string(),
        pipeline_id: Some(ShortText::parse("pipeline_id", "default").unwrap()),
        owner_email: Some(EmailAddress::parse("rep@example.com").unwrap()),
        external_id: "local-salesforce-1".to_string(),
    };
    run(&mut lead, LeadAction::Route(Box::new(route)), 11);
    for (channel, to, subject) in [
        (Channel::Sms, "+56912345678", None),
        (Channel::Email, "ana@example.com", Some("Your visit")),
    ] {
        let message = SentMessage {
            message_id: Uuid::now_v7(),
            channel,
            to: to.to_string(),
            subject: subject.map(|s| ShortText::parse("subject", s).unwrap()),
            body: LongText::parse("message", "See you on Monday").unwrap(),
            provider: "local".to_string(),
            provider_message_id: "local-1".to_string(),
        };
        run(&mut lead, LeadAction::RecordMessage(Box::new(message)), 11);
    }
    let inbound = ReceivedMessage {
        message_id: Uuid::now_v7(),
        channel: "whatsapp".to_string(),
        from: "+56912345678".to_string(),
        body: LongText::parse("body", "Hola, ¿sigue disponible?").unwrap(),
        provider: "whatsapp".to_string(),
        provider_message_id: "wamid.1".to_string(),
    };
    run(&mut lead, LeadAction::ReceiveMessage(Box::new(inbound)), 11);
    let intake = LeadAction::CreateQualified {
        lead: Box::new(CreateLead {
            lead_id: Uuid::now_v7(),
            phone: Some(PhoneNumber::parse("+14155550123").unwrap()),
            ..CreateLead::default()
        }),
        qualification: Box::new(Qualification {
            criteria: Default::default(),
            enrichment: Some(Enrichment {
                provider: "local".to_string(),
                ..Enrichment::default()
            }),
        }),
    };
    run(&mut Lead::default(), intake, 12);
    run(&mut lead, LeadAction::Erase, 13);
    emitted
}

/// A batch's events: one that completes with a failure among its items, one where every item
/// failed.
fn every_batch_event() -> Vec<BatchEvent> {
    let tenant_id = TenantId(Uuid::now_v7());
    let at = |m| Utc.with_ymd_and_hms(2026, 3, 1, 9, m, 0).unwrap();
    let mut emitted = vec![];
    let mut run = |batch: &mut Batch, action: BatchAction, minute: u32| {
        let command = BatchCommand {
            tenant_id,
            issued_at: at(minute),
            action,
        };
        for event in batch.decide(&command).expect("accepted") {
            cqrs_es::Aggregate::apply(batch, event.clone());
            emitted.push(event);
        }
    };
    let submit = |total, webhook_url: Option<&str>| {
        BatchAction::Submit(SubmitBatch {
            batch_id: Uuid::now_v7(),
            total,
            submitted_by: "user:0193".into(),
            priority: "high".into(),
            webhook_url: webhook_url.map(str::to_string),
        })
    };
    let failure = |index| BatchAction::Record {
        index,
        outcome: ItemOutcome::Failed {
            email: Some("not-an-email".into()),
            error: "email: is not a valid e-mail address".into(),
        },
    };
    let mut batch = Batch::default();
    run(&mut batch, submit(2, Some("https://example.com/hooks/batch")), 0);
    let qualified = BatchAction::Record {
        index: 0,
        outcome: ItemOutcome::Qualified {
            lead_id: Uuid::now_v7(),
            email: Some("ana@example.com".into()),
            score: 81.5,
            tier: leadstream_domain::scoring::Tier::Hot,
        },
    };
    run(&mut batch, qualified, 1);
    run(&mut batch, failure(1), 2);
    let mut hopeless = Batch::default();
    run(&mut hopeless, submit(1, None), 3);
    run(&mut hopeless, failure(0), 4);
    emitted
}

/// A sequence that sends a touchpoint, completes; another that is stopped.
fn every_sequence_event() -> Vec<SequenceEvent> {
    use leadstream_domain::sequence::*;
    let tenant_id = TenantId(Uuid::now_v7());
    let start = Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap();
    let mut emitted = vec![];
    let mut run = |sequence: &mut Sequence, action: SequenceAction, days: i64| {
        let command = SequenceCommand {
            tenant_id,
            issued_at: start + chrono::Duration::days(days),
            action,
        };
        for event in sequence.decide(&command).expect("accepted") {
            cqrs_es::Aggregate::apply(sequence, event.clone());
            emitted.push(event);
        }
    };
    let begin = |days: Vec<u32>, messages: Vec<PlannedMessage>, campaign_id| {
        SequenceAction::Start(StartSequence {
            sequence_id: Uuid::now_v7(),
            lead_id: Uuid::now_v7(),
            sequence_type: "nurture".into(),
            channel: Channel::Sms,
            days,
            messages,
            campaign_id,
        })
    };
    let mut short = Sequence::default();
    run(&mut short, begin(vec![3], vec![], None), 0);
    run(&mut short, SequenceAction::SendTouchpoint { index: 0 }, 3);
    let mut stopped = Sequence::default();
    run(&mut stopped, begin(DEFAULT_TOUCHPOINT_DAYS.to_vec(), vec![], None), 0);
    // A campaign's sequence: each touchpoint with its own channel and message.
    let planned = vec![
        PlannedMessage {
            channel: Channel::Sms,
            subject: None,
            message: "Hola {{name}}, ¿agendamos una visita?".into(),
        },
        PlannedMessage {
            channel: Channel::Email,
            subject: Some("Your options".into()),
            message: "Hi {{name}}, here are three homes for you.".into(),
        },
    ];
    run(
        &mut Sequence::default(),
        begin(vec![1, 4], planned, Some(Uuid::now_v7())),
        0,
    );
    run(
        &mut stopped,
        SequenceAction::Stop {
            reason: "lead converted".into(),
        },
        1,
    );
    emitted
}

/// A call that talks and completes, one nobody answers, one that breaks off.
fn every_call_event() -> Vec<leadstream_domain::call::CallEvent> {
    use leadstream_domain::call::*;
    use leadstream_domain::conversation::{analyze, ConversationState, Language};
    let tenant_id = TenantId(Uuid::now_v7());
    let at = |m| Utc.with_ymd_and_hms(2026, 3, 1, 9, m, 0).unwrap();
    let mut emitted = vec![];
    let mut run = |call: &mut Call, action: CallAction, minute: u32| {
        let command = CallCommand {
            tenant_id,
            issued_at: at(minute),
            action,
        };
        for event in call.decide(&command).expect("accepted") {
            cqrs_es::Aggregate::apply(call, event.clone());
            emitted.push(event);
        }
    };
    let create = |purpose: Option<&str>, language| {
        CallAction::Create(CreateCall {
            call_id: Uuid::now_v7(),
            lead_id: Uuid::now_v7(),
            direction: CallDirection::Outbound,
            phone: PhoneNumber::parse("+56912345678").unwrap(),
            purpose: purpose.map(str::to_string),
            language,
            provider: "local".into(),
            provider_call_id: "local-1".into(),
        })
    };
    let start = || CallAction::Start {
        opening_message: "Hi Ana, this is Alex.".into(),
    };
    let mut talked = Call::default();
    run(&mut talked, create(Some("Discovery call"), Language::En), 0);
    run(&mut talked, start(), 1);
    for (text, reply) in [
        ("Too expensive, and I must ask my boss", Some("I understand.")),
        ("OK, let's schedule a demo this week", None),
    ] {
        let turn = CallAction::RecordTurn {
            customer_text: text.into(),
            reply: reply.map(str::to_string),
            analysis: analyze(text),
            state: ConversationState::ObjectionHandling,
            should_continue: reply.is_some(),
        };
        run(&mut talked, turn, 2);
    }
    let end = CallAction::End {
        reason: "completed".into(),
        outcome: Some("appointment_scheduled".into()),
    };
    run(&mut talked, end, 14);
    let mut unanswered = Call::default();
    run(&mut unanswered, create(None, Language::Es), 0);
    run(
        &mut unanswered,
        CallAction::Fail {
            reason: "no_answer".into(),
        },
        1,
    );
    emitted
}

/// An appointment moved, updated, confirmed, reminded and held; one cancelled; one missed.
fn every_appointment_event() -> Vec<leadstream_domain::appointment::AppointmentEvent> {
    use leadstream_domain::appointment::*;
    let tenant_id = TenantId(Uuid::now_v7());
    let day = |d| Utc.with_ymd_and_hms(2026, 3, d, 9, 0, 0).unwrap();
    let mut emitted = vec![];
    let mut run = |appointment: &mut Appointment, action: AppointmentAction, at| {
        let command = AppointmentCommand {
            tenant_id,
            issued_at: at,
            action,
        };
        for event in appointment.decide(&command).expect("accepted") {
            cqrs_es::Aggregate::apply(appointment, event.clone());
            emitted.push(event);
        }
    };
    let book = |notes: Option<&str>| {
        AppointmentAction::Schedule(ScheduleAppointment {
            appointment_id: Uuid::now_v7(),
            lead_id: Uuid::now_v7(),
            agent_id: AgentId(Uuid::now_v7()),
            starts_at: day(10),
            duration_minutes: 30,
            appointment_type: "property-visit".into(),
            notes: notes.map(str::to_string),
            location: notes.map(|_| "Av. Apoquindo 123".to_string()),
            reminders_minutes_before: DEFAULT_REMINDERS_MINUTES.to_vec(),
        })
    };
    let mut held = Appointment::default();
    run(&mut held, book(Some("bring the floor plans")), day(1));
    let moved = AppointmentAction::Reschedule {
        starts_at: day(11),
        duration_minutes: Some(60),
    };
    run(&mut held, moved, day(2));
    let update = AppointmentAction::Update {
        appointment_type: None,
        notes: Some("bring the contract too".into()),
        location: None,
    };
    run(&mut held, update, day(2));
    run(&mut held, AppointmentAction::Confirm, day(3));
    for (trigger, minutes_before, channel, to) in [
        (ReminderTrigger::Manual, None, Channel::Sms, "+56912345678"),
        (
            ReminderTrigger::Scheduled,
            Some(1440),
            Channel::Email,
            "ana@example.com",
        ),
    ] {
        let remind = AppointmentAction::RecordReminder {
            channel,
            to: to.into(),
            message: "See you tomorrow at 09:00".into(),
            trigger,
            minutes_before,
        };
        run(&mut held, remind, day(4));
    }
    run(&mut held, AppointmentAction::Complete { notes: None }, day(12));
    let mut cancelled = Appointment::default();
    run(&mut cancelled, book(None), day(1));
    run(
        &mut cancelled,
        AppointmentAction::Cancel {
            reason: Some("travelling".into()),
        },
        day(2),
    );
    let mut missed = Appointment::default();
    run(&mut missed, book(None), day(1));
    run(&mut missed, AppointmentAction::MarkNoShow, day(10));
    emitted
}

/// Validates every event against its schema; returns the (type, version) pairs seen.
fn check_against_schemas<E: serde::Serialize + cqrs_es::DomainEvent>(events: &[E]) -> BTreeSet<(String, String)> {
    let mut covered = BTreeSet::new();
    for event in events {
        let serialized = serde_json::to_value(event).unwrap();
        let event_type = serialized["event_type"].as_str().unwrap();
        let version = cqrs_es::DomainEvent::event_version(event);
        let data = &serialized["data"];
        let validator = validator(event_type, &version);
        let errors: Vec<String> = validator
            .iter_errors(data)
            .map(|e| format!("{} at {}", e, e.instance_path))
            .collect();
        assert!(
            errors.is_empty(),
            "{event_type} v{version} breaks its schema: {errors:?}\n{data:#}"
        );
        // As stored and published: every personal field the domain names, sealed.
        let mut sealed = data.clone();
        for (path, _) in leadstream_domain::personal_data::personal_fields(event_type) {
            seal_at(&mut sealed, &path.split('/').collect::<Vec<_>>());
        }
        let errors: Vec<String> = validator
            .iter_errors(&sealed)
            .map(|e| format!("{} at {}", e, e.instance_path))
            .collect();
        assert!(
            errors.is_empty(),
            "{event_type} v{version} sealed breaks its schema: {errors:?}\n{sealed:#}"
        );
        covered.insert((event_type.to_string(), version));
    }
    covered
}

/// Puts a sealed value (as the event store writes it) wherever `path` leads in `data`.
fn seal_at(data: &mut Value, path: &[&str]) {
    let Some((head, rest)) = path.split_first() else {
        if !data.is_null() {
            *data = json!({"sealed": "bm9uY2UgYW5kIGNpcGhlcnRleHQ=", "subject": Uuid::nil()});
        }
        return;
    };
    match (*head, data) {
        ("*", Value::Array(items)) => items.iter_mut().for_each(|item| seal_at(item, rest)),
        (key, Value::Object(map)) => {
            if let Some(value) = map.get_mut(key) {
                seal_at(value, rest)
            }
        }
        _ => {}
    }
}

fn declared<E: EventContract>() -> BTreeSet<(String, String)> {
    E::EVENT_TYPES
        .iter()
        .map(|(t, v)| (t.to_string(), v.to_string()))
        .collect()
}

#[test]
fn every_emitted_event_matches_its_schema() {
    let covered = check_against_schemas(&every_event());
    assert_eq!(
        covered,
        declared::<LeadEvent>(),
        "the test emits every declared lead event"
    );
    let covered = check_against_schemas(&every_batch_event());
    assert_eq!(
        covered,
        declared::<BatchEvent>(),
        "the test emits every declared batch event"
    );
    let covered = check_against_schemas(&every_sequence_event());
    assert_eq!(
        covered,
        declared::<SequenceEvent>(),
        "the test emits every declared sequence event"
    );
    let covered = check_against_schemas(&every_call_event());
    assert_eq!(
        covered,
        declared::<leadstream_domain::call::CallEvent>(),
        "the test emits every declared call event"
    );
    let covered = check_against_schemas(&every_appointment_event());
    assert_eq!(
        covered,
        declared::<leadstream_domain::appointment::AppointmentEvent>(),
        "the test emits every declared appointment event"
    );
}

#[test]
fn every_schema_file_belongs_to_a_declared_event() {
    let declared: BTreeSet<String> = LeadEvent::EVENT_TYPES
        .iter()
        .chain(BatchEvent::EVENT_TYPES)
        .chain(SequenceEvent::EVENT_TYPES)
        .chain(leadstream_domain::call::CallEvent::EVENT_TYPES)
        .chain(leadstream_domain::appointment::AppointmentEvent::EVENT_TYPES)
        .map(|(t, v)| format!("{t}.v{v}.json"))
        .collect();
    let files: BTreeSet<String> = std::fs::read_dir(schemas_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".json"))
        .collect();
    assert_eq!(files, declared);
}

#[test]
fn the_schemas_reject_what_the_domain_would_never_emit() {
    let created = validator("lead.created", "1");
    let mut data = serde_json::to_value(&every_event()[0]).unwrap()["data"].clone();
    assert!(created.is_valid(&data));
    data["phone"] = json!("555-1234");
    assert!(!created.is_valid(&data), "a non-E.164 phone is rejected");
    data["phone"] = Value::Null;
    data["pipeline_stage"] = json!("closing");
    assert!(!created.is_valid(&data), "an unknown stage is rejected");
    let updated = validator("lead.updated", "1");
    assert!(!updated.is_valid(&json!({"tenant_id": Uuid::nil(), "changes": {}, "updated_at": "2026-01-01T00:00:00Z"})));
}
