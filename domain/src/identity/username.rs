use serde::{Deserialize, Serialize};

use crate::FieldError;

/// A login name, as an alternative to the e-mail address: 3 to 64 of `a-z 0-9 . _ -`, lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Username(String);

impl Username {
    /// Parses a username.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let name = raw.trim().to_ascii_lowercase();
        let allowed = name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c));
        if (3..=64).contains(&name.len()) && allowed {
            Ok(Self(name))
        } else {
            Err(FieldError::new(
                "username",
                "must be 3 to 64 characters of letters, digits, '.', '_' or '-'",
            ))
        }
    }

    /// The username as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
