//! The outside services a command may consult: enrichment providers, CRMs, messaging, voice
//! and the conversation engine. Each sits behind
//! a trait whose local default needs no network.

mod conversation_engine;
mod crm;
mod enricher;
mod message_sender;
mod voice_provider;

pub use conversation_engine::{ConversationEngine, RuleBasedConversation};
pub use crm::{Crm, CrmReceipt, CrmRequest, RecordingCrm};
pub use enricher::{Enricher, LocalEnricher};
pub use message_sender::{Accepted, MessageSender, Outbound, RecordingSender};
pub use voice_provider::{OutboundCall, PlacedCall, RecordingVoice, VoiceProvider};

use leadstream_domain::lead::{Enrichment, EnrichmentInput};
use sqlx::PgPool;
use std::sync::Arc;

/// The providers the command side talks to.
#[derive(Clone)]
pub struct Integrations {
    pub enricher: Arc<dyn Enricher>,
    pub crm: Arc<dyn Crm>,
    pub messages: Arc<dyn MessageSender>,
    pub conversation: Arc<dyn ConversationEngine>,
    pub voice: Arc<dyn VoiceProvider>,
}

impl Integrations {
    /// The local defaults: enrichment from the lead's own data, CRM requests recorded in
    /// `crm_requests`, messages recorded in `outbound_messages`, the rule-based conversation
    /// engine, calls recorded in `placed_calls`.
    pub fn local(pool: PgPool) -> Self {
        Self {
            enricher: Arc::new(LocalEnricher),
            crm: Arc::new(RecordingCrm::new(pool.clone())),
            messages: Arc::new(RecordingSender::new(pool.clone())),
            conversation: Arc::new(RuleBasedConversation),
            voice: Arc::new(RecordingVoice::new(pool)),
        }
    }
}

impl Integrations {
    /// Asks the enricher; a provider that fails leaves the lead unenriched rather than
    /// unqualified.
    pub async fn enrich(&self, input: &EnrichmentInput) -> Option<Enrichment> {
        match self.enricher.enrich(input).await {
            Ok(enrichment) => Some(enrichment),
            Err(error) => {
                tracing::warn!(%error, "enrichment failed; qualifying without it");
                None
            }
        }
    }
}
