use serde::{Deserialize, Serialize};

use super::phrases::*;
use super::Language;
use crate::text_match::{count, normalise, without};

/// What one customer utterance shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TurnAnalysis {
    /// −1 (hostile) to 1 (delighted).
    pub sentiment: f64,
    pub intent: Intent,
    pub objections: Vec<Objection>,
    pub interest_signals: Vec<InterestSignal>,
    pub language: Language,
}

/// What the customer is after, one per utterance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Intent {
    NotInterested,
    ScheduleRequest,
    PricingInquiry,
    CallbackRequest,
    Objection,
    InformationRequest,
    PositiveConfirmation,
    Greeting,
    GeneralInquiry,
}

/// A reason the customer gives not to go ahead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Objection {
    Price,
    Timing,
    Authority,
    Need,
    Competitor,
    Trust,
}

/// A sign the customer may buy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InterestSignal {
    VerbalInterest,
    DemoInterest,
    PricingInterest,
    TimelineInterest,
    AppointmentInterest,
    BudgetMentioned,
}

impl Intent {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotInterested => "not_interested",
            Self::ScheduleRequest => "schedule_request",
            Self::PricingInquiry => "pricing_inquiry",
            Self::CallbackRequest => "callback_request",
            Self::Objection => "objection",
            Self::InformationRequest => "information_request",
            Self::PositiveConfirmation => "positive_confirmation",
            Self::Greeting => "greeting",
            Self::GeneralInquiry => "general_inquiry",
        }
    }
}

/// Reads one utterance. The same text always gives the same analysis.
pub fn analyze(text: &str) -> TurnAnalysis {
    let language = Language::detect(text);
    let text = normalise(text);
    let refusing = count(&text, NOT_INTERESTED) > 0;
    let objections: Vec<Objection> = [
        (Objection::Price, PRICE_OBJECTION),
        (Objection::Timing, TIMING_OBJECTION),
        (Objection::Authority, AUTHORITY_OBJECTION),
        (Objection::Need, NEED_OBJECTION),
        (Objection::Competitor, COMPETITOR_OBJECTION),
        (Objection::Trust, TRUST_OBJECTION),
    ]
    .into_iter()
    .filter(|(_, phrases)| count(&text, phrases) > 0)
    .map(|(objection, _)| objection)
    .collect();
    // "not interested" is no interest, and "no budget" no budget: read signals without them.
    let hopeful = [NOT_INTERESTED, PRICE_OBJECTION, NEED_OBJECTION]
        .iter()
        .fold(text.clone(), |t, phrases| without(&t, phrases));
    let interest_signals: Vec<InterestSignal> = [
        (InterestSignal::VerbalInterest, VERBAL_INTEREST),
        (InterestSignal::DemoInterest, DEMO_INTEREST),
        (InterestSignal::PricingInterest, PRICING),
        (InterestSignal::TimelineInterest, TIMELINE_INTEREST),
        (InterestSignal::AppointmentInterest, SCHEDULING),
        (InterestSignal::BudgetMentioned, BUDGET_SIGNAL),
    ]
    .into_iter()
    .filter(|(_, phrases)| count(&hopeful, phrases) > 0)
    .map(|(signal, _)| signal)
    .collect();
    let has = |phrases: &[&str]| count(&hopeful, phrases) > 0;
    let intent = if refusing {
        Intent::NotInterested
    } else if has(SCHEDULING) {
        Intent::ScheduleRequest
    } else if has(PRICING) {
        Intent::PricingInquiry
    } else if has(CALLBACK) {
        Intent::CallbackRequest
    } else if !objections.is_empty() {
        Intent::Objection
    } else if has(INFORMATION) {
        Intent::InformationRequest
    } else if has(CONFIRMATION) {
        Intent::PositiveConfirmation
    } else if has(GREETING) {
        Intent::Greeting
    } else {
        Intent::GeneralInquiry
    };
    let positive = count(&hopeful, POSITIVE) as f64;
    let negative = count(&text, NEGATIVE) as f64 + objections.len() as f64 + if refusing { 2.0 } else { 0.0 };
    let raw = (positive - negative) / (positive + negative + 1.0);
    TurnAnalysis {
        sentiment: (raw.clamp(-1.0, 1.0) * 100.0).round() / 100.0,
        intent,
        objections,
        interest_signals,
        language,
    }
}
