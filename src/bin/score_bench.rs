//! Measures the pure scoring engine on one core and prints scores per second.
//!
//! `cargo run --release --bin score_bench`; `SCORE_BENCH_PROFILES` (default 200000).

use leadstream_domain::scoring::{
    score, BudgetLevel, Engagement, LeadProfile, QualificationCriteria, ScoringWeights, Timeline,
};
use std::time::Instant;

/// A spread of realistic profiles: rich and sparse, English and Spanish.
fn profiles(n: usize) -> Vec<LeadProfile> {
    let messages = [
        None,
        Some("We'd like a demo this month for our team of 50, budget approved"),
        Some("Hola, quiero agendar una visita esta semana, tengo crédito preaprobado por 4.500 UF"),
        Some("Just looking for more information, no rush"),
        Some("Necesito cotización para arrendar oficina, ¿precio por m2?"),
        Some("Please send pricing. We are evaluating vendors next quarter."),
    ];
    let titles = [
        None,
        Some("CEO"),
        Some("Gerente de Ventas"),
        Some("Analyst"),
        Some("VP Marketing"),
    ];
    let emails = [
        "ana@gmail.com",
        "jp@constructora-sur.cl",
        "ops@acme.io",
        "x@hotmail.com",
    ];
    let sources = ["website_form", "csv", "referral", "whatsapp", "api"];
    (0..n)
        .map(|i| LeadProfile {
            email: Some(emails[i % emails.len()].to_string()),
            has_phone: i % 3 != 0,
            company: (i % 4 != 0).then(|| format!("Company {}", i % 97)),
            title: titles[i % titles.len()].map(str::to_string),
            industry: (i % 5 == 0).then(|| "Real estate".to_string()),
            source: Some(sources[i % sources.len()].to_string()),
            message: messages[i % messages.len()].map(str::to_string),
            company_size: [None, Some(12), Some(400)][i % 3],
            engagement: Engagement {
                activities: (i % 6) as u32,
                calls: (i % 3) as u32,
                replies: (i % 2) as u32,
                appointments: (i % 7 == 0) as u32,
            },
            criteria: QualificationCriteria {
                budget: [None, Some(BudgetLevel::High), Some(BudgetLevel::Low)][i % 3],
                timeline: [None, Some(Timeline::Immediate), Some(Timeline::LongTerm), None][i % 4],
                decision_maker: [None, Some(true), Some(false), None, None][i % 5],
            },
        })
        .collect()
}

fn main() {
    let n: usize = std::env::var("SCORE_BENCH_PROFILES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200_000);
    let profiles = profiles(n);
    let weights = ScoringWeights::default();
    // Warm caches and the allocator before timing.
    let mut checksum = 0.0;
    for profile in profiles.iter().take(1_000) {
        checksum += score(profile, &weights).overall_score;
    }
    let started = Instant::now();
    for profile in &profiles {
        checksum += score(profile, &weights).overall_score;
    }
    let elapsed = started.elapsed();
    println!(
        "scoring engine: {n} full score cards (sub-scores, factors by counterfactual, reasoning) in {:.2} s on one thread: {:.0} scores/s, {:.1} µs each (checksum {checksum:.1})",
        elapsed.as_secs_f64(),
        n as f64 / elapsed.as_secs_f64(),
        elapsed.as_secs_f64() * 1e6 / n as f64
    );
}
