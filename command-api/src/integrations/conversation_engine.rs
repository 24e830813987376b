use futures::future::BoxFuture;
use leadstream_domain::conversation::{self, CallContext, ConversationState, Reply, TurnAnalysis};

/// Holds the assistant's side of a call. An LLM-backed engine plugs in here.
pub trait ConversationEngine: Send + Sync {
    /// What the assistant says when the lead picks up.
    fn opening<'a>(&'a self, context: &'a CallContext) -> BoxFuture<'a, anyhow::Result<String>>;

    /// Reads what the customer said and answers it, in the conversation's `state`.
    fn respond<'a>(
        &'a self,
        context: &'a CallContext,
        state: ConversationState,
        customer_text: &'a str,
    ) -> BoxFuture<'a, anyhow::Result<(TurnAnalysis, Reply)>>;

    /// Reads what the customer said, without answering (a provider's agent answered).
    fn analyze<'a>(&'a self, customer_text: &'a str) -> BoxFuture<'a, anyhow::Result<TurnAnalysis>>;
}

/// The local default: the domain's rule-based engine, deterministic, in English and Spanish.
pub struct RuleBasedConversation;

impl ConversationEngine for RuleBasedConversation {
    fn opening<'a>(&'a self, context: &'a CallContext) -> BoxFuture<'a, anyhow::Result<String>> {
        Box::pin(async move { Ok(conversation::opening(context)) })
    }

    fn respond<'a>(
        &'a self,
        context: &'a CallContext,
        state: ConversationState,
        customer_text: &'a str,
    ) -> BoxFuture<'a, anyhow::Result<(TurnAnalysis, Reply)>> {
        Box::pin(async move {
            let analysis = conversation::analyze(customer_text);
            let reply = conversation::reply(context, state, &analysis);
            Ok((analysis, reply))
        })
    }

    fn analyze<'a>(&'a self, customer_text: &'a str) -> BoxFuture<'a, anyhow::Result<TurnAnalysis>> {
        Box::pin(async move { Ok(conversation::analyze(customer_text)) })
    }
}
