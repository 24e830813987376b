use std::fmt;

use crate::FieldError;

/// A password someone chose, checked against the rules (8 to 128 characters, at least one digit
/// and one special character). It never prints itself.
#[derive(Clone, PartialEq, Eq)]
pub struct NewPassword(String);

impl NewPassword {
    /// Checks `raw` against the password rules.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let length = raw.chars().count();
        let mut problems = vec![];
        if length < 8 {
            problems.push("at least 8 characters");
        }
        if length > 128 {
            problems.push("at most 128 characters");
        }
        if !raw.chars().any(|c| c.is_ascii_digit()) {
            problems.push("a digit");
        }
        if !raw.chars().any(|c| !c.is_alphanumeric() && !c.is_whitespace()) {
            problems.push("a special character");
        }
        if problems.is_empty() {
            Ok(Self(raw.to_string()))
        } else {
            Err(FieldError::new(
                "password",
                format!("must have {}", problems.join(", ")),
            ))
        }
    }

    /// The password itself, for hashing.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPassword(…)")
    }
}
