use futures::future::BoxFuture;
use leadstream_domain::lead::{Enrichment, EnrichmentInput};

/// Finds facts about a lead. A data provider (Clearbit, Apollo, …) plugs in here.
pub trait Enricher: Send + Sync {
    /// What the provider knows about the lead described by `input`.
    fn enrich<'a>(&'a self, input: &'a EnrichmentInput) -> BoxFuture<'a, anyhow::Result<Enrichment>>;
}

/// The local default: only what the lead's own data shows (see `Enrichment::derive`).
pub struct LocalEnricher;

impl Enricher for LocalEnricher {
    fn enrich<'a>(&'a self, input: &'a EnrichmentInput) -> BoxFuture<'a, anyhow::Result<Enrichment>> {
        Box::pin(async move { Ok(Enrichment::derive(input)) })
    }
}
