use serde::{Deserialize, Serialize};

use super::criteria::QualificationCriteria;

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
    /// What whoever qualified the lead stated about it.
    pub criteria: QualificationCriteria,
}

/// How the lead has engaged so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Engagement {
    pub activities: u32,
    pub calls: u32,
    pub replies: u32,
    pub appointments: u32,
}

/// One thing the engine noticed. Positive signals raise the score; those from `FreeEmail` on lower it.
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
    BudgetConfirmed,
    ImmediateTimeline,
    ShortTimeline,
    DecisionMaker,
    FreeEmail,
    ColdSource,
    NoBudget,
    NoRush,
    LowBudget,
    LongTimeline,
    NotDecisionMaker,
}
