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

/// The value `wanted` spells, if any of `spellings` is it.
fn spelled<T: Copy>(spellings: &[(&str, T)], wanted: &str) -> Option<T> {
    spellings
        .iter()
        .find(|(spelling, _)| *spelling == wanted)
        .map(|(_, value)| *value)
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
    /// Every spelling read, and the level it means.
    pub const SPELLINGS: [(&'static str, Self); 8] = [
        ("high", Self::High),
        ("alto", Self::High),
        ("medium", Self::Medium),
        ("mid", Self::Medium),
        ("medio", Self::Medium),
        ("low", Self::Low),
        ("none", Self::Low),
        ("bajo", Self::Low),
    ];

    /// Parses `high`, `medium` or `low` (any case; `none` counts as low).
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        spelled(&Self::SPELLINGS, &raw.trim().to_lowercase())
            .ok_or_else(|| FieldError::new("criteria.budget", "must be high, medium or low"))
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
    /// Every spelling read (after lower-casing, with `-` and spaces read as `_`), and the
    /// timeline it means.
    pub const SPELLINGS: [(&'static str, Self); 14] = [
        ("immediate", Self::Immediate),
        ("now", Self::Immediate),
        ("this_week", Self::Immediate),
        ("this_month", Self::Immediate),
        ("inmediato", Self::Immediate),
        ("short_term", Self::ShortTerm),
        ("this_quarter", Self::ShortTerm),
        ("next_quarter", Self::ShortTerm),
        ("1_3_months", Self::ShortTerm),
        ("3_months", Self::ShortTerm),
        ("long_term", Self::LongTerm),
        ("later", Self::LongTerm),
        ("next_year", Self::LongTerm),
        ("6_months", Self::LongTerm),
    ];

    /// Parses `immediate`, `short_term` or `long_term`, and the usual ways of saying them.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let wanted = raw.trim().to_lowercase().replace(['-', ' '], "_");
        Self::SPELLINGS
            .iter()
            .find(|(spelling, _)| *spelling == wanted)
            .map(|(_, timeline)| *timeline)
            .ok_or_else(|| FieldError::new("criteria.timeline", "must be immediate, short_term or long_term"))
    }
}
