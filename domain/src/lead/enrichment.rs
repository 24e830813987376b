use serde::{Deserialize, Serialize};

use crate::scoring::is_free_mail_domain;
use crate::values::{EmailAddress, Metadata, PhoneNumber, ShortText};

/// What an enricher added to a lead. Every field is a fact from somewhere; `None` means no one
/// knew, never a guess.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrichment {
    /// Which enricher said so (`local` for the built-in one).
    pub provider: String,
    pub email_domain: Option<String>,
    /// `business` or `free` (a free mail provider says nothing about a company).
    pub email_type: Option<String>,
    pub website: Option<String>,
    pub company_size: Option<String>,
    pub industry: Option<String>,
    pub estimated_revenue: Option<String>,
    pub linkedin_url: Option<String>,
    pub location: Option<String>,
    /// ISO 3166 country, when the phone's calling code names exactly one.
    pub country: Option<String>,
}

/// What an enricher is given about a lead.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EnrichmentInput {
    pub email: Option<EmailAddress>,
    pub phone: Option<PhoneNumber>,
    pub company: Option<String>,
    pub industry: Option<String>,
    pub metadata: Metadata,
}

impl EnrichmentInput {
    /// The input from a lead's fields.
    pub fn of(
        email: &Option<EmailAddress>,
        phone: &Option<PhoneNumber>,
        company: &Option<ShortText>,
        industry: &Option<ShortText>,
        metadata: &Metadata,
    ) -> Self {
        Self {
            email: email.clone(),
            phone: phone.clone(),
            company: company.as_ref().map(|c| c.as_str().to_string()),
            industry: industry.as_ref().map(|i| i.as_str().to_string()),
            metadata: metadata.clone(),
        }
    }
}

impl Enrichment {
    /// What can be derived from the lead's own data alone: the e-mail's domain and kind, the
    /// company's website when the domain is a company's, the size band of a stated head count,
    /// a stated location and industry, and the country of an unambiguous calling code.
    pub fn derive(input: &EnrichmentInput) -> Self {
        let domain = input
            .email
            .as_ref()
            .and_then(|e| e.as_str().rsplit_once('@'))
            .map(|(_, d)| d.to_lowercase());
        let free = domain.as_deref().is_some_and(is_free_mail_domain);
        let text = |keys: &[&str]| {
            keys.iter()
                .find_map(|k| input.metadata.get(k))
                .and_then(|v| v.as_str())
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let head_count = ["company_size", "employees", "employee_count"]
            .iter()
            .find_map(|k| input.metadata.get(k))
            .and_then(|v| v.as_u64().or_else(|| v.as_str().and_then(|s| s.trim().parse().ok())));
        Self {
            provider: "local".to_string(),
            email_type: domain
                .as_ref()
                .map(|_| if free { "free" } else { "business" }.to_string()),
            website: domain.as_ref().filter(|_| !free).map(|d| format!("https://{d}")),
            email_domain: domain,
            company_size: head_count.map(size_band),
            industry: input.industry.clone().or_else(|| text(&["industry"])),
            estimated_revenue: text(&["estimated_revenue", "revenue"]),
            linkedin_url: text(&["linkedin_url", "linkedin"]),
            location: text(&["location", "city"]),
            country: input.phone.as_ref().and_then(|p| country_of(p.as_str())),
        }
    }
}

fn size_band(people: u64) -> String {
    match people {
        0..=10 => "1-10",
        11..=50 => "11-50",
        51..=200 => "51-200",
        201..=1000 => "201-1000",
        1001..=5000 => "1001-5000",
        _ => "5000+",
    }
    .to_string()
}

/// Calling codes that belong to one country only (`+1` is shared, so it names none).
fn country_of(e164: &str) -> Option<String> {
    const CODES: &[(&str, &str)] = &[
        ("+52", "MX"),
        ("+56", "CL"),
        ("+54", "AR"),
        ("+57", "CO"),
        ("+51", "PE"),
        ("+55", "BR"),
        ("+34", "ES"),
        ("+44", "GB"),
        ("+49", "DE"),
        ("+33", "FR"),
        ("+39", "IT"),
        ("+351", "PT"),
        ("+598", "UY"),
        ("+593", "EC"),
        ("+58", "VE"),
    ];
    CODES
        .iter()
        .filter(|(code, _)| e164.starts_with(code))
        .max_by_key(|(code, _)| code.len())
        .map(|(_, country)| country.to_string())
}
