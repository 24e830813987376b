use serde::{Deserialize, Serialize};

use crate::FieldError;

/// What the person qualifying a lead knows about it (seed 002's `criteria`). Each answer is
/// optional; a stated answer outranks what the engine reads in the lead's message.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QualificationCriteria {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget: Option<BudgetLevel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeline: Option<Timeline>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision_maker: Option<bool>,
}

impl QualificationCriteria {
    /// These answers, with `newer`'s where it gives one.
    pub fn merged(&self, newer: &Self) -> Self {
        Self {
            budget: newer.budget.or(self.budget),
            timeline: newer.timeline.or(self.timeline),
            decision_maker: newer.decision_maker.or(self.decision_maker),
        }
    }
}

/// How much money the lead has for this.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BudgetLevel {
    High,
    Medium,
    Low,
}

impl BudgetLevel {
    /// Parses `high`, `medium` or `low` (any case; `none` counts as low).
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        match raw.trim().to_lowercase().as_str() {
            "high" | "alto" => Ok(Self::High),
            "medium" | "mid" | "medio" => Ok(Self::Medium),
            "low" | "none" | "bajo" => Ok(Self::Low),
            _ => Err(FieldError::new("criteria.budget", "must be high, medium or low")),
        }
    }
}

/// When the lead means to decide.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Timeline {
    /// Now: this week or this month.
    Immediate,
    /// Within a few months.
    ShortTerm,
    /// Later, or no date.
    LongTerm,
}

impl Timeline {
    /// Parses `immediate`, `short_term` or `long_term`, and the usual ways of saying them.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        match raw.trim().to_lowercase().replace(['-', ' '], "_").as_str() {
            "immediate" | "now" | "this_week" | "this_month" | "inmediato" => Ok(Self::Immediate),
            "short_term" | "this_quarter" | "next_quarter" | "1_3_months" | "3_months" => Ok(Self::ShortTerm),
            "long_term" | "later" | "next_year" | "6_months" => Ok(Self::LongTerm),
            _ => Err(FieldError::new(
                "criteria.timeline",
                "must be immediate, short_term or long_term",
            )),
        }
    }
}
