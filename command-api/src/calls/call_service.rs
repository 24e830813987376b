use futures::future::BoxFuture;
use leadstream_domain::call::{Call, CallAction, CallCommand, CallDirection, CallError, CallEvent, CreateCall};
use leadstream_domain::conversation::{CallContext, Language};
use leadstream_domain::lead::{Lead, LeadAction, LogActivity};
use leadstream_domain::values::{ActivityType, LongText, Metadata, PhoneNumber, TenantId};
use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::aggregate_store::{AggregateStore, ExecuteError, Executed};
use crate::integrations::{Integrations, OutboundCall, PlacedCall};
use crate::lead_followups::LeadFollowUps;
use crate::CommandMetadata;

/// The assistant's name in openings (a real engine brings its own persona).
const ASSISTANT_NAME: &str = "Alex";

/// Why a call command was not carried out.
#[derive(Debug, thiserror::Error)]
pub enum CallFailure {
    #[error("{0}")]
    Refused(CallError),
    #[error("the voice or conversation provider failed: {0}")]
    Provider(String),
    #[error("call store: {0}")]
    Store(String),
}

impl From<ExecuteError<CallError>> for CallFailure {
    fn from(error: ExecuteError<CallError>) -> Self {
        match error {
            ExecuteError::Refused(e) => Self::Refused(e),
            other => Self::Store(other.to_string()),
        }
    }
}

/// A call to create for a lead.
#[derive(Debug, Clone)]
pub struct NewCall {
    pub direction: CallDirection,
    pub phone: PhoneNumber,
    pub purpose: Option<String>,
    pub language: Language,
    /// Set when a provider already carries the call (an inbound call); otherwise the voice
    /// provider places it.
    pub placed: Option<PlacedCall>,
}

/// Runs call commands.
#[derive(Clone)]
pub struct CallService {
    store: AggregateStore<Call>,
    followups: LeadFollowUps,
    integrations: Integrations,
}

impl CallService {
    /// A service over `followups`' database, with `integrations`' voice and conversation engine.
    pub fn new(pool: sqlx::PgPool, followups: LeadFollowUps, integrations: Integrations) -> Self {
        Self {
            store: AggregateStore::new(pool, record_lookup),
            followups,
            integrations,
        }
    }

    /// The call as its events leave it (a default, non-existent call for an unknown id).
    pub async fn load(&self, call_id: Uuid) -> Result<Call, CallFailure> {
        self.store
            .load(call_id)
            .await
            .map(|(call, _)| call)
            .map_err(CallFailure::Store)
    }

    /// The call a provider knows as `provider_call_id`, for `tenant`.
    pub async fn find_by_provider(
        &self,
        tenant: TenantId,
        provider: &str,
        provider_call_id: &str,
    ) -> Result<Option<Uuid>, CallFailure> {
        sqlx::query_scalar(
            "SELECT call_id FROM call_lookup WHERE tenant_id = $1 AND provider = $2 AND provider_call_id = $3",
        )
        .bind(tenant.0)
        .bind(provider)
        .bind(provider_call_id)
        .fetch_optional(self.store.pool())
        .await
        .map_err(|e| CallFailure::Store(e.to_string()))
    }

    /// Creates a call for `lead_id` (placing it through the voice provider unless a provider
    /// already carries it).
    pub async fn create(
        &self,
        call_id: Uuid,
        lead_id: Uuid,
        call: NewCall,
        metadata: &CommandMetadata,
    ) -> Result<Executed<Call>, CallFailure> {
        let placed = match call.placed {
            Some(placed) => placed,
            None => {
                let outbound = OutboundCall {
                    tenant_id: metadata.tenant_id.0,
                    call_id,
                    phone: call.phone.as_str().to_string(),
                    language: call.language.as_str().to_string(),
                };
                self.integrations
                    .voice
                    .place(&outbound)
                    .await
                    .map_err(|e| CallFailure::Provider(e.to_string()))?
            }
        };
        let command = self.command(
            metadata,
            CallAction::Create(CreateCall {
                call_id,
                lead_id,
                direction: call.direction,
                phone: call.phone,
                purpose: call.purpose,
                language: call.language,
                provider: placed.provider,
                provider_call_id: placed.provider_call_id,
            }),
        );
        Ok(self.store.execute(call_id, |c| c.decide(&command), metadata).await?)
    }

    /// The lead picked up: the assistant opens.
    pub async fn start(&self, call_id: Uuid, metadata: &CommandMetadata) -> Result<Executed<Call>, CallFailure> {
        let call = self.load(call_id).await?;
        let context = self.context(&call).await?;
        let opening_message = self
            .integrations
            .conversation
            .opening(&context)
            .await
            .map_err(|e| CallFailure::Provider(e.to_string()))?;
        let command = self.command(metadata, CallAction::Start { opening_message });
        Ok(self.store.execute(call_id, |c| c.decide(&command), metadata).await?)
    }

    /// The customer said `text`: the engine reads and answers it, and the turn is recorded.
    pub async fn respond(
        &self,
        call_id: Uuid,
        text: &str,
        metadata: &CommandMetadata,
    ) -> Result<Executed<Call>, CallFailure> {
        let call = self.load(call_id).await?;
        // Refuse before asking the engine, which may cost money.
        call.takes_a_turn(metadata.tenant_id).map_err(CallFailure::Refused)?;
        let context = self.context(&call).await?;
        let (analysis, reply) = self
            .integrations
            .conversation
            .respond(&context, call.conversation_state, text)
            .await
            .map_err(|e| CallFailure::Provider(e.to_string()))?;
        let command = self.command(
            metadata,
            CallAction::RecordTurn {
                customer_text: text.to_string(),
                reply: Some(reply.text),
                analysis,
                state: reply.state,
                should_continue: reply.should_continue,
            },
        );
        Ok(self.store.execute(call_id, |c| c.decide(&command), metadata).await?)
    }

    /// A provider heard the customer say `text` (and its own agent answer `reply`, if it said).
    pub async fn hear(
        &self,
        call_id: Uuid,
        text: &str,
        reply: Option<String>,
        metadata: &CommandMetadata,
    ) -> Result<Executed<Call>, CallFailure> {
        let call = self.load(call_id).await?;
        let analysis = self
            .integrations
            .conversation
            .analyze(text)
            .await
            .map_err(|e| CallFailure::Provider(e.to_string()))?;
        let command = self.command(
            metadata,
            CallAction::RecordTurn {
                customer_text: text.to_string(),
                reply,
                analysis,
                state: call.conversation_state,
                should_continue: true,
            },
        );
        Ok(self.store.execute(call_id, |c| c.decide(&command), metadata).await?)
    }

    /// Hangs up. A completed call goes on the lead's timeline as `call_completed`, which counts
    /// toward its engagement and rescores it.
    pub async fn end(
        &self,
        call_id: Uuid,
        reason: &str,
        outcome: Option<String>,
        metadata: &CommandMetadata,
    ) -> Result<Executed<Call>, CallFailure> {
        let command = self.command(
            metadata,
            CallAction::End {
                reason: reason.to_string(),
                outcome,
            },
        );
        let executed = self.store.execute(call_id, |c| c.decide(&command), metadata).await?;
        let completed = executed.events.iter().find_map(|e| match e {
            CallEvent::Completed(c) => Some(c),
            _ => None,
        });
        if let (Some(completed), Some(lead_id)) = (completed, executed.state.lead_id) {
            let activity = LogActivity {
                activity_type: ActivityType::parse("call_completed").map_err(|e| CallFailure::Store(e.message))?,
                description: LongText::parse("description", &completed.summary.recommendation).ok(),
                metadata: Metadata::parse(
                    "metadata",
                    json!({
                        "call_id": call_id,
                        "duration_minutes": completed.summary.duration_minutes,
                        "outcome": completed.summary.outcome,
                        "conversion_probability": completed.analytics.conversion_probability,
                    }),
                )
                .map_err(|e| CallFailure::Store(e.message))?,
            };
            // The call is recorded whatever the lead says; a lead erased meanwhile keeps no timeline.
            if let Err(error) = self
                .followups
                .run(lead_id, LeadAction::LogActivity(activity), metadata)
                .await
            {
                tracing::warn!(%error, %call_id, "the completed call was not logged on its lead");
            }
        }
        Ok(executed)
    }

    fn command(&self, metadata: &CommandMetadata, action: CallAction) -> CallCommand {
        CallCommand {
            tenant_id: metadata.tenant_id,
            issued_at: metadata.issued_at,
            action,
        }
    }

    /// What the engine is told about whom it calls.
    async fn context(&self, call: &Call) -> Result<CallContext, CallFailure> {
        let lead = match call.lead_id {
            Some(id) => self
                .followups
                .leads
                .load(id)
                .await
                .map_err(|e| CallFailure::Store(e.to_string()))?,
            None => Lead::default(),
        };
        Ok(CallContext {
            lead_name: lead
                .first_name
                .as_ref()
                .map(|n| n.as_str().to_string())
                .or_else(|| lead.display_name()),
            company: lead.company.as_ref().map(|c| c.as_str().to_string()),
            purpose: call.purpose.clone(),
            assistant_name: ASSISTANT_NAME.to_string(),
            language: call.language,
        })
    }
}

/// The provider's id of a new call, so its webhooks find it.
fn record_lookup<'c>(
    conn: &'c mut PgConnection,
    call_id: Uuid,
    _: &'c Call,
    events: &'c [CallEvent],
) -> BoxFuture<'c, Result<(), sqlx::Error>> {
    Box::pin(async move {
        for event in events {
            if let CallEvent::Created(c) = event {
                sqlx::query(
                    "INSERT INTO call_lookup (tenant_id, provider, provider_call_id, call_id) VALUES ($1, $2, $3, $4)",
                )
                .bind(c.tenant_id.0)
                .bind(&c.provider)
                .bind(&c.provider_call_id)
                .bind(call_id)
                .execute(&mut *conn)
                .await?;
            }
        }
        Ok(())
    })
}
