//! The Lead's rules, given events and a command, expecting events or an error.

use chrono::{TimeZone, Utc};
use cqrs_es::Aggregate;
use uuid::Uuid;

use super::*;
use crate::values::*;

fn tenant() -> TenantId {
    TenantId(Uuid::from_u128(1))
}

fn at(minute: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 10, minute, 0).unwrap()
}

fn command(action: LeadAction) -> LeadCommand {
    LeadCommand {
        tenant_id: tenant(),
        issued_at: at(5),
        access: LeadAccess::WholeTenant,
        weights: crate::scoring::ScoringWeights::default(),
        action,
    }
}

fn as_agent(agent: AgentId, action: LeadAction) -> LeadCommand {
    LeadCommand {
        access: LeadAccess::AssignedTo(agent),
        ..command(action)
    }
}

fn create() -> CreateLead {
    CreateLead {
        lead_id: Uuid::from_u128(42),
        first_name: Some(PersonName::parse("first_name", "Ana").unwrap()),
        last_name: Some(PersonName::parse("last_name", "Pérez").unwrap()),
        email: Some(EmailAddress::parse("ana@example.com").unwrap()),
        ..CreateLead::default()
    }
}

fn update(changes: LeadChanges) -> LeadAction {
    LeadAction::Update {
        changes: Box::new(changes),
        status: None,
        stage: None,
    }
}

fn existing() -> Lead {
    let mut lead = Lead::default();
    let events = lead.decide(&command(LeadAction::Create(Box::new(create())))).unwrap();
    for e in events {
        lead.apply(e);
    }
    lead
}

#[test]
fn creating_a_lead_fills_defaults_and_derives_the_name() {
    let events = Lead::default()
        .decide(&command(LeadAction::Create(Box::new(create()))))
        .unwrap();
    let [LeadEvent::Created(created), LeadEvent::Scored(scored)] = events.as_slice() else {
        panic!("expected created, then scored: {events:?}")
    };
    assert_eq!(scored.card.weights_version, 1);
    assert_eq!(created.name.as_ref().map(PersonName::as_str), Some("Ana Pérez"));
    assert_eq!(created.status, LeadStatus::New);
    assert_eq!(created.pipeline_stage, PipelineStage::Entrada);
    assert_eq!(created.source.as_str(), "api");
    assert_eq!(created.tenant_id, tenant());
    assert_eq!(created.created_at, at(5));
}

#[test]
fn a_lead_needs_a_way_to_reach_it() {
    let no_contact = CreateLead {
        email: None,
        phone: None,
        ..create()
    };
    let result = Lead::default().decide(&command(LeadAction::Create(Box::new(no_contact))));
    assert!(matches!(result, Err(LeadError::Invalid(_))));
}

#[test]
fn a_lead_cannot_be_created_twice() {
    let result = existing().decide(&command(LeadAction::Create(Box::new(create()))));
    assert_eq!(result, Err(LeadError::AlreadyExists));
}

#[test]
fn another_tenant_sees_no_lead() {
    let mut cmd = command(LeadAction::Erase);
    cmd.tenant_id = TenantId(Uuid::from_u128(2));
    assert_eq!(existing().decide(&cmd), Err(LeadError::NotFound));
    assert_eq!(
        Lead::default().decide(&command(LeadAction::Erase)),
        Err(LeadError::NotFound)
    );
}

#[test]
fn an_update_records_only_fields_that_move() {
    let lead = existing();
    let changes = LeadChanges {
        email: lead.email.clone(),
        company: Some(ShortText::parse("company", "Acme").unwrap()),
        ..LeadChanges::default()
    };
    let events = lead.decide(&command(update(changes))).unwrap();
    // A new company is a scoring input: the lead is rescored after the update.
    let [LeadEvent::Updated(updated), LeadEvent::Scored(_)] = events.as_slice() else {
        panic!("{events:?}")
    };
    assert_eq!(updated.changes.email, None, "an unchanged email is not an update");
    assert_eq!(updated.changes.company.as_ref().map(ShortText::as_str), Some("Acme"));

    let same = LeadChanges {
        email: lead.email.clone(),
        ..LeadChanges::default()
    };
    assert!(lead.decide(&command(update(same))).unwrap().is_empty());
}

#[test]
fn moving_stage_and_status_records_where_from() {
    let lead = existing();
    let events = lead
        .decide(&command(LeadAction::MoveToStage {
            stage: PipelineStage::Agendado,
        }))
        .unwrap();
    assert_eq!(
        events,
        vec![LeadEvent::StageChanged(LeadStageChanged {
            tenant_id: tenant(),
            from: PipelineStage::Entrada,
            to: PipelineStage::Agendado,
            changed_at: at(5),
        })]
    );
    assert!(lead
        .decide(&command(LeadAction::MoveToStage {
            stage: PipelineStage::Entrada
        }))
        .unwrap()
        .is_empty());
    let status = lead
        .decide(&command(LeadAction::ChangeStatus {
            status: LeadStatus::Qualified,
            reason: None,
        }))
        .unwrap();
    assert!(
        matches!(status.as_slice(), [LeadEvent::StatusChanged(e)] if e.from == LeadStatus::New && e.to == LeadStatus::Qualified)
    );
}

#[test]
fn assigning_twice_to_the_same_agent_is_silent() {
    let mut lead = existing();
    let agent = AgentId(Uuid::from_u128(7));
    let events = lead.decide(&command(LeadAction::Assign { agent_id: agent })).unwrap();
    assert_eq!(events.len(), 1);
    for e in events {
        lead.apply(e);
    }
    assert_eq!(lead.assigned_to, Some(agent));
    assert!(lead
        .decide(&command(LeadAction::Assign { agent_id: agent }))
        .unwrap()
        .is_empty());
}

#[test]
fn tags_added_carry_only_the_new_ones_and_respect_the_limit() {
    let mut lead = existing();
    let first = Tags::parse(&["vip".into()]).unwrap();
    for e in lead.decide(&command(LeadAction::AddTags { tags: first })).unwrap() {
        lead.apply(e);
    }
    let more = Tags::parse(&["vip".into(), "buyer".into()]).unwrap();
    let events = lead.decide(&command(LeadAction::AddTags { tags: more })).unwrap();
    let [LeadEvent::TagsAdded(added)] = events.as_slice() else {
        panic!("{events:?}")
    };
    assert_eq!(added.tags.iter().map(Tag::as_str).collect::<Vec<_>>(), ["buyer"]);

    let fifty: Vec<String> = (0..50).map(|i| format!("t{i}")).collect();
    let result = lead.decide(&command(LeadAction::AddTags {
        tags: Tags::parse(&fifty).unwrap(),
    }));
    assert!(matches!(result, Err(LeadError::Invalid(_))));
}

#[test]
fn an_erased_lead_forgets_personal_data_and_refuses_changes() {
    let mut lead = existing();
    for e in lead.decide(&command(LeadAction::Erase)).unwrap() {
        lead.apply(e);
    }
    assert!(lead.erased);
    assert_eq!(lead.email, None);
    assert_eq!(lead.display_name(), None);
    let note = LongText::parse("note", "call back").unwrap();
    assert_eq!(
        lead.decide(&command(LeadAction::AddNote { note })),
        Err(LeadError::Erased)
    );
}

#[tokio::test]
async fn handle_writes_the_decided_events_through_the_sink() {
    let mut lead = Lead::default();
    let sink = cqrs_es::event_sink::EventSink::default();
    lead.handle(command(LeadAction::Create(Box::new(create()))), &(), &sink)
        .await
        .unwrap();
    let events = sink.collect().await;
    assert_eq!(events.len(), 2, "created and scored");
    assert!(lead.exists(), "the sink applies what it records");
}

#[test]
fn one_update_can_change_fields_status_and_stage_together() {
    let lead = existing();
    let changes = LeadChanges {
        title: Some(ShortText::parse("title", "CEO").unwrap()),
        ..LeadChanges::default()
    };
    let action = LeadAction::Update {
        changes: Box::new(changes),
        status: Some(LeadStatus::Contacted),
        stage: Some(PipelineStage::Perfilamiento),
    };
    let names: Vec<&str> = lead
        .decide(&command(action))
        .unwrap()
        .iter()
        .map(LeadEvent::name)
        .collect();
    assert_eq!(
        names,
        [
            "lead.updated",
            "lead.status_changed",
            "lead.stage_changed",
            "lead.scored"
        ]
    );
}

#[test]
fn an_agent_owns_what_it_creates_and_reaches_only_its_own_leads() {
    let agent = AgentId(Uuid::from_u128(7));
    let events = Lead::default()
        .decide(&as_agent(agent, LeadAction::Create(Box::new(create()))))
        .unwrap();
    assert!(
        matches!(events.as_slice(), [LeadEvent::Created(_), LeadEvent::Assigned(a), LeadEvent::Scored(_)] if a.agent_id == agent)
    );

    let mut lead = existing();
    let note = || LeadAction::AddNote {
        note: LongText::parse("note", "called").unwrap(),
    };
    assert_eq!(lead.decide(&as_agent(agent, note())), Err(LeadError::NotFound));
    lead.apply(LeadEvent::Assigned(LeadAssigned {
        tenant_id: tenant(),
        agent_id: agent,
        previous_agent_id: None,
        assigned_at: at(2),
    }));
    assert_eq!(lead.decide(&as_agent(agent, note())).unwrap().len(), 1);
    let other = AgentId(Uuid::from_u128(8));
    assert_eq!(lead.decide(&as_agent(other, note())), Err(LeadError::NotFound));
}

#[test]
fn only_admins_assign() {
    let agent = AgentId(Uuid::from_u128(7));
    let mut lead = existing();
    lead.assigned_to = Some(agent);
    let reassign = LeadAction::Assign {
        agent_id: AgentId(Uuid::from_u128(8)),
    };
    assert!(matches!(
        lead.decide(&as_agent(agent, reassign.clone())),
        Err(LeadError::Forbidden(_))
    ));
    assert_eq!(lead.decide(&command(reassign)).unwrap().len(), 1);
}

fn run(lead: &mut Lead, command: &LeadCommand) -> Vec<LeadEvent> {
    let events = lead.decide(command).unwrap();
    for event in &events {
        lead.apply(event.clone());
    }
    events
}

#[test]
fn only_changes_to_what_the_score_reads_rescore_the_lead() {
    let mut lead = existing();
    let first = lead.score_card.clone().expect("scored on creation");
    assert_eq!(lead.score.map(LeadScore::value), Some(first.overall_score));
    let note = LeadAction::AddNote {
        note: LongText::parse("note", "left a voicemail").unwrap(),
    };
    assert_eq!(run(&mut lead, &command(note)).len(), 1, "a note is not a scoring input");
    let call = LeadAction::LogActivity(LogActivity {
        activity_type: ActivityType::parse("call").unwrap(),
        description: None,
        metadata: Metadata::default(),
    });
    let events = run(&mut lead, &command(call));
    assert!(matches!(
        events.as_slice(),
        [LeadEvent::ActivityLogged(_), LeadEvent::Scored(_)]
    ));
    assert_eq!(lead.engagement.calls, 1);
    assert!(lead.score_card.as_ref().unwrap().overall_score > first.overall_score);
    assert!(
        run(&mut lead, &command(LeadAction::Rescore)).is_empty(),
        "nothing changed"
    );
}

#[test]
fn a_move_across_tiers_is_recorded_with_where_from() {
    let mut lead = existing();
    let before = lead.score_card.clone().unwrap();
    assert_eq!(before.tier, crate::scoring::Tier::Cold);
    let hot = LeadChanges {
        company: Some(ShortText::parse("company", "Acme Logistics").unwrap()),
        title: Some(ShortText::parse("title", "VP Operations").unwrap()),
        source: Some(LeadSource::parse("website_form").unwrap()),
        message: Some(LongText::parse("message", "We want a demo this week, budget approved").unwrap()),
        ..LeadChanges::default()
    };
    let events = run(&mut lead, &command(update(hot)));
    let [LeadEvent::Updated(_), LeadEvent::Scored(scored), LeadEvent::ScoreChanged(changed)] = events.as_slice() else {
        panic!("{events:?}")
    };
    assert_eq!(scored.card.tier, crate::scoring::Tier::Hot);
    assert_eq!((changed.from_tier, changed.to_tier), (before.tier, scored.card.tier));
    assert_eq!(
        (changed.from_score, changed.to_score),
        (before.overall_score, scored.card.overall_score)
    );
}

#[test]
fn new_weights_rescore_with_their_version() {
    let mut lead = existing();
    let weights = crate::scoring::ScoringWeights::parse(2, [1.0, 0.0, 0.0, 0.0, 0.0]).unwrap();
    let events = run(
        &mut lead,
        &LeadCommand {
            weights,
            ..command(LeadAction::Rescore)
        },
    );
    let [LeadEvent::Scored(scored)] = events.as_slice() else {
        panic!("{events:?}")
    };
    assert_eq!(scored.card.weights_version, 2);
    assert_eq!(scored.card.overall_score, scored.card.sub_scores.company_fit);
}

#[test]
fn an_erased_lead_is_not_scored_again() {
    let mut lead = existing();
    let events = run(&mut lead, &command(LeadAction::Erase));
    assert!(matches!(events.as_slice(), [LeadEvent::Erased(_)]));
    assert_eq!(lead.score_card, None);
}

fn qualification(criteria: crate::scoring::QualificationCriteria) -> LeadAction {
    LeadAction::Qualify(Box::new(Qualification {
        criteria,
        enrichment: None,
    }))
}

#[test]
fn qualifying_records_the_criteria_and_rescores_with_them() {
    use crate::scoring::{BudgetLevel, QualificationCriteria, Timeline};
    let mut lead = existing();
    let before = lead.score_card.clone().expect("scored on creation");
    let budget = QualificationCriteria {
        budget: Some(BudgetLevel::High),
        ..QualificationCriteria::default()
    };
    let events = run(&mut lead, &command(qualification(budget)));
    let names: Vec<&str> = events.iter().map(LeadEvent::name).collect();
    assert_eq!(names[..2], ["lead.qualified", "lead.scored"]);
    let LeadEvent::Qualified(q) = &events[0] else {
        unreachable!()
    };
    assert_eq!(q.criteria, budget);
    let card = lead.score_card.clone().unwrap();
    assert!(card.overall_score > before.overall_score);
    assert_eq!(q.overall_score, card.overall_score);
    assert_eq!(q.tier, card.tier);

    // A second qualification adds its answers to the first's.
    let timeline = QualificationCriteria {
        timeline: Some(Timeline::Immediate),
        ..QualificationCriteria::default()
    };
    let events = run(&mut lead, &command(qualification(timeline)));
    let LeadEvent::Qualified(q) = &events[0] else {
        unreachable!()
    };
    assert_eq!(q.criteria, budget.merged(&timeline));
    assert_eq!(lead.criteria, budget.merged(&timeline));

    // Qualifying again with nothing new is still a qualification, but the card does not move.
    let events = run(&mut lead, &command(qualification(timeline)));
    let names: Vec<&str> = events.iter().map(LeadEvent::name).collect();
    assert_eq!(names, ["lead.qualified"]);
}

#[test]
fn a_new_lead_is_created_enriched_and_qualified_in_one_decision() {
    let enrichment = Enrichment::derive(&EnrichmentInput {
        email: Some(EmailAddress::parse("ana@acme.cl").unwrap()),
        phone: Some(PhoneNumber::parse("+56 9 1234 5678").unwrap()),
        ..EnrichmentInput::default()
    });
    let action = LeadAction::CreateQualified {
        lead: Box::new(create()),
        qualification: Box::new(Qualification {
            criteria: Default::default(),
            enrichment: Some(enrichment.clone()),
        }),
    };
    let mut lead = Lead::default();
    let events = run(&mut lead, &command(action.clone()));
    let names: Vec<&str> = events.iter().map(LeadEvent::name).collect();
    assert_eq!(
        names,
        ["lead.created", "lead.enriched", "lead.qualified", "lead.scored"]
    );
    assert_eq!(lead.enrichment, Some(enrichment.clone()));
    assert!(lead.qualified_at.is_some());
    assert_eq!(lead.decide(&command(action)), Err(LeadError::AlreadyExists));

    // The same enrichment again is not news.
    let again = LeadAction::Qualify(Box::new(Qualification {
        criteria: Default::default(),
        enrichment: Some(enrichment),
    }));
    let names: Vec<&str> = run(&mut lead, &command(again)).iter().map(LeadEvent::name).collect();
    assert_eq!(names, ["lead.qualified"]);
}

#[test]
fn enrichment_states_only_what_the_data_shows() {
    let metadata = Metadata::parse("metadata", serde_json::json!({"employees": 50, "location": "Santiago"})).unwrap();
    let business = Enrichment::derive(&EnrichmentInput {
        email: Some(EmailAddress::parse("ana@Acme.cl").unwrap()),
        phone: Some(PhoneNumber::parse("+56912345678").unwrap()),
        metadata,
        ..EnrichmentInput::default()
    });
    assert_eq!(business.email_domain.as_deref(), Some("acme.cl"));
    assert_eq!(business.email_type.as_deref(), Some("business"));
    assert_eq!(business.website.as_deref(), Some("https://acme.cl"));
    assert_eq!(business.company_size.as_deref(), Some("11-50"));
    assert_eq!(business.location.as_deref(), Some("Santiago"));
    assert_eq!(business.country.as_deref(), Some("CL"));
    assert_eq!(business.linkedin_url, None);
    assert_eq!(business.estimated_revenue, None);

    let free = Enrichment::derive(&EnrichmentInput {
        email: Some(EmailAddress::parse("someone@gmail.com").unwrap()),
        phone: Some(PhoneNumber::parse("+14155550123").unwrap()),
        ..EnrichmentInput::default()
    });
    assert_eq!(free.email_type.as_deref(), Some("free"));
    assert_eq!(free.website, None, "a free mail domain is nobody's website");
    assert_eq!(free.country, None, "+1 is shared by several countries");
}

#[test]
fn routing_to_a_crm_is_recorded() {
    let mut lead = existing();
    let route = CrmRoute {
        crm: "hubspot".to_string(),
        pipeline_id: None,
        owner_email: None,
        external_id: "local-1".to_string(),
    };
    let events = run(&mut lead, &command(LeadAction::Route(Box::new(route.clone()))));
    let LeadEvent::Routed(routed) = &events[0] else {
        panic!("{events:?}")
    };
    assert_eq!(routed.route, route);
}

#[test]
fn a_sent_message_is_recorded_without_moving_the_score() {
    let mut lead = existing();
    let card = lead.score_card.clone();
    assert_eq!(lead.address_for(Channel::Email).as_deref(), Some("ana@example.com"));
    assert_eq!(lead.address_for(Channel::Sms), None, "the lead left no phone");
    let message = SentMessage {
        message_id: Uuid::from_u128(9),
        channel: Channel::Email,
        to: "ana@example.com".into(),
        subject: None,
        body: LongText::parse("message", "Hola Ana").unwrap(),
        provider: "local".into(),
        provider_message_id: "local-9".into(),
    };
    let events = run(&mut lead, &command(LeadAction::RecordMessage(Box::new(message))));
    let names: Vec<&str> = events.iter().map(LeadEvent::name).collect();
    assert_eq!(names, ["lead.message_sent"]);
    assert_eq!(lead.score_card, card);
}
