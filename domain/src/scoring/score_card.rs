use serde::{Deserialize, Serialize};

use super::profile::Signal;
use crate::FieldError;

/// How hot a lead is: HOT ≥ 80, WARM 50–79, COLD < 50.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Tier {
    Hot,
    Warm,
    Cold,
}

impl Tier {
    /// The tier of an overall score.
    pub fn of(score: f64) -> Self {
        if score >= 80.0 {
            Tier::Hot
        } else if score >= 50.0 {
            Tier::Warm
        } else {
            Tier::Cold
        }
    }

    /// Parses a tier name in any case (seed 000 filters on `temperature=hot`).
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        match raw.trim().to_ascii_uppercase().as_str() {
            "HOT" => Ok(Tier::Hot),
            "WARM" => Ok(Tier::Warm),
            "COLD" => Ok(Tier::Cold),
            _ => Err(FieldError::new(
                "tier",
                format!("must be hot, warm or cold; got {raw:?}"),
            )),
        }
    }

    /// The tier's name, as shown and filtered on.
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Hot => "HOT",
            Tier::Warm => "WARM",
            Tier::Cold => "COLD",
        }
    }
}

/// What to do with the lead next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecommendedAction {
    RouteToAe,
    AddToNurture,
    AddToMarketingAutomation,
}

/// Each part of the score, 0–100. `demographic` and `behavioral` are seed 004's names for fit
/// and for intent with urgency.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SubScores {
    pub company_fit: f64,
    pub intent_signal: f64,
    pub budget_indicator: f64,
    pub urgency: f64,
    pub engagement: f64,
    pub demographic: f64,
    pub behavioral: f64,
}

/// One signal and how many points of the overall score it is worth here (negative for what
/// held the score down).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Factor {
    pub signal: Signal,
    pub description: String,
    pub impact: f64,
}

/// Why the score is what it is, and what would help.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Factors {
    pub positive: Vec<Factor>,
    pub negative: Vec<Factor>,
    pub recommendations: Vec<String>,
}

/// A lead's qualification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreCard {
    pub overall_score: f64,
    pub sub_scores: SubScores,
    pub conversion_probability: f64,
    pub tier: Tier,
    pub reasoning: String,
    pub factors: Factors,
    pub recommended_action: RecommendedAction,
    /// The version of the weights this was computed with.
    pub weights_version: u32,
}
