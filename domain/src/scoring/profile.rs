use serde::{Deserialize, Serialize};

use super::phrases;

/// What the engine knows about a lead: its data and how it has engaged so far.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LeadProfile {
    pub email: Option<String>,
    pub has_phone: bool,
    pub company: Option<String>,
    pub title: Option<String>,
    pub industry: Option<String>,
    pub source: Option<String>,
    pub message: Option<String>,
    /// People at the lead's company, when known.
    pub company_size: Option<u32>,
    pub engagement: Engagement,
}

/// How the lead has engaged so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Engagement {
    pub activities: u32,
    pub calls: u32,
    pub replies: u32,
    pub appointments: u32,
}

/// One thing the engine noticed. Positive signals raise the score; the last four lower it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Signal {
    BusinessEmail,
    CompanyNamed,
    ExecutiveTitle,
    ManagerTitle,
    FitCompanySize,
    IndustryNamed,
    StrongIntent,
    SoftInterest,
    InboundSource,
    BudgetMentioned,
    Urgent,
    NearTerm,
    Reachable,
    Activities,
    Calls,
    Replies,
    Appointments,
    FreeEmail,
    ColdSource,
    NoBudget,
    NoRush,
}

impl LeadProfile {
    /// The same profile without `signal`: what the lead would look like had it not shown it.
    pub fn without(&self, signal: Signal) -> Self {
        let mut p = self.clone();
        let strip = |p: &mut Self, lists: &[&[&str]]| {
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
        }
        p
    }
}
