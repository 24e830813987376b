//! The outside services a command may consult: enrichment providers, CRMs and messaging. Each sits behind
//! a trait whose local default needs no network.

mod crm;
mod enricher;
mod message_sender;

pub use crm::{Crm, CrmReceipt, CrmRequest, RecordingCrm};
pub use enricher::{Enricher, LocalEnricher};
pub use message_sender::{Accepted, MessageSender, Outbound, RecordingSender};

use leadstream_domain::lead::{Enrichment, EnrichmentInput};
use sqlx::PgPool;
use std::sync::Arc;

/// The providers the command side talks to.
#[derive(Clone)]
pub struct Integrations {
    pub enricher: Arc<dyn Enricher>,
    pub crm: Arc<dyn Crm>,
    pub messages: Arc<dyn MessageSender>,
}

impl Integrations {
    /// The local defaults: enrichment from the lead's own data, CRM requests recorded in
    /// `crm_requests`, messages recorded in `outbound_messages`.
    pub fn local(pool: PgPool) -> Self {
        Self {
            enricher: Arc::new(LocalEnricher),
            crm: Arc::new(RecordingCrm::new(pool.clone())),
            messages: Arc::new(RecordingSender::new(pool)),
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
