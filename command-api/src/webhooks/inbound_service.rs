use leadstream_domain::call::{CallDirection, CallError, CallStatus};
use leadstream_domain::conversation::Language;
use leadstream_domain::lead::{CreateLead, LeadAction, LeadChanges, LeadError, ReceivedMessage};
use leadstream_domain::values::{EmailAddress, LeadSource, LongText, Metadata, PersonName, PhoneNumber, TenantId};
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

use super::inbound_event::{self, CallRef, Inbound};
use super::Provider;
use crate::calls::{CallFailure, CallService, NewCall};
use crate::derived_id::DerivedIds;
use crate::integrations::PlacedCall;
use crate::{CommandError, CommandMetadata, LeadFollowUps};

/// A tenant's secret for one provider's webhooks, and WhatsApp's verification token.
#[derive(Debug, Clone)]
pub struct ProviderSecret {
    pub secret: String,
    pub verify_token: Option<String>,
}

/// What one delivery came to.
#[derive(Debug, Clone, PartialEq)]
pub enum InboundOutcome {
    /// Acted on; what was done, per event in the delivery.
    Processed(Vec<String>),
    /// This provider event was taken before: nothing changed.
    Duplicate,
}

/// Verified deliveries become commands here.
#[derive(Clone)]
pub struct InboundService {
    pool: PgPool,
    calls: CallService,
    followups: LeadFollowUps,
    ids: DerivedIds,
}

impl InboundService {
    /// A service over `pool`'s secrets and receipts; leads and calls it creates get ids keyed
    /// with `server_secret`.
    pub fn new(pool: PgPool, calls: CallService, followups: LeadFollowUps, server_secret: &[u8]) -> Self {
        Self {
            pool,
            calls,
            followups,
            ids: DerivedIds::new(server_secret),
        }
    }

    /// The tenant's secret for `provider`, if it set one.
    pub async fn secret(&self, tenant: Uuid, provider: Provider) -> Result<Option<ProviderSecret>, sqlx::Error> {
        let row: Option<(String, Option<String>)> = sqlx::query_as(
            "SELECT secret, verify_token FROM inbound_webhook_secrets WHERE tenant_id = $1 AND provider = $2",
        )
        .bind(tenant)
        .bind(provider.as_str())
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(secret, verify_token)| ProviderSecret { secret, verify_token }))
    }

    /// Sets (or rotates) the tenant's secret for `provider`.
    pub async fn set_secret(
        &self,
        tenant: Uuid,
        provider: Provider,
        secret: &ProviderSecret,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO inbound_webhook_secrets (tenant_id, provider, secret, verify_token) VALUES ($1, $2, $3, $4)
             ON CONFLICT (tenant_id, provider)
             DO UPDATE SET secret = EXCLUDED.secret, verify_token = EXCLUDED.verify_token, updated_at = now()",
        )
        .bind(tenant)
        .bind(provider.as_str())
        .bind(&secret.secret)
        .bind(&secret.verify_token)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Takes one verified delivery: once per provider event id, then as commands. A delivery
    /// that fails is released, so the provider's retry is taken again.
    pub async fn take(
        &self,
        tenant: TenantId,
        provider: Provider,
        body: &serde_json::Value,
        raw: &[u8],
        issued_at: chrono::DateTime<chrono::Utc>,
    ) -> Result<InboundOutcome, String> {
        let event_id = inbound_event::event_id(provider, body, raw);
        let claimed = sqlx::query(
            "INSERT INTO inbound_webhook_receipts (tenant_id, provider, event_id) VALUES ($1, $2, $3)
             ON CONFLICT DO NOTHING",
        )
        .bind(tenant.0)
        .bind(provider.as_str())
        .bind(&event_id)
        .execute(&self.pool)
        .await
        .map_err(|e| e.to_string())?
        .rows_affected()
            == 1;
        if !claimed {
            return Ok(InboundOutcome::Duplicate);
        }
        let metadata = CommandMetadata {
            tenant_id: tenant,
            issued_at,
            actor: format!("webhook:{}", provider.as_str()),
            correlation_id: format!("{}:{event_id}", provider.as_str()),
            causation_id: format!("{}:{event_id}", provider.as_str()),
        };
        let mut done = vec![];
        for inbound in inbound_event::read(provider, body) {
            match self.act(provider, inbound, &metadata).await {
                Ok(what) => done.push(what),
                Err(error) => {
                    let _ = sqlx::query(
                        "DELETE FROM inbound_webhook_receipts WHERE tenant_id = $1 AND provider = $2 AND event_id = $3",
                    )
                    .bind(tenant.0)
                    .bind(provider.as_str())
                    .bind(&event_id)
                    .execute(&self.pool)
                    .await;
                    return Err(error);
                }
            }
        }
        Ok(InboundOutcome::Processed(done))
    }

    async fn act(&self, provider: Provider, inbound: Inbound, m: &CommandMetadata) -> Result<String, String> {
        let call_err = |e: CallFailure| e.to_string();
        match inbound {
            Inbound::Ignored(what) => Ok(format!("ignored: {what}")),
            Inbound::CallAnswered(call) => {
                let Some(id) = self.resolve_call(provider, &call, m).await? else {
                    return Ok("ignored: an unknown call".into());
                };
                self.calls.start(id, m).await.map_err(call_err)?;
                Ok(format!("call {id} started"))
            }
            Inbound::CallUtterance { call, text, reply } => {
                let Some(id) = self.resolve_call(provider, &call, m).await? else {
                    return Ok("ignored: an unknown call".into());
                };
                self.hear(id, &text, reply, m).await?;
                Ok(format!("call {id} turn recorded"))
            }
            Inbound::CallEnded {
                call,
                reason,
                outcome,
                transcript,
            } => {
                let Some(id) = self.resolve_call(provider, &call, m).await? else {
                    return Ok("ignored: an unknown call".into());
                };
                let current = self.calls.load(id).await.map_err(call_err)?;
                if current.turns.is_empty() {
                    for (text, reply) in transcript {
                        self.hear(id, &text, reply, m).await?;
                    }
                }
                let ended = self
                    .calls
                    .end(id, &ending_reason(&reason), outcome.map(|o| slug(&o)), m)
                    .await
                    .map_err(call_err)?;
                Ok(format!("call {id} {}", ended.state.status.as_str()))
            }
            Inbound::MessageReceived {
                from,
                text,
                provider_message_id,
                channel,
            } => {
                let Ok(phone) = PhoneNumber::parse(&from) else {
                    return Ok(format!("ignored: {from:?} is no phone number"));
                };
                let Ok(body) = LongText::parse("body", &text) else {
                    return Ok("ignored: an empty message".into());
                };
                let lead_id = self.lead_by_phone(&phone, provider, m).await?;
                let message = ReceivedMessage {
                    message_id: Uuid::now_v7(),
                    channel: channel.to_string(),
                    from: phone.as_str().to_string(),
                    body,
                    provider: provider.as_str().to_string(),
                    provider_message_id: if provider_message_id.is_empty() {
                        m.causation_id.clone()
                    } else {
                        provider_message_id
                    },
                };
                self.followups
                    .run(lead_id, LeadAction::ReceiveMessage(Box::new(message)), m)
                    .await
                    .map_err(|e| e.to_string())?;
                Ok(format!("message recorded on lead {lead_id}"))
            }
            Inbound::Contact {
                contact_id,
                location_id,
                first_name,
                last_name,
                name,
                email,
                phone,
                message,
            } => {
                let person = |field: &str, raw: Option<String>| raw.and_then(|r| PersonName::parse(field, &r).ok());
                let phone = phone.and_then(|p| PhoneNumber::parse(&p).ok());
                let email = email.and_then(|e| EmailAddress::parse(&e).ok());
                let (first_name, last_name, name) = (
                    person("first_name", first_name),
                    person("last_name", last_name),
                    person("name", name),
                );
                let existing = self.find_lead(phone.as_ref(), email.as_ref(), m.tenant_id).await?;
                if let Some(lead_id) = existing {
                    let changes = LeadChanges {
                        first_name,
                        last_name,
                        name,
                        email,
                        phone,
                        ..LeadChanges::default()
                    };
                    let action = LeadAction::Update {
                        changes: Box::new(changes),
                        status: None,
                        stage: None,
                    };
                    self.followups
                        .run(lead_id, action, m)
                        .await
                        .map_err(|e| e.to_string())?;
                    return Ok(format!("lead {lead_id} updated"));
                }
                if phone.is_none() && email.is_none() {
                    return Ok("ignored: a contact with neither phone nor e-mail".into());
                }
                let lead_id = self.ids.of(&[m.tenant_id.0.as_bytes(), b"ghl", contact_id.as_bytes()]);
                let create = CreateLead {
                    lead_id,
                    first_name,
                    last_name,
                    name,
                    email,
                    phone,
                    source: LeadSource::parse("ghl").ok(),
                    message: message.and_then(|t| LongText::parse("message", &t).ok()),
                    metadata: Metadata::parse(
                        "metadata",
                        json!({"ghl_contact_id": contact_id, "ghl_location_id": location_id}),
                    )
                    .unwrap_or_default(),
                    ..CreateLead::default()
                };
                self.create_lead(create, m).await?;
                Ok(format!("lead {lead_id} created"))
            }
        }
    }

    /// Records what the customer said, starting the call first if nobody told us it was answered.
    async fn hear(&self, id: Uuid, text: &str, reply: Option<String>, m: &CommandMetadata) -> Result<(), String> {
        let Ok(text) = LongText::parse("text", text) else {
            return Ok(());
        };
        if self.calls.load(id).await.map_err(|e| e.to_string())?.status == CallStatus::Queued {
            self.calls.start(id, m).await.map_err(|e| e.to_string())?;
        }
        match self.calls.hear(id, text.as_str(), reply, m).await {
            // A late transcript of a finished call adds nothing.
            Ok(_) | Err(CallFailure::Refused(CallError::Finished(_))) => Ok(()),
            Err(e) => Err(e.to_string()),
        }
    }

    /// Our call for the provider's: by our id in its metadata, by its own id, or, for an
    /// unknown call from a number, a new inbound call with the lead of that number.
    async fn resolve_call(
        &self,
        provider: Provider,
        call: &CallRef,
        m: &CommandMetadata,
    ) -> Result<Option<Uuid>, String> {
        if let Some(id) = call.call_id {
            if self
                .calls
                .load(id)
                .await
                .map_err(|e| e.to_string())?
                .belongs_to(m.tenant_id)
            {
                return Ok(Some(id));
            }
        }
        if let Some(id) = self
            .calls
            .find_by_provider(m.tenant_id, provider.as_str(), &call.provider_call_id)
            .await
            .map_err(|e| e.to_string())?
        {
            return Ok(Some(id));
        }
        let Some(phone) = call.from.as_deref().and_then(|f| PhoneNumber::parse(f).ok()) else {
            return Ok(None);
        };
        let lead_id = self.lead_by_phone(&phone, provider, m).await?;
        let call_id = self.ids.of(&[
            m.tenant_id.0.as_bytes(),
            provider.as_str().as_bytes(),
            b":",
            call.provider_call_id.as_bytes(),
        ]);
        let inbound = NewCall {
            direction: CallDirection::Inbound,
            phone,
            purpose: None,
            language: Language::En,
            placed: Some(PlacedCall {
                provider: provider.as_str().to_string(),
                provider_call_id: call.provider_call_id.clone(),
            }),
        };
        match self.calls.create(call_id, lead_id, inbound, m).await {
            Ok(_) | Err(CallFailure::Refused(CallError::AlreadyExists)) => Ok(Some(call_id)),
            Err(e) => Err(e.to_string()),
        }
    }

    /// The tenant's lead with this phone (or e-mail), as the read model knows it.
    async fn find_lead(
        &self,
        phone: Option<&PhoneNumber>,
        email: Option<&EmailAddress>,
        tenant: TenantId,
    ) -> Result<Option<Uuid>, String> {
        sqlx::query_scalar(
            "SELECT id FROM leads WHERE tenant_id = $1 AND (phone = $2 OR lower(email) = lower($3))
              ORDER BY created_at LIMIT 1",
        )
        .bind(tenant.0)
        .bind(phone.map(PhoneNumber::as_str))
        .bind(email.map(|e| e.as_str()))
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| e.to_string())
    }

    /// The lead with this phone; an unknown number becomes a new lead, with an id derived from
    /// the number, so a replay or a second message before the read model caught up finds it.
    async fn lead_by_phone(
        &self,
        phone: &PhoneNumber,
        provider: Provider,
        m: &CommandMetadata,
    ) -> Result<Uuid, String> {
        if let Some(id) = self.find_lead(Some(phone), None, m.tenant_id).await? {
            return Ok(id);
        }
        let lead_id = self
            .ids
            .of(&[m.tenant_id.0.as_bytes(), b"phone", phone.as_str().as_bytes()]);
        let create = CreateLead {
            lead_id,
            phone: Some(phone.clone()),
            source: LeadSource::parse(provider.as_str()).ok(),
            ..CreateLead::default()
        };
        self.create_lead(create, m).await?;
        Ok(lead_id)
    }

    async fn create_lead(&self, create: CreateLead, m: &CommandMetadata) -> Result<(), String> {
        let lead_id = create.lead_id;
        match self
            .followups
            .run(lead_id, LeadAction::Create(Box::new(create)), m)
            .await
        {
            Ok(_) | Err(CommandError::Domain(LeadError::AlreadyExists)) | Err(CommandError::VersionMismatch { .. }) => {
                Ok(())
            }
            Err(e) => Err(e.to_string()),
        }
    }
}

/// A provider's ending reason in our words: failures we recognise, else completed.
fn ending_reason(raw: &str) -> String {
    let raw = slug(raw);
    if raw.contains("no_answer") || raw.contains("did_not_answer") || raw.contains("timeout") {
        "no_answer".into()
    } else if raw.contains("busy") {
        "busy".into()
    } else if raw.contains("voicemail") {
        "voicemail".into()
    } else if raw.contains("error") || raw.contains("failed") {
        "failed".into()
    } else {
        "completed".into()
    }
}

fn slug(raw: &str) -> String {
    let slug: String = raw
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .take(50)
        .collect();
    if slug.is_empty() {
        "unknown".into()
    } else {
        slug
    }
}
