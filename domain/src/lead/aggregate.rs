use chrono::{DateTime, Utc};
use cqrs_es::event_sink::EventSink;
use cqrs_es::Aggregate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::lead::commands::{CreateLead, LeadAction, LeadChanges, LeadCommand, LogActivity, Qualification};
use crate::lead::error::LeadError;
use crate::lead::events::*;
use crate::lead::{Channel, EnrichmentInput, LeadAccess};
use crate::scoring::{self, Engagement, LeadProfile, QualificationCriteria, ScoreCard};
use crate::values::{
    AgentId, EmailAddress, LeadScore, LeadSource, LeadStatus, LongText, Metadata, PersonName, PhoneNumber,
    PipelineStage, ShortText, Tags, TenantId,
};
use crate::{FieldError, ValidationErrors};

/// A lead's current state, folded from its events. `lead_id` is `None` until it is created.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Lead {
    pub lead_id: Option<Uuid>,
    pub tenant_id: Option<TenantId>,
    pub name: Option<PersonName>,
    pub first_name: Option<PersonName>,
    pub last_name: Option<PersonName>,
    pub email: Option<EmailAddress>,
    pub phone: Option<PhoneNumber>,
    pub company: Option<ShortText>,
    pub title: Option<ShortText>,
    pub industry: Option<ShortText>,
    pub source: Option<LeadSource>,
    pub message: Option<LongText>,
    pub notes: Option<LongText>,
    pub tags: Tags,
    pub metadata: Metadata,
    pub status: Option<LeadStatus>,
    pub pipeline_stage: Option<PipelineStage>,
    pub score: Option<LeadScore>,
    pub assigned_to: Option<AgentId>,
    pub activity_count: u64,
    pub note_count: u64,
    /// Calls, replies and appointments among the activities: the engagement the score counts.
    #[serde(default)]
    pub engagement: Engagement,
    /// The latest qualification, as the last `lead.scored` recorded it.
    #[serde(default)]
    pub score_card: Option<ScoreCard>,
    /// What whoever qualified the lead stated, answer by answer.
    #[serde(default)]
    pub criteria: QualificationCriteria,
    /// What the last enricher found.
    #[serde(default)]
    pub enrichment: Option<crate::lead::Enrichment>,
    #[serde(default)]
    pub qualified_at: Option<DateTime<Utc>>,
    pub created_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
    pub erased: bool,
}

impl Lead {
    /// Decides which events `command` produces against this state; an empty list means the
    /// lead already is as asked.
    pub fn decide(&self, command: &LeadCommand) -> Result<Vec<LeadEvent>, LeadError> {
        let at = command.issued_at;
        let tenant_id = command.tenant_id;
        if !matches!(
            command.action,
            LeadAction::Create(_) | LeadAction::CreateQualified { .. }
        ) {
            self.ensure_visible_to(tenant_id, command.access)?;
        }
        let mut events = match &command.action {
            LeadAction::Create(create) => self.create_for(command, create)?,
            LeadAction::CreateQualified { lead, qualification } => {
                let mut events = self.create_for(command, lead)?;
                let created = self.after(&events);
                events.extend(created.qualify(command, qualification));
                events
            }
            LeadAction::Qualify(qualification) => self.qualify(command, qualification),
            LeadAction::Route(route) => vec![LeadEvent::Routed(Box::new(LeadRouted {
                tenant_id,
                route: (**route).clone(),
                routed_at: at,
            }))],
            LeadAction::RecordMessage(message) => vec![LeadEvent::MessageSent(Box::new(MessageSent {
                tenant_id,
                message: (**message).clone(),
                sent_at: at,
            }))],
            LeadAction::ReceiveMessage(message) => vec![LeadEvent::MessageReceived(Box::new(MessageReceived {
                tenant_id,
                message: (**message).clone(),
                received_at: at,
            }))],
            LeadAction::Update { changes, status, stage } => {
                let mut events = self.update(tenant_id, changes, at)?;
                events.extend(status.and_then(|s| self.change_status(tenant_id, s, None, at)));
                events.extend(stage.and_then(|s| self.move_to_stage(tenant_id, s, at)));
                events
            }
            LeadAction::Erase => vec![LeadEvent::Erased(LeadErased {
                tenant_id,
                erased_at: at,
            })],
            LeadAction::Assign { .. } if command.access != LeadAccess::WholeTenant => {
                return Err(LeadError::Forbidden("only admins assign leads"));
            }
            LeadAction::Assign { agent_id } => {
                if self.assigned_to == Some(*agent_id) {
                    vec![]
                } else {
                    vec![LeadEvent::Assigned(LeadAssigned {
                        tenant_id,
                        agent_id: *agent_id,
                        previous_agent_id: self.assigned_to,
                        assigned_at: at,
                    })]
                }
            }
            LeadAction::MoveToStage { stage } => self.move_to_stage(tenant_id, *stage, at).into_iter().collect(),
            LeadAction::ChangeStatus { status, reason } => self
                .change_status(tenant_id, *status, reason.clone(), at)
                .into_iter()
                .collect(),
            LeadAction::LogActivity(LogActivity {
                activity_type,
                description,
                metadata,
            }) => {
                vec![LeadEvent::ActivityLogged(ActivityLogged {
                    tenant_id,
                    activity_type: activity_type.clone(),
                    description: description.clone(),
                    metadata: metadata.clone(),
                    occurred_at: at,
                })]
            }
            LeadAction::AddNote { note } => vec![LeadEvent::NoteAdded(NoteAdded {
                tenant_id,
                note: note.clone(),
                added_at: at,
            })],
            LeadAction::AddTags { tags } => {
                if self.tags.contains_all(tags) {
                    vec![]
                } else {
                    self.tags.union(tags).map_err(invalid)?;
                    let new: Vec<String> = tags
                        .iter()
                        .filter(|t| !self.tags.iter().any(|have| have == *t))
                        .map(|t| t.as_str().to_string())
                        .collect();
                    let tags = Tags::parse(&new).map_err(invalid)?;
                    vec![LeadEvent::TagsAdded(TagsAdded {
                        tenant_id,
                        tags,
                        added_at: at,
                    })]
                }
            }
            LeadAction::Rescore => vec![],
        };
        if !matches!(command.action, LeadAction::Erase) {
            events.extend(self.rescore(&events, command));
        }
        Ok(events)
    }

    /// A create, and for an agent the assignment to itself: an agent's own lead is its to work,
    /// or it could not see what it created.
    fn create_for(&self, command: &LeadCommand, create: &CreateLead) -> Result<Vec<LeadEvent>, LeadError> {
        let mut events = self.create(command.tenant_id, create, command.issued_at)?;
        if let LeadAccess::AssignedTo(agent_id) = command.access {
            events.push(LeadEvent::Assigned(LeadAssigned {
                tenant_id: command.tenant_id,
                agent_id,
                previous_agent_id: None,
                assigned_at: command.issued_at,
            }));
        }
        Ok(events)
    }

    /// New enrichment (when it differs from what the lead has), then `lead.qualified` with the
    /// merged criteria and the tier they give.
    fn qualify(&self, command: &LeadCommand, qualification: &Qualification) -> Vec<LeadEvent> {
        let mut events = vec![];
        if let Some(enrichment) = qualification
            .enrichment
            .as_ref()
            .filter(|e| self.enrichment.as_ref() != Some(*e))
        {
            events.push(LeadEvent::Enriched(Box::new(LeadEnriched {
                tenant_id: command.tenant_id,
                enrichment: enrichment.clone(),
                enriched_at: command.issued_at,
            })));
        }
        let mut after = self.after(&events);
        after.criteria = self.criteria.merged(&qualification.criteria);
        let card = scoring::score(&after.profile(), &command.weights);
        events.push(LeadEvent::Qualified(LeadQualified {
            tenant_id: command.tenant_id,
            criteria: after.criteria,
            overall_score: card.overall_score,
            tier: card.tier,
            recommended_action: card.recommended_action,
            qualified_at: command.issued_at,
        }));
        events
    }

    /// This lead with `events` applied.
    fn after(&self, events: &[LeadEvent]) -> Lead {
        let mut after = self.clone();
        for event in events {
            after.apply(event.clone());
        }
        after
    }

    /// Where a message of `channel` reaches this lead, if it can.
    pub fn address_for(&self, channel: Channel) -> Option<String> {
        match channel {
            Channel::Sms => self.phone.as_ref().map(|p| p.as_str().to_string()),
            Channel::Email => self.email.as_ref().map(|e| e.as_str().to_string()),
        }
    }

    /// What an enricher is given about this lead.
    pub fn enrichment_input(&self) -> EnrichmentInput {
        EnrichmentInput::of(&self.email, &self.phone, &self.company, &self.industry, &self.metadata)
    }

    /// The qualification events that follow `events`: the lead as they leave it is scored with
    /// the command's weights, and only a card that differs from the last one is recorded.
    fn rescore(&self, events: &[LeadEvent], command: &LeadCommand) -> Vec<LeadEvent> {
        let after = self.after(events);
        let card = scoring::score(&after.profile(), &command.weights);
        if after.score_card.as_ref() == Some(&card) {
            return vec![];
        }
        let mut rescored = vec![];
        if let Some(previous) = after.score_card.as_ref().filter(|previous| previous.tier != card.tier) {
            rescored.push(LeadEvent::ScoreChanged(LeadScoreChanged {
                tenant_id: command.tenant_id,
                from_tier: previous.tier,
                to_tier: card.tier,
                from_score: previous.overall_score,
                to_score: card.overall_score,
                changed_at: command.issued_at,
            }));
        }
        rescored.insert(
            0,
            LeadEvent::Scored(Box::new(LeadScored {
                tenant_id: command.tenant_id,
                card,
                scored_at: command.issued_at,
            })),
        );
        rescored
    }

    /// What the scoring engine reads of this lead.
    pub fn profile(&self) -> LeadProfile {
        let size_hint = ["company_size", "employees", "employee_count"]
            .iter()
            .find_map(|key| self.metadata.get(key))
            .and_then(|v| v.as_u64().or_else(|| v.as_str().and_then(|s| s.trim().parse().ok())));
        LeadProfile {
            email: self.email.as_ref().map(|e| e.as_str().to_string()),
            has_phone: self.phone.is_some(),
            company: self.company.as_ref().map(|c| c.as_str().to_string()),
            title: self.title.as_ref().map(|t| t.as_str().to_string()),
            industry: self.industry.as_ref().map(|i| i.as_str().to_string()),
            source: self.source.as_ref().map(|s| s.as_str().to_string()),
            message: self.message.as_ref().map(|m| m.as_str().to_string()),
            company_size: size_hint.and_then(|n| u32::try_from(n).ok()),
            engagement: Engagement {
                activities: u32::try_from(self.activity_count).unwrap_or(u32::MAX),
                ..self.engagement
            },
            criteria: self.criteria,
        }
    }

    fn move_to_stage(&self, tenant_id: TenantId, to: PipelineStage, at: DateTime<Utc>) -> Option<LeadEvent> {
        let from = self.pipeline_stage.filter(|from| *from != to)?;
        Some(LeadEvent::StageChanged(LeadStageChanged {
            tenant_id,
            from,
            to,
            changed_at: at,
        }))
    }

    fn change_status(
        &self,
        tenant_id: TenantId,
        to: LeadStatus,
        reason: Option<LongText>,
        at: DateTime<Utc>,
    ) -> Option<LeadEvent> {
        let from = self.status.filter(|from| *from != to)?;
        Some(LeadEvent::StatusChanged(LeadStatusChanged {
            tenant_id,
            from,
            to,
            reason,
            changed_at: at,
        }))
    }

    /// True once the lead has been created.
    pub fn exists(&self) -> bool {
        self.lead_id.is_some()
    }

    /// The name to show: the full name given, else first and last joined.
    pub fn display_name(&self) -> Option<String> {
        display_name(&self.name, &self.first_name, &self.last_name)
    }

    /// True when a caller of `tenant_id` with `access` may see this lead (erased or not).
    pub fn is_visible_to(&self, tenant_id: TenantId, access: LeadAccess) -> bool {
        self.exists() && self.tenant_id == Some(tenant_id) && access.reaches(self.assigned_to)
    }

    fn ensure_visible_to(&self, tenant_id: TenantId, access: LeadAccess) -> Result<(), LeadError> {
        // Another tenant's lead, or another agent's, is reported exactly like a missing one, so
        // ids do not leak.
        if !self.is_visible_to(tenant_id, access) {
            return Err(LeadError::NotFound);
        }
        if self.erased {
            return Err(LeadError::Erased);
        }
        Ok(())
    }

    fn create(&self, tenant_id: TenantId, c: &CreateLead, at: DateTime<Utc>) -> Result<Vec<LeadEvent>, LeadError> {
        if self.exists() {
            return Err(LeadError::AlreadyExists);
        }
        if c.email.is_none() && c.phone.is_none() {
            return Err(invalid(FieldError::new("email", "a lead needs an email or a phone")));
        }
        let name = match &c.name {
            Some(name) => Some(name.clone()),
            None => display_name(&None, &c.first_name, &c.last_name)
                .map(|n| PersonName::parse("name", &n))
                .transpose()
                .map_err(invalid)?,
        };
        Ok(vec![LeadEvent::Created(Box::new(LeadCreated {
            tenant_id,
            lead_id: c.lead_id,
            name,
            first_name: c.first_name.clone(),
            last_name: c.last_name.clone(),
            email: c.email.clone(),
            phone: c.phone.clone(),
            company: c.company.clone(),
            title: c.title.clone(),
            industry: c.industry.clone(),
            source: c
                .source
                .clone()
                .unwrap_or_else(|| LeadSource::parse("api").expect("valid slug")),
            message: c.message.clone(),
            notes: c.notes.clone(),
            tags: c.tags.clone(),
            metadata: c.metadata.clone(),
            status: c.status.unwrap_or(LeadStatus::New),
            pipeline_stage: c.pipeline_stage.unwrap_or(PipelineStage::Entrada),
            score: c.score,
            created_at: at,
        }))])
    }

    fn update(
        &self,
        tenant_id: TenantId,
        wanted: &LeadChanges,
        at: DateTime<Utc>,
    ) -> Result<Vec<LeadEvent>, LeadError> {
        // Keep only the fields whose value really moves, so a repeated PATCH is silent.
        fn moved<T: PartialEq + Clone>(wanted: &Option<T>, current: &Option<T>) -> Option<T> {
            wanted.as_ref().filter(|w| current.as_ref() != Some(*w)).cloned()
        }
        let mut errors = ValidationErrors::default();
        let metadata = match &wanted.metadata {
            Some(more) => errors.check(self.metadata.merged(more)).filter(|m| m != &self.metadata),
            None => None,
        };
        let changes = LeadChanges {
            name: moved(&wanted.name, &self.name),
            first_name: moved(&wanted.first_name, &self.first_name),
            last_name: moved(&wanted.last_name, &self.last_name),
            email: moved(&wanted.email, &self.email),
            phone: moved(&wanted.phone, &self.phone),
            company: moved(&wanted.company, &self.company),
            title: moved(&wanted.title, &self.title),
            industry: moved(&wanted.industry, &self.industry),
            source: moved(&wanted.source, &self.source),
            message: moved(&wanted.message, &self.message),
            notes: moved(&wanted.notes, &self.notes),
            tags: wanted.tags.clone().filter(|t| t != &self.tags),
            metadata,
            score: moved(&wanted.score, &self.score),
        };
        if !errors.0.is_empty() {
            return Err(LeadError::Invalid(errors));
        }
        if changes.is_empty() {
            return Ok(vec![]);
        }
        Ok(vec![LeadEvent::Updated(Box::new(LeadUpdated {
            tenant_id,
            changes,
            updated_at: at,
        }))])
    }
}

fn display_name(name: &Option<PersonName>, first: &Option<PersonName>, last: &Option<PersonName>) -> Option<String> {
    if let Some(name) = name {
        return Some(name.as_str().to_string());
    }
    let joined = [first, last]
        .iter()
        .filter_map(|p| p.as_ref().map(PersonName::as_str))
        .collect::<Vec<_>>()
        .join(" ");
    (!joined.is_empty()).then_some(joined)
}

fn invalid(error: FieldError) -> LeadError {
    LeadError::Invalid(ValidationErrors(vec![error]))
}

impl Aggregate for Lead {
    const TYPE: &'static str = "lead";
    type Command = LeadCommand;
    type Event = LeadEvent;
    type Error = LeadError;
    type Services = ();

    async fn handle(&mut self, command: LeadCommand, _: &(), sink: &EventSink<Self>) -> Result<(), LeadError> {
        for event in self.decide(&command)? {
            sink.write(event, self).await;
        }
        Ok(())
    }

    fn apply(&mut self, event: LeadEvent) {
        match event {
            LeadEvent::Created(e) => {
                let e = *e;
                *self = Lead {
                    lead_id: Some(e.lead_id),
                    tenant_id: Some(e.tenant_id),
                    name: e.name,
                    first_name: e.first_name,
                    last_name: e.last_name,
                    email: e.email,
                    phone: e.phone,
                    company: e.company,
                    title: e.title,
                    industry: e.industry,
                    source: Some(e.source),
                    message: e.message,
                    notes: e.notes,
                    tags: e.tags,
                    metadata: e.metadata,
                    status: Some(e.status),
                    pipeline_stage: Some(e.pipeline_stage),
                    score: e.score,
                    created_at: Some(e.created_at),
                    updated_at: Some(e.created_at),
                    ..Lead::default()
                };
            }
            LeadEvent::Updated(e) => {
                let c = e.changes;
                macro_rules! set {
                    ($($field:ident),*) => { $( if let Some(v) = c.$field { self.$field = Some(v); } )* };
                }
                set!(
                    name, first_name, last_name, email, phone, company, title, industry, source, message, notes, score
                );
                if let Some(tags) = c.tags {
                    self.tags = tags;
                }
                if let Some(metadata) = c.metadata {
                    self.metadata = metadata;
                }
                self.updated_at = Some(e.updated_at);
            }
            LeadEvent::Erased(e) => {
                // Keep only what identifies the stream; the personal data is gone.
                *self = Lead {
                    lead_id: self.lead_id,
                    tenant_id: self.tenant_id,
                    created_at: self.created_at,
                    updated_at: Some(e.erased_at),
                    erased: true,
                    ..Lead::default()
                };
            }
            LeadEvent::Assigned(e) => {
                self.assigned_to = Some(e.agent_id);
                self.updated_at = Some(e.assigned_at);
            }
            LeadEvent::StageChanged(e) => {
                self.pipeline_stage = Some(e.to);
                self.updated_at = Some(e.changed_at);
            }
            LeadEvent::StatusChanged(e) => {
                self.status = Some(e.to);
                self.updated_at = Some(e.changed_at);
            }
            LeadEvent::ActivityLogged(e) => {
                self.activity_count += 1;
                let kind = e.activity_type.as_str();
                let counter = if kind.contains("appointment") || kind.contains("meeting") {
                    Some(&mut self.engagement.appointments)
                } else if kind.contains("repl") || kind.contains("respon") {
                    Some(&mut self.engagement.replies)
                } else if kind.contains("call") {
                    Some(&mut self.engagement.calls)
                } else {
                    None
                };
                if let Some(counter) = counter {
                    *counter = counter.saturating_add(1);
                }
                self.updated_at = Some(e.occurred_at);
            }
            LeadEvent::Scored(e) => {
                self.score = LeadScore::parse(e.card.overall_score).ok();
                self.score_card = Some(e.card);
                self.updated_at = Some(e.scored_at);
            }
            LeadEvent::ScoreChanged(e) => {
                self.updated_at = Some(e.changed_at);
            }
            LeadEvent::Enriched(e) => {
                self.enrichment = Some(e.enrichment);
                self.updated_at = Some(e.enriched_at);
            }
            LeadEvent::Qualified(e) => {
                self.criteria = e.criteria;
                self.qualified_at = Some(e.qualified_at);
                self.updated_at = Some(e.qualified_at);
            }
            LeadEvent::Routed(e) => {
                self.updated_at = Some(e.routed_at);
            }
            // Our own outreach: not the lead's engagement, so it does not move the score.
            LeadEvent::MessageSent(e) => {
                self.updated_at = Some(e.sent_at);
            }
            // The lead's own words are: a reply.
            LeadEvent::MessageReceived(e) => {
                self.engagement.replies = self.engagement.replies.saturating_add(1);
                self.updated_at = Some(e.received_at);
            }
            LeadEvent::NoteAdded(e) => {
                self.note_count += 1;
                self.updated_at = Some(e.added_at);
            }
            LeadEvent::TagsAdded(e) => {
                // Within the limit: `decide` checked the union.
                self.tags = self.tags.union(&e.tags).unwrap_or_else(|_| self.tags.clone());
                self.updated_at = Some(e.added_at);
            }
        }
    }
}
