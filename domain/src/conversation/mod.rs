//! The local conversation engine: reads what a customer says on a call (sentiment, intent,
//! objections, interest signals, in English and Spanish), answers by rule, and sums a call up.
//! Pure and deterministic, so calls run and are tested with no model behind them; a real LLM
//! plugs in behind the command side's `ConversationEngine` trait.

mod analysis;
mod language;
mod phrases;
mod reply;
mod summary;

pub use analysis::{analyze, Intent, InterestSignal, Objection, TurnAnalysis};
pub use language::Language;
pub use reply::{opening, reply, CallContext, ConversationState, Reply};
pub use summary::{summarize, CallAnalytics, CallSummary, SummarizedTurn};

#[cfg(test)]
mod tests;
