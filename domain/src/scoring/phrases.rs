//! What people write when they mean to buy, in English and Spanish (seed 003's users write
//! Spanish). Phrases are matched on normalised text: lower case, accents folded, words only.

pub use crate::text_match::{count, normalise, without};

/// Asking to buy, see or be quoted.
pub const STRONG_INTENT: &[&str] = &[
    "demo",
    "pricing",
    "price",
    "quote",
    "buy",
    "purchase",
    "trial",
    "sign up",
    "contract",
    "proposal",
    "cotizacion",
    "cotizar",
    "precio",
    "precios",
    "comprar",
    "compra",
    "demostracion",
    "agendar",
    "visita",
    "visitar",
    "reunion",
    "arrendar",
    "invertir",
];

/// Curious, not yet asking.
pub const SOFT_INTEREST: &[&str] = &[
    "interested",
    "information",
    "info",
    "more details",
    "learn more",
    "informacion",
    "consulta",
    "saber mas",
    "conocer",
    "me interesa",
];

/// Money on the table.
pub const BUDGET: &[&str] = &[
    "budget",
    "presupuesto",
    "usd",
    "eur",
    "uf",
    "clp",
    "million",
    "millones",
    "pre approved",
    "preapproved",
    "preaprobado",
    "credito",
    "financing",
    "financiamiento",
    "pie",
    "cash",
    "contado",
];

/// Money off the table; removed before looking for budget, so "no budget" is not a budget.
pub const NO_BUDGET: &[&str] = &[
    "no budget",
    "sin presupuesto",
    "too expensive",
    "muy caro",
    "no money",
    "sin dinero",
];

/// Now.
pub const URGENT: &[&str] = &[
    "today",
    "tomorrow",
    "asap",
    "urgent",
    "urgently",
    "this week",
    "this month",
    "immediately",
    "right away",
    "hoy",
    "manana",
    "urgente",
    "esta semana",
    "este mes",
    "lo antes posible",
    "inmediato",
];

/// Soon.
pub const NEAR_TERM: &[&str] = &[
    "next month",
    "next quarter",
    "soon",
    "in 3 months",
    "within 3 months",
    "proximo mes",
    "proximos meses",
    "pronto",
    "en 3 meses",
];

/// Someday.
pub const NO_RUSH: &[&str] = &[
    "next year",
    "just looking",
    "no rush",
    "someday",
    "el proximo ano",
    "solo mirando",
    "sin apuro",
    "algun dia",
];

/// Titles that decide.
pub const EXECUTIVE_TITLES: &[&str] = &[
    "ceo",
    "cto",
    "cfo",
    "coo",
    "cmo",
    "founder",
    "cofounder",
    "co founder",
    "owner",
    "president",
    "vp",
    "vice president",
    "chief",
    "partner",
    "director",
    "gerente general",
    "dueno",
    "socio",
    "fundador",
    "presidente",
];

/// Titles that influence.
pub const MANAGER_TITLES: &[&str] = &[
    "manager",
    "head",
    "lead",
    "gerente",
    "jefe",
    "supervisor",
    "coordinador",
];

/// Sources where the lead came to us.
pub const INBOUND_SOURCES: &[&str] = &[
    "website_form",
    "website",
    "web",
    "referral",
    "inbound_call",
    "call",
    "chat",
    "whatsapp",
    "sms",
    "landing_page",
    "form",
    "referido",
];

/// Sources where we went to the lead.
pub const COLD_SOURCES: &[&str] = &["csv", "import", "purchased_list", "cold", "cold_call", "list"];

/// Free mail providers: an address there says nothing about a company.
pub const FREE_MAIL: &[&str] = &[
    "gmail.com",
    "yahoo.com",
    "hotmail.com",
    "outlook.com",
    "live.com",
    "icloud.com",
    "aol.com",
    "proton.me",
    "protonmail.com",
    "gmx.com",
    "yandex.com",
    "mail.com",
    "hotmail.es",
    "yahoo.es",
    "live.cl",
    "hotmail.cl",
];

/// True for a free mail provider's domain (any case).
pub fn is_free_mail_domain(domain: &str) -> bool {
    let domain = domain.trim().to_lowercase();
    FREE_MAIL.contains(&domain.as_str())
}

/// Whether normalised text names an amount: a number of four or more digits, or `50k`/`2m`
/// (currency signs are already the word `usd`).
pub fn names_amount(normalised: &str) -> bool {
    normalised.split(' ').any(|word| {
        let digits = word.trim_end_matches(['k', 'm']);
        !digits.is_empty()
            && digits.chars().all(|c| c.is_ascii_digit())
            && (digits.len() >= 4 || digits.len() < word.len())
    })
}
