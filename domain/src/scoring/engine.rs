use super::phrases::{self, count, names_amount, normalise};
use super::profile::{LeadProfile, Signal};
use super::score_card::{Factor, Factors, RecommendedAction, ScoreCard, SubScores, Tier};
use super::weights::ScoringWeights;

/// Scores `profile` with `weights`. Pure and deterministic.
pub fn score(profile: &LeadProfile, weights: &ScoringWeights) -> ScoreCard {
    let (sub_scores, signals) = evaluate(profile);
    let overall = overall(&sub_scores, weights);
    let mut factors = Factors::default();
    for signal in signals {
        // A factor is listed only if taking it away really moves the score.
        let (without, _) = evaluate(&profile.without(signal));
        let impact = round1(overall - self::overall(&without, weights));
        let factor = Factor {
            signal,
            description: describe(signal).to_string(),
            impact,
        };
        if impact > 0.0 {
            factors.positive.push(factor);
        } else if impact < 0.0 {
            factors.negative.push(factor);
        }
    }
    factors.positive.sort_by(|a, b| b.impact.total_cmp(&a.impact));
    factors.negative.sort_by(|a, b| a.impact.total_cmp(&b.impact));
    let tier = Tier::of(overall);
    factors.recommendations = recommendations(profile, &sub_scores, tier);
    ScoreCard {
        overall_score: overall,
        sub_scores,
        conversion_probability: conversion_probability(overall),
        tier,
        reasoning: reasoning(tier, overall, &factors),
        factors,
        recommended_action: match tier {
            Tier::Hot => RecommendedAction::RouteToAe,
            Tier::Warm => RecommendedAction::AddToNurture,
            Tier::Cold => RecommendedAction::AddToMarketingAutomation,
        },
        weights_version: weights.version,
    }
}

/// The sub-scores of a profile and the signals behind them.
fn evaluate(p: &LeadProfile) -> (SubScores, Vec<Signal>) {
    let mut signals = vec![];
    let mut saw = |signal: Signal, present: bool| {
        if present {
            signals.push(signal);
        }
        present
    };
    let raw_message = p.message.as_deref().unwrap_or("");
    let text = normalise(raw_message);
    let title = normalise(p.title.as_deref().unwrap_or(""));
    let domain = p
        .email
        .as_deref()
        .and_then(|e| e.rsplit_once('@'))
        .map(|(_, d)| d.to_lowercase());
    let free_mail = domain.as_deref().is_some_and(|d| phrases::FREE_MAIL.contains(&d));
    let source = p.source.as_deref().map(str::to_lowercase);
    let source_is = |list: &[&str]| source.as_deref().is_some_and(|s| list.contains(&s));

    let mut company_fit: f64 = if saw(Signal::FreeEmail, free_mail) { 0.0 } else { 10.0 };
    if saw(Signal::BusinessEmail, domain.is_some() && !free_mail) {
        company_fit += 30.0;
    }
    if saw(
        Signal::CompanyNamed,
        p.company.as_deref().is_some_and(|c| !c.trim().is_empty()),
    ) {
        company_fit += 20.0;
    }
    if saw(Signal::ExecutiveTitle, count(&title, phrases::EXECUTIVE_TITLES) > 0) {
        company_fit += 35.0;
    } else if saw(Signal::ManagerTitle, count(&title, phrases::MANAGER_TITLES) > 0) {
        company_fit += 20.0;
    }
    if saw(
        Signal::FitCompanySize,
        p.company_size.is_some_and(|n| (10..=5000).contains(&n)),
    ) {
        company_fit += 15.0;
    }
    if saw(
        Signal::IndustryNamed,
        p.industry.as_deref().is_some_and(|i| !i.trim().is_empty()),
    ) {
        company_fit += 5.0;
    }

    let mut intent: f64 = if saw(Signal::ColdSource, source_is(phrases::COLD_SOURCES)) {
        0.0
    } else {
        10.0
    };
    let strong = count(&text, phrases::STRONG_INTENT);
    if saw(Signal::StrongIntent, strong > 0) {
        intent += 50.0 + 10.0 * (strong - 1) as f64;
    }
    if saw(Signal::SoftInterest, count(&text, phrases::SOFT_INTEREST) > 0) {
        intent += 15.0;
    }
    if saw(Signal::InboundSource, source_is(phrases::INBOUND_SOURCES)) {
        intent += 25.0;
    }

    let money_text = phrases::without(&text, phrases::NO_BUDGET);
    let budget_named = count(&money_text, phrases::BUDGET) > 0 || names_amount(&money_text);
    let budget = if saw(Signal::BudgetMentioned, budget_named) {
        80.0
    } else if saw(Signal::NoBudget, count(&text, phrases::NO_BUDGET) > 0) {
        0.0
    } else {
        30.0
    };

    let urgency = if saw(Signal::Urgent, count(&text, phrases::URGENT) > 0) {
        90.0
    } else if saw(Signal::NearTerm, count(&text, phrases::NEAR_TERM) > 0) {
        60.0
    } else if saw(Signal::NoRush, count(&text, phrases::NO_RUSH) > 0) {
        5.0
    } else {
        20.0
    };

    let e = p.engagement;
    let mut engagement: f64 = 0.0;
    // Writing to us counts, but is not a factor of its own: taking the message away would also
    // take away every phrase in it, and the phrases are the factors.
    if !text.trim().is_empty() {
        engagement += 30.0;
    }
    if saw(Signal::Reachable, p.has_phone) {
        engagement += 10.0;
    }
    if saw(Signal::Activities, e.activities > 0) {
        engagement += (5.0 * f64::from(e.activities)).min(20.0);
    }
    if saw(Signal::Calls, e.calls > 0) {
        engagement += (10.0 * f64::from(e.calls)).min(20.0);
    }
    if saw(Signal::Replies, e.replies > 0) {
        engagement += (10.0 * f64::from(e.replies)).min(20.0);
    }
    if saw(Signal::Appointments, e.appointments > 0) {
        engagement += 30.0;
    }

    let company_fit = company_fit.min(100.0);
    let intent_signal = intent.min(100.0);
    let engagement = engagement.min(100.0);
    let sub_scores = SubScores {
        company_fit,
        intent_signal,
        budget_indicator: budget,
        urgency,
        engagement,
        demographic: company_fit,
        behavioral: round1((intent_signal + urgency) / 2.0),
    };
    (sub_scores, signals)
}

fn overall(s: &SubScores, weights: &ScoringWeights) -> f64 {
    let ([fit, intent, budget, urgency, engagement], total) = weights.as_array();
    let weighted = fit * s.company_fit
        + intent * s.intent_signal
        + budget * s.budget_indicator
        + urgency * s.urgency
        + engagement * s.engagement;
    round1((weighted / total).clamp(0.0, 100.0))
}

/// A logistic curve through 50 % at a score of 60.
fn conversion_probability(overall: f64) -> f64 {
    let p = 1.0 / (1.0 + (-(overall - 60.0) / 12.0).exp());
    (p * 100.0).round() / 100.0
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn describe(signal: Signal) -> &'static str {
    match signal {
        Signal::BusinessEmail => "writes from a company e-mail domain",
        Signal::CompanyNamed => "names the company",
        Signal::ExecutiveTitle => "holds a decision-making title",
        Signal::ManagerTitle => "holds a management title",
        Signal::FitCompanySize => "company size fits (10 to 5,000 people)",
        Signal::IndustryNamed => "names the industry",
        Signal::StrongIntent => "asks for a demo, a price, a visit or to buy",
        Signal::SoftInterest => "asks for information",
        Signal::InboundSource => "came to us (form, referral, inbound call or chat)",
        Signal::BudgetMentioned => "mentions budget, an amount or financing",
        Signal::Urgent => "wants to move now (today, this week, this month)",
        Signal::NearTerm => "plans to decide within a few months",
        Signal::Reachable => "left a phone number",
        Signal::Activities => "has logged activity",
        Signal::Calls => "has had calls",
        Signal::Replies => "has replied",
        Signal::Appointments => "has an appointment",
        Signal::FreeEmail => "writes from a free e-mail provider",
        Signal::ColdSource => "came from a list or import, not on its own",
        Signal::NoBudget => "says there is no budget or it is too expensive",
        Signal::NoRush => "is in no hurry",
    }
}

fn recommendations(p: &LeadProfile, s: &SubScores, tier: Tier) -> Vec<String> {
    let mut out = vec![];
    if tier == Tier::Hot {
        out.push("call within the hour and route to an account executive".to_string());
    }
    if p.message.as_deref().is_none_or(|m| m.trim().is_empty()) {
        out.push("ask what they need: there is no message yet".to_string());
    }
    if s.budget_indicator == 30.0 {
        out.push("ask about budget or financing".to_string());
    }
    if s.urgency == 20.0 {
        out.push("ask when they plan to decide".to_string());
    }
    if !p.has_phone {
        out.push("get a phone number".to_string());
    }
    if p.company.is_none() {
        out.push("find out the company and the role".to_string());
    }
    out
}

fn reasoning(tier: Tier, overall: f64, factors: &Factors) -> String {
    let best: Vec<&str> = factors
        .positive
        .iter()
        .take(3)
        .map(|f| f.description.as_str())
        .collect();
    let worst = factors.negative.first().map(|f| f.description.as_str());
    let mut sentence = format!("{} ({overall})", tier.as_str());
    match best.as_slice() {
        [] => sentence.push_str(": nothing yet says this lead is ready to buy"),
        [one] => sentence.push_str(&format!(": the lead {one}")),
        [init @ .., last] => sentence.push_str(&format!(": the lead {} and {last}", init.join(", "))),
    }
    if let Some(worst) = worst {
        sentence.push_str(&format!("; but it {worst}"));
    }
    sentence.push('.');
    sentence
}
