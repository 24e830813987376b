use serde::{Deserialize, Serialize};

use crate::FieldError;

/// Trims `raw` and checks it is non-empty and at most `max` characters.
fn bounded(field: &str, raw: &str, max: usize) -> Result<String, FieldError> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(FieldError::new(field, "must not be empty"));
    }
    if text.chars().count() > max {
        return Err(FieldError::new(field, format!("must be at most {max} characters")));
    }
    if text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        return Err(FieldError::new(field, "must not contain control characters"));
    }
    Ok(text.to_string())
}

macro_rules! bounded_text {
    ($(#[$doc:meta])* $name:ident, $max:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// The longest accepted value, in characters.
            pub const MAX_CHARS: usize = $max;

            /// Parses `raw` for `field`: trimmed, non-empty, within the length limit.
            pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
                bounded(field, raw, $max).map(Self)
            }

            /// The text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
    };
}

bounded_text!(
    /// A person's name or part of one.
    PersonName,
    200
);
bounded_text!(
    /// A short attribute such as company, title or industry.
    ShortText,
    200
);
bounded_text!(
    /// Free text such as a lead's message, a note or an activity's description.
    LongText,
    5000
);

/// Where a lead came from (`website_form`, `api`, `csv`, `call`, …): a lower-case slug.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LeadSource(String);

impl LeadSource {
    /// Parses a source slug.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        slug("source", raw).map(Self)
    }

    /// The slug.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The kind of an activity on a lead (`call`, `email_opened`, `meeting`, …): a lower-case slug.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ActivityType(String);

impl ActivityType {
    /// Parses an activity type slug.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        slug("activity_type", raw).map(Self)
    }

    /// The slug.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn slug(field: &str, raw: &str) -> Result<String, FieldError> {
    let text = raw.trim().to_lowercase();
    let valid = !text.is_empty()
        && text.len() <= 50
        && text
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
    if valid {
        Ok(text)
    } else {
        Err(FieldError::new(
            field,
            format!("must be 1-50 characters of a-z, 0-9, '_' or '-': {raw:?}"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_and_bounded() {
        assert_eq!(PersonName::parse("name", "  Ana ").unwrap().as_str(), "Ana");
        assert!(PersonName::parse("name", "   ").is_err());
        assert!(ShortText::parse("company", &"x".repeat(201)).is_err());
        assert!(LongText::parse("message", &"x".repeat(5000)).is_ok());
        assert!(ShortText::parse("company", "bad\u{0}byte").is_err());
    }

    #[test]
    fn slugs_are_lower_cased_and_restricted() {
        assert_eq!(LeadSource::parse("Website_Form").unwrap().as_str(), "website_form");
        assert!(LeadSource::parse("web site").is_err());
        assert!(ActivityType::parse("").is_err());
    }
}
