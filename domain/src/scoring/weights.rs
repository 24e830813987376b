use serde::{Deserialize, Serialize};

use crate::FieldError;

/// How much each sub-score counts toward the overall score. A tenant's admins may change them;
/// every score records the version it was computed with, so old scores stay explainable.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ScoringWeights {
    pub version: u32,
    pub company_fit: f64,
    pub intent_signal: f64,
    pub budget_indicator: f64,
    pub urgency: f64,
    pub engagement: f64,
}

impl Default for ScoringWeights {
    /// Fit and intent lead; urgency separates "this month" from "someday".
    fn default() -> Self {
        Self {
            version: 1,
            company_fit: 0.30,
            intent_signal: 0.35,
            budget_indicator: 0.10,
            urgency: 0.20,
            engagement: 0.05,
        }
    }
}

impl ScoringWeights {
    /// Checks weights given by an admin: each 0–1, not all zero.
    pub fn parse(version: u32, weights: [f64; 5]) -> Result<Self, FieldError> {
        if weights.iter().any(|w| !(0.0..=1.0).contains(w)) {
            return Err(FieldError::new("weights", "each weight must be between 0 and 1"));
        }
        if weights.iter().sum::<f64>() <= 0.0 {
            return Err(FieldError::new("weights", "at least one weight must be above 0"));
        }
        let [company_fit, intent_signal, budget_indicator, urgency, engagement] = weights;
        Ok(Self {
            version,
            company_fit,
            intent_signal,
            budget_indicator,
            urgency,
            engagement,
        })
    }

    /// The weights in sub-score order, and their sum.
    pub(crate) fn as_array(&self) -> ([f64; 5], f64) {
        let all = [
            self.company_fit,
            self.intent_signal,
            self.budget_indicator,
            self.urgency,
            self.engagement,
        ];
        (all, all.iter().sum())
    }
}
