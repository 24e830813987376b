//! The engine's rules, by example and by property.

use super::phrases;
use super::*;

fn vp_asking_for_a_demo() -> LeadProfile {
    LeadProfile {
        email: Some("maria@acme-logistics.com".into()),
        has_phone: true,
        company: Some("Acme Logistics".into()),
        title: Some("VP of Operations".into()),
        source: Some("website_form".into()),
        message: Some("We'd like a demo this month for our team.".into()),
        company_size: Some(50),
        ..LeadProfile::default()
    }
}

fn gmail_without_a_message() -> LeadProfile {
    LeadProfile {
        email: Some("someone@gmail.com".into()),
        ..LeadProfile::default()
    }
}

#[test]
fn table_of_leads_and_their_tiers() {
    let spanish_buyer = LeadProfile {
        email: Some("jperez@constructora-sur.cl".into()),
        has_phone: true,
        company: Some("Constructora Sur".into()),
        title: Some("Gerente General".into()),
        source: Some("whatsapp".into()),
        message: Some("Quiero agendar una visita esta semana, tengo crédito preaprobado por 4.500 UF".into()),
        ..LeadProfile::default()
    };
    let curious = LeadProfile {
        email: Some("ana@studio.io".into()),
        company: Some("Studio".into()),
        source: Some("website_form".into()),
        message: Some("Looking for more information about pricing next quarter".into()),
        ..LeadProfile::default()
    };
    let cold_list = LeadProfile {
        email: Some("x@hotmail.com".into()),
        source: Some("csv".into()),
        message: Some("just looking, too expensive".into()),
        ..LeadProfile::default()
    };
    let cases = [
        ("VP, 50 people, demo this month", vp_asking_for_a_demo(), Tier::Hot),
        ("gmail, no message", gmail_without_a_message(), Tier::Cold),
        ("Spanish buyer with pre-approved credit", spanish_buyer, Tier::Hot),
        ("curious about pricing next quarter", curious, Tier::Warm),
        ("cold list, no budget, no rush", cold_list, Tier::Cold),
    ];
    for (name, profile, tier) in cases {
        let card = score(&profile, &ScoringWeights::default());
        assert_eq!(card.tier, tier, "{name}: {card:#?}");
        assert_eq!(card.tier, Tier::of(card.overall_score));
        let action = match tier {
            Tier::Hot => RecommendedAction::RouteToAe,
            Tier::Warm => RecommendedAction::AddToNurture,
            Tier::Cold => RecommendedAction::AddToMarketingAutomation,
        };
        assert_eq!(card.recommended_action, action, "{name}");
        assert!(card.reasoning.starts_with(tier.as_str()), "{name}: {}", card.reasoning);
        assert!(card.reasoning.ends_with('.'));
    }
}

#[test]
fn every_listed_factor_really_moved_the_score() {
    let weights = ScoringWeights::default();
    for profile in [vp_asking_for_a_demo(), gmail_without_a_message(), sample(7), sample(99)] {
        let card = score(&profile, &weights);
        for factor in &card.factors.positive {
            let without = score(&without(&profile, factor.signal), &weights);
            assert!(
                without.overall_score < card.overall_score,
                "{:?} is listed as positive but removing it does not lower {}",
                factor.signal,
                card.overall_score
            );
            assert!((card.overall_score - without.overall_score - factor.impact).abs() < 0.11);
        }
        for factor in &card.factors.negative {
            let without = score(&without(&profile, factor.signal), &weights);
            assert!(
                without.overall_score > card.overall_score,
                "{:?} is listed as negative but removing it does not raise the score",
                factor.signal
            );
        }
    }
    let gmail = score(&gmail_without_a_message(), &weights);
    assert!(gmail.factors.negative.iter().any(|f| f.signal == Signal::FreeEmail));
    assert!(gmail.factors.recommendations.iter().any(|r| r.contains("no message")));
}

#[test]
fn stated_criteria_outrank_the_message_and_are_listed_as_factors() {
    let weights = ScoringWeights::default();
    let curious = LeadProfile {
        email: Some("ana@studio.io".into()),
        company: Some("Studio".into()),
        message: Some("Looking for more information".into()),
        ..LeadProfile::default()
    };
    let before = score(&curious, &weights);
    let criteria = QualificationCriteria {
        budget: Some(BudgetLevel::High),
        timeline: Some(Timeline::Immediate),
        decision_maker: Some(true),
    };
    let qualified = score(
        &LeadProfile {
            criteria,
            ..curious.clone()
        },
        &weights,
    );
    assert!(
        qualified.overall_score > before.overall_score + 20.0,
        "{before:?} -> {qualified:?}"
    );
    assert_eq!(qualified.sub_scores.budget_indicator, 100.0);
    assert_eq!(qualified.sub_scores.urgency, 100.0);
    let positive: Vec<Signal> = qualified.factors.positive.iter().map(|f| f.signal).collect();
    for signal in [
        Signal::BudgetConfirmed,
        Signal::ImmediateTimeline,
        Signal::DecisionMaker,
    ] {
        assert!(positive.contains(&signal), "{signal:?} missing from {positive:?}");
    }
    let doubtful = QualificationCriteria {
        budget: Some(BudgetLevel::Low),
        timeline: Some(Timeline::LongTerm),
        decision_maker: Some(false),
    };
    let lowered = score(
        &LeadProfile {
            criteria: doubtful,
            ..curious
        },
        &weights,
    );
    assert!(lowered.overall_score < before.overall_score);
    let negative: Vec<Signal> = lowered.factors.negative.iter().map(|f| f.signal).collect();
    assert!(negative.contains(&Signal::NotDecisionMaker), "{negative:?}");
    assert_eq!(QualificationCriteria::default().merged(&criteria), criteria);
    assert_eq!(criteria.merged(&QualificationCriteria::default()), criteria);
    assert_eq!(Timeline::parse("this month"), Ok(Timeline::Immediate));
    assert!(BudgetLevel::parse("lots").is_err());
}

#[test]
fn the_same_input_gives_the_same_card() {
    let weights = ScoringWeights::default();
    for seed in 0..200 {
        let profile = sample(seed);
        assert_eq!(score(&profile, &weights), score(&profile.clone(), &weights));
    }
}

#[test]
fn scores_stay_within_bounds_and_more_positive_signal_never_lowers_them() {
    let weights = ScoringWeights::default();
    let odd = ScoringWeights::parse(9, [0.0, 1.0, 0.0, 0.5, 0.2]).unwrap();
    for seed in 0..500 {
        let profile = sample(seed);
        for weights in [&weights, &odd] {
            let card = score(&profile, weights);
            let s = card.sub_scores;
            for value in [
                card.overall_score,
                s.company_fit,
                s.intent_signal,
                s.budget_indicator,
                s.urgency,
                s.engagement,
                s.behavioral,
            ] {
                assert!((0.0..=100.0).contains(&value), "{value} out of bounds for {profile:?}");
            }
            assert!((0.0..=1.0).contains(&card.conversion_probability));
            for (what, more) in more_positive_signal(&profile, seed) {
                let after = score(&more, weights).overall_score;
                assert!(
                    after >= card.overall_score,
                    "{what} lowered {} to {after} for {profile:?}",
                    card.overall_score
                );
            }
        }
    }
}

#[test]
fn weights_are_checked_and_recorded() {
    assert!(ScoringWeights::parse(2, [0.5, 0.5, 0.0, 0.0, 0.0]).is_ok());
    assert!(ScoringWeights::parse(2, [1.5, 0.5, 0.0, 0.0, 0.0]).is_err());
    assert!(ScoringWeights::parse(2, [0.0; 5]).is_err());
    let only_fit = ScoringWeights::parse(4, [1.0, 0.0, 0.0, 0.0, 0.0]).unwrap();
    let card = score(&vp_asking_for_a_demo(), &only_fit);
    assert_eq!(card.weights_version, 4);
    assert_eq!(card.overall_score, card.sub_scores.company_fit);
}

/// A varied profile from a seed (a small LCG: deterministic, no dependency).
fn sample(seed: u64) -> LeadProfile {
    let mut state = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    let mut next = |n: u64| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) % n
    };
    let pick = |i: u64, options: &[&str]| options[i as usize % options.len()].to_string();
    let words = [
        "demo",
        "precio",
        "this month",
        "no rush",
        "budget 50k",
        "sin presupuesto",
        "info",
        "hola",
        "next quarter",
        "$",
        "visita",
        "urgente",
        "just looking",
        "cotización",
        "contado",
    ];
    let message = (0..next(4))
        .map(|_| pick(next(100), &words))
        .collect::<Vec<_>>()
        .join(" ");
    LeadProfile {
        email: [None, Some("a@gmail.com"), Some("b@firm.co")][next(3) as usize].map(str::to_string),
        has_phone: next(2) == 0,
        company: (next(2) == 0).then(|| "Firm".to_string()),
        title: [None, Some("CEO"), Some("Sales Manager"), Some("Analyst")][next(4) as usize].map(str::to_string),
        industry: (next(2) == 0).then(|| "Real estate".to_string()),
        source: [None, Some("website_form"), Some("csv"), Some("referral")][next(4) as usize].map(str::to_string),
        message: (!message.is_empty()).then_some(message),
        company_size: [None, Some(3), Some(50), Some(20_000)][next(4) as usize],
        engagement: Engagement {
            activities: next(5) as u32,
            calls: next(3) as u32,
            replies: next(3) as u32,
            appointments: next(2) as u32,
        },
        criteria: QualificationCriteria {
            budget: [
                None,
                Some(BudgetLevel::High),
                Some(BudgetLevel::Medium),
                Some(BudgetLevel::Low),
            ][next(4) as usize],
            timeline: [
                None,
                Some(Timeline::Immediate),
                Some(Timeline::ShortTerm),
                Some(Timeline::LongTerm),
            ][next(4) as usize],
            decision_maker: [None, Some(true), Some(false)][next(3) as usize],
        },
    }
}

/// The profile with one more positive signal each way we know to add one.
fn more_positive_signal(p: &LeadProfile, seed: u64) -> Vec<(&'static str, LeadProfile)> {
    let with = |f: &dyn Fn(&mut LeadProfile)| {
        let mut q = p.clone();
        f(&mut q);
        q
    };
    let append = |phrase: &'static str| {
        move |q: &mut LeadProfile| q.message = Some(format!("{} {phrase}", q.message.clone().unwrap_or_default()))
    };
    let phrase = [
        "demo",
        "this week",
        "presupuesto",
        "información",
        "next month",
        "comprar",
    ][seed as usize % 6];
    vec![
        ("a phrase", with(&append(phrase))),
        ("a company", with(&|q| q.company = Some("Acme".into()))),
        ("an executive title", with(&|q| q.title = Some("Founder".into()))),
        ("a phone", with(&|q| q.has_phone = true)),
        ("an appointment", with(&|q| q.engagement.appointments += 1)),
        ("a call", with(&|q| q.engagement.calls += 1)),
        ("a reply", with(&|q| q.engagement.replies += 1)),
        ("an activity", with(&|q| q.engagement.activities += 1)),
        ("an industry", with(&|q| q.industry = Some("Retail".into()))),
        ("a high budget", with(&|q| q.criteria.budget = Some(BudgetLevel::High))),
        (
            "an immediate timeline",
            with(&|q| q.criteria.timeline = Some(Timeline::Immediate)),
        ),
        ("a decision maker", with(&|q| q.criteria.decision_maker = Some(true))),
    ]
}

/// The same profile without `signal`, edited at the profile itself (removing phrases from the
/// text, clearing fields): an independent check on the engine's own counterfactuals.
fn without(profile: &LeadProfile, signal: Signal) -> LeadProfile {
    let mut p = profile.clone();
    let strip = |p: &mut LeadProfile, lists: &[&[&str]]| {
        if let Some(message) = &p.message {
            let text = lists
                .iter()
                .fold(phrases::normalise(message), |t, list| phrases::without(&t, list));
            p.message = Some(text);
        }
    };
    match signal {
        Signal::BusinessEmail | Signal::FreeEmail => p.email = None,
        Signal::CompanyNamed => p.company = None,
        Signal::ExecutiveTitle | Signal::ManagerTitle => p.title = None,
        Signal::FitCompanySize => p.company_size = None,
        Signal::IndustryNamed => p.industry = None,
        Signal::InboundSource | Signal::ColdSource => p.source = None,
        Signal::StrongIntent => strip(&mut p, &[phrases::STRONG_INTENT]),
        Signal::SoftInterest => strip(&mut p, &[phrases::SOFT_INTEREST]),
        Signal::BudgetMentioned => {
            strip(&mut p, &[phrases::BUDGET]);
            // Amounts go too: digits and currency signs.
            p.message = p.message.map(|m| {
                m.split(' ')
                    .filter(|w| !w.chars().any(|c| c.is_ascii_digit()))
                    .collect::<Vec<_>>()
                    .join(" ")
            });
        }
        Signal::Urgent => strip(&mut p, &[phrases::URGENT]),
        Signal::NearTerm => strip(&mut p, &[phrases::NEAR_TERM]),
        Signal::NoBudget => strip(&mut p, &[phrases::NO_BUDGET]),
        Signal::NoRush => strip(&mut p, &[phrases::NO_RUSH]),
        Signal::Reachable => p.has_phone = false,
        Signal::Activities => p.engagement.activities = 0,
        Signal::Calls => p.engagement.calls = 0,
        Signal::Replies => p.engagement.replies = 0,
        Signal::Appointments => p.engagement.appointments = 0,
        Signal::BudgetConfirmed | Signal::LowBudget => p.criteria.budget = None,
        Signal::ImmediateTimeline | Signal::ShortTimeline | Signal::LongTimeline => p.criteria.timeline = None,
        Signal::DecisionMaker | Signal::NotDecisionMaker => p.criteria.decision_maker = None,
    }
    p
}
