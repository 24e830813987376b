//! Lead qualification: an explainable, deterministic score from what is known about a lead.
//! The same profile and weights always give the same card; every factor on the card is a signal
//! whose removal really lowers (or, for a negative factor, raises) the score.

mod criteria;
mod engine;
mod phrases;
mod profile;
mod score_card;
mod weights;

pub use criteria::{BudgetLevel, QualificationCriteria, Timeline};
pub use engine::score;
pub use phrases::is_free_mail_domain;
pub use profile::{Engagement, LeadProfile, Signal};
pub use score_card::{Factor, Factors, RecommendedAction, ScoreCard, SubScores, Tier};
pub use weights::ScoringWeights;

#[cfg(test)]
mod tests;
