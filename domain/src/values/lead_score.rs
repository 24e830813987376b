use serde::{Deserialize, Serialize};

use crate::FieldError;

/// A lead's score on the 0–100 scale shared by every seed.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LeadScore(f64);

impl LeadScore {
    /// Parses a score, rejecting anything outside 0–100 (and NaN).
    pub fn parse(raw: f64) -> Result<Self, FieldError> {
        if (0.0..=100.0).contains(&raw) {
            Ok(Self(raw))
        } else {
            Err(FieldError::new(
                "score",
                format!("must be between 0 and 100, got {raw}"),
            ))
        }
    }

    /// The score as a number.
    pub fn value(self) -> f64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_are_inclusive_and_nan_is_rejected() {
        assert!(LeadScore::parse(0.0).is_ok());
        assert!(LeadScore::parse(100.0).is_ok());
        assert!(LeadScore::parse(-0.1).is_err());
        assert!(LeadScore::parse(100.5).is_err());
        assert!(LeadScore::parse(f64::NAN).is_err());
    }
}
