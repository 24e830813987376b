use serde::{Deserialize, Serialize};

use crate::FieldError;

/// A phone number in E.164: `+`, a country code and at most 15 digits in all.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    /// Parses a number, allowing the separators people type (spaces, dashes, dots, parentheses).
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let compact: String = raw
            .trim()
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')'))
            .collect();
        let digits = compact.strip_prefix('+').unwrap_or("");
        let valid = digits.len() >= 8
            && digits.len() <= 15
            && !digits.starts_with('0')
            && digits.chars().all(|c| c.is_ascii_digit());
        if valid {
            Ok(Self(compact))
        } else {
            Err(FieldError::new(
                "phone",
                format!("must be in E.164 format, e.g. +14155550123: {raw:?}"),
            ))
        }
    }

    /// The number as `+` and digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_e164_with_common_separators() {
        assert_eq!(PhoneNumber::parse("+56 9 1234-5678").unwrap().as_str(), "+56912345678");
        assert_eq!(
            PhoneNumber::parse("+1 (415) 555.0123").unwrap().as_str(),
            "+14155550123"
        );
    }

    #[test]
    fn rejects_numbers_that_are_not_e164() {
        for bad in [
            "",
            "4155550123",
            "+0123456789",
            "+1234",
            "+1234567890123456",
            "+1415555O123",
        ] {
            assert!(PhoneNumber::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }
}
