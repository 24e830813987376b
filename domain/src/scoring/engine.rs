use super::criteria::{BudgetLevel, Timeline};
use super::phrases::{self, count, names_amount, normalise};
use super::profile::{Engagement, LeadProfile, Signal};
use super::score_card::{Factor, Factors, RecommendedAction, ScoreCard, SubScores, Tier};
use super::weights::ScoringWeights;

/// Scores `profile` with `weights`. Pure and deterministic.
pub fn score(profile: &LeadProfile, weights: &ScoringWeights) -> ScoreCard {
    let seen = Observations::of(profile);
    let sub_scores = seen.sub_scores();
    let overall = overall(&sub_scores, weights);
    let mut factors = Factors::default();
    for signal in seen.signals() {
        // A factor is listed only if taking it away really moves the score.
        let impact = round1(overall - self::overall(&seen.without(signal).sub_scores(), weights));
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

/// Every signal read off a profile, once: the text is normalised and searched here and nowhere
/// else, so trying the score without each signal costs next to nothing.
#[derive(Clone, Copy)]
struct Observations {
    free_email: bool,
    business_email: bool,
    company_named: bool,
    executive_title: bool,
    manager_title: bool,
    fit_company_size: bool,
    industry_named: bool,
    cold_source: bool,
    inbound_source: bool,
    strong_intent: usize,
    soft_interest: bool,
    budget_mentioned: bool,
    no_budget: bool,
    urgent: bool,
    near_term: bool,
    no_rush: bool,
    wrote_message: bool,
    reachable: bool,
    engagement: Engagement,
    stated_budget: Option<BudgetLevel>,
    stated_timeline: Option<Timeline>,
    decision_maker: Option<bool>,
}

impl Observations {
    fn of(p: &LeadProfile) -> Self {
        let text = normalise(p.message.as_deref().unwrap_or(""));
        let title = normalise(p.title.as_deref().unwrap_or(""));
        let domain = p
            .email
            .as_deref()
            .and_then(|e| e.rsplit_once('@'))
            .map(|(_, d)| d.to_lowercase());
        let free_email = domain.as_deref().is_some_and(|d| phrases::FREE_MAIL.contains(&d));
        let source = p.source.as_deref().map(str::to_lowercase);
        let source_is = |list: &[&str]| source.as_deref().is_some_and(|s| list.contains(&s));
        let money_text = phrases::without(&text, phrases::NO_BUDGET);
        let executive_title = count(&title, phrases::EXECUTIVE_TITLES) > 0;
        Self {
            free_email,
            business_email: domain.is_some() && !free_email,
            company_named: p.company.as_deref().is_some_and(|c| !c.trim().is_empty()),
            executive_title,
            manager_title: !executive_title && count(&title, phrases::MANAGER_TITLES) > 0,
            fit_company_size: p.company_size.is_some_and(|n| (10..=5000).contains(&n)),
            industry_named: p.industry.as_deref().is_some_and(|i| !i.trim().is_empty()),
            cold_source: source_is(phrases::COLD_SOURCES),
            inbound_source: source_is(phrases::INBOUND_SOURCES),
            strong_intent: count(&text, phrases::STRONG_INTENT),
            soft_interest: count(&text, phrases::SOFT_INTEREST) > 0,
            budget_mentioned: count(&money_text, phrases::BUDGET) > 0 || names_amount(&money_text),
            no_budget: count(&text, phrases::NO_BUDGET) > 0,
            urgent: count(&text, phrases::URGENT) > 0,
            near_term: count(&text, phrases::NEAR_TERM) > 0,
            no_rush: count(&text, phrases::NO_RUSH) > 0,
            wrote_message: !text.trim().is_empty(),
            reachable: p.has_phone,
            engagement: p.engagement,
            stated_budget: p.criteria.budget,
            stated_timeline: p.criteria.timeline,
            decision_maker: p.criteria.decision_maker,
        }
    }

    /// The signals that count here, in the order they are listed.
    fn signals(&self) -> Vec<Signal> {
        let e = self.engagement;
        [
            (Signal::BusinessEmail, self.business_email),
            (Signal::CompanyNamed, self.company_named),
            (Signal::ExecutiveTitle, self.executive_title),
            (Signal::ManagerTitle, self.manager_title),
            (Signal::FitCompanySize, self.fit_company_size),
            (Signal::IndustryNamed, self.industry_named),
            (Signal::StrongIntent, self.strong_intent > 0),
            (Signal::SoftInterest, self.soft_interest),
            (Signal::InboundSource, self.inbound_source),
            (Signal::BudgetMentioned, self.budget_mentioned),
            (Signal::Urgent, self.urgent),
            (Signal::NearTerm, self.near_term),
            (Signal::Reachable, self.reachable),
            (Signal::Activities, e.activities > 0),
            (Signal::Calls, e.calls > 0),
            (Signal::Replies, e.replies > 0),
            (Signal::Appointments, e.appointments > 0),
            (
                Signal::BudgetConfirmed,
                matches!(self.stated_budget, Some(BudgetLevel::High | BudgetLevel::Medium)),
            ),
            (
                Signal::ImmediateTimeline,
                self.stated_timeline == Some(Timeline::Immediate),
            ),
            (Signal::ShortTimeline, self.stated_timeline == Some(Timeline::ShortTerm)),
            (Signal::DecisionMaker, self.decision_maker == Some(true)),
            (Signal::FreeEmail, self.free_email),
            (Signal::ColdSource, self.cold_source),
            (Signal::NoBudget, self.no_budget),
            (Signal::NoRush, self.no_rush),
            (Signal::LowBudget, self.stated_budget == Some(BudgetLevel::Low)),
            (Signal::LongTimeline, self.stated_timeline == Some(Timeline::LongTerm)),
            (Signal::NotDecisionMaker, self.decision_maker == Some(false)),
        ]
        .into_iter()
        .filter_map(|(signal, present)| present.then_some(signal))
        .collect()
    }

    /// The same observations without `signal`.
    fn without(mut self, signal: Signal) -> Self {
        match signal {
            Signal::BusinessEmail => self.business_email = false,
            Signal::FreeEmail => self.free_email = false,
            Signal::CompanyNamed => self.company_named = false,
            Signal::ExecutiveTitle => self.executive_title = false,
            Signal::ManagerTitle => self.manager_title = false,
            Signal::FitCompanySize => self.fit_company_size = false,
            Signal::IndustryNamed => self.industry_named = false,
            Signal::InboundSource => self.inbound_source = false,
            Signal::ColdSource => self.cold_source = false,
            Signal::StrongIntent => self.strong_intent = 0,
            Signal::SoftInterest => self.soft_interest = false,
            Signal::BudgetMentioned => self.budget_mentioned = false,
            Signal::NoBudget => self.no_budget = false,
            Signal::Urgent => self.urgent = false,
            Signal::NearTerm => self.near_term = false,
            Signal::NoRush => self.no_rush = false,
            Signal::Reachable => self.reachable = false,
            Signal::Activities => self.engagement.activities = 0,
            Signal::Calls => self.engagement.calls = 0,
            Signal::Replies => self.engagement.replies = 0,
            Signal::Appointments => self.engagement.appointments = 0,
            Signal::BudgetConfirmed | Signal::LowBudget => self.stated_budget = None,
            Signal::ImmediateTimeline | Signal::ShortTimeline | Signal::LongTimeline => self.stated_timeline = None,
            Signal::DecisionMaker | Signal::NotDecisionMaker => self.decision_maker = None,
        }
        self
    }

    fn sub_scores(&self) -> SubScores {
        let mut company_fit: f64 = if self.free_email { 0.0 } else { 10.0 };
        company_fit += points(self.business_email, 30.0)
            + points(self.company_named, 20.0)
            + points(self.executive_title, 35.0)
            + points(self.manager_title, 20.0)
            + points(self.fit_company_size, 15.0)
            + points(self.industry_named, 5.0)
            + points(self.decision_maker == Some(true), 30.0)
            - points(self.decision_maker == Some(false), 20.0);

        let mut intent: f64 = if self.cold_source { 0.0 } else { 10.0 };
        if self.strong_intent > 0 {
            intent += 50.0 + 10.0 * (self.strong_intent - 1) as f64;
        }
        intent += points(self.soft_interest, 15.0) + points(self.inbound_source, 25.0);

        let read_budget: f64 = if self.budget_mentioned {
            80.0
        } else if self.no_budget {
            0.0
        } else {
            30.0
        };
        // A stated answer outranks the message, but a confirmed budget never scores below what
        // the message already showed.
        let budget = match self.stated_budget {
            Some(BudgetLevel::High) => 100.0,
            Some(BudgetLevel::Medium) => read_budget.max(75.0),
            Some(BudgetLevel::Low) => read_budget.min(5.0),
            None => read_budget,
        };
        let read_urgency: f64 = if self.urgent {
            90.0
        } else if self.near_term {
            60.0
        } else if self.no_rush {
            5.0
        } else {
            20.0
        };
        let urgency = match self.stated_timeline {
            Some(Timeline::Immediate) => 100.0,
            Some(Timeline::ShortTerm) => read_urgency.max(60.0),
            Some(Timeline::LongTerm) => read_urgency.min(5.0),
            None => read_urgency,
        };

        let e = self.engagement;
        // Writing to us counts, but is not a factor of its own: taking the message away would
        // also take away every phrase in it, and the phrases are the factors.
        let engagement = points(self.wrote_message, 30.0)
            + points(self.reachable, 10.0)
            + (5.0 * f64::from(e.activities)).min(20.0)
            + (10.0 * f64::from(e.calls)).min(20.0)
            + (10.0 * f64::from(e.replies)).min(20.0)
            + points(e.appointments > 0, 30.0);

        let company_fit = company_fit.clamp(0.0, 100.0);
        let intent_signal = intent.min(100.0);
        let engagement = engagement.min(100.0);
        SubScores {
            company_fit,
            intent_signal,
            budget_indicator: budget,
            urgency,
            engagement,
            demographic: company_fit,
            behavioral: round1((intent_signal + urgency) / 2.0),
        }
    }
}

fn points(present: bool, worth: f64) -> f64 {
    if present {
        worth
    } else {
        0.0
    }
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
        Signal::BudgetConfirmed => "has a confirmed budget",
        Signal::ImmediateTimeline => "means to decide now",
        Signal::ShortTimeline => "means to decide within a few months",
        Signal::DecisionMaker => "is the one who decides",
        Signal::LowBudget => "has little budget",
        Signal::LongTimeline => "will not decide for a long while",
        Signal::NotDecisionMaker => "is not the one who decides",
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
    if s.budget_indicator == 30.0 && p.criteria.budget.is_none() {
        out.push("ask about budget or financing".to_string());
    }
    if s.urgency == 20.0 && p.criteria.timeline.is_none() {
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
