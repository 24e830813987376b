use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{ConversationState, Intent, InterestSignal, Objection, TurnAnalysis};

/// What a call came to, for people.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallSummary {
    pub duration_minutes: f64,
    pub total_exchanges: u32,
    pub conversation_state: ConversationState,
    pub objections_raised: Vec<Objection>,
    pub interest_signals: Vec<InterestSignal>,
    /// The mean sentiment of the customer's turns, −1 to 1.
    pub overall_sentiment: f64,
    pub recommendation: String,
    /// What the call achieved, when someone said (`appointment_scheduled`, …).
    pub outcome: Option<String>,
}

/// What a call came to, as numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallAnalytics {
    /// 0–1.
    pub conversion_probability: f64,
    /// 0–1: how much and how warmly the customer took part.
    pub engagement_score: f64,
    pub total_turns: u32,
    pub avg_sentiment: f64,
}

/// One turn, as the summary reads it.
pub struct SummarizedTurn<'a> {
    pub analysis: &'a TurnAnalysis,
    pub state: ConversationState,
}

/// Sums up a call from its turns.
pub fn summarize(
    turns: &[SummarizedTurn<'_>],
    started_at: Option<DateTime<Utc>>,
    ended_at: DateTime<Utc>,
    outcome: Option<String>,
) -> (CallSummary, CallAnalytics) {
    let mut objections: Vec<Objection> = vec![];
    let mut signals: Vec<InterestSignal> = vec![];
    for turn in turns {
        for o in &turn.analysis.objections {
            if !objections.contains(o) {
                objections.push(*o);
            }
        }
        for s in &turn.analysis.interest_signals {
            if !signals.contains(s) {
                signals.push(*s);
            }
        }
    }
    let n = turns.len() as f64;
    let avg_sentiment = if turns.is_empty() {
        0.0
    } else {
        round2(turns.iter().map(|t| t.analysis.sentiment).sum::<f64>() / n)
    };
    let wants_meeting = turns.iter().any(|t| t.analysis.intent == Intent::ScheduleRequest)
        || outcome
            .as_deref()
            .is_some_and(|o| o.contains("appointment") || o.contains("scheduled"));
    let refused = turns.last().is_some_and(|t| t.analysis.intent == Intent::NotInterested);
    let mut probability = 0.3 + 0.3 * avg_sentiment + 0.08 * signals.len() as f64 - 0.07 * objections.len() as f64;
    if wants_meeting {
        probability += 0.2;
    }
    if refused {
        probability -= 0.3;
    }
    let conversion_probability = round2(probability.clamp(0.01, 0.99));
    let warm = if turns.is_empty() {
        0.0
    } else {
        turns.iter().filter(|t| t.analysis.sentiment > 0.0).count() as f64 / n
    };
    let engagement = 0.5 * (n.min(8.0) / 8.0) + 0.3 * warm + 0.2 * (signals.len() as f64).min(4.0) / 4.0;
    let recommendation = if conversion_probability >= 0.7 {
        "High priority - Schedule a meeting now".to_string()
    } else if conversion_probability >= 0.4 {
        let follow_up = match objections.first() {
            Some(Objection::Price) => "pricing information",
            Some(Objection::Timing) => "a check-in at a better time",
            Some(Objection::Authority) => "a summary for the decision maker",
            Some(Objection::Trust) => "references and written terms",
            _ => "more information",
        };
        format!("Medium priority - Follow up with {follow_up}")
    } else {
        "Low priority - Add to a nurture sequence".to_string()
    };
    let minutes = started_at.map_or(0.0, |start| (ended_at - start).num_seconds().max(0) as f64 / 60.0);
    let summary = CallSummary {
        duration_minutes: (minutes * 10.0).round() / 10.0,
        total_exchanges: turns.len() as u32,
        conversation_state: turns.last().map_or(ConversationState::Greeting, |t| t.state),
        objections_raised: objections,
        interest_signals: signals,
        overall_sentiment: avg_sentiment,
        recommendation,
        outcome,
    };
    let analytics = CallAnalytics {
        conversion_probability,
        engagement_score: round2(engagement.clamp(0.0, 1.0)),
        total_turns: turns.len() as u32,
        avg_sentiment,
    };
    (summary, analytics)
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}
