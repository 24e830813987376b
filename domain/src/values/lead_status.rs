use serde::{Deserialize, Serialize};
use std::fmt;

use crate::FieldError;

/// A lead's qualification status, as the seeds name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeadStatus {
    New,
    Contacted,
    Qualified,
    Unqualified,
    Nurturing,
    Converted,
    Lost,
}

impl LeadStatus {
    /// Every status.
    pub const ALL: [LeadStatus; 7] = [
        Self::New,
        Self::Contacted,
        Self::Qualified,
        Self::Unqualified,
        Self::Nurturing,
        Self::Converted,
        Self::Lost,
    ];

    /// Parses a status by name.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let wanted = raw.trim().to_lowercase();
        Self::ALL.into_iter().find(|s| s.as_str() == wanted).ok_or_else(|| {
            FieldError::new(
                "status",
                format!(
                    "unknown status {raw:?}; valid statuses: {}",
                    Self::ALL.map(|s| s.as_str()).join(", ")
                ),
            )
        })
    }

    /// The canonical name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Contacted => "contacted",
            Self::Qualified => "qualified",
            Self::Unqualified => "unqualified",
            Self::Nurturing => "nurturing",
            Self::Converted => "converted",
            Self::Lost => "lost",
        }
    }
}

impl fmt::Display for LeadStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_round_trips_and_unknown_is_rejected() {
        for status in LeadStatus::ALL {
            assert_eq!(LeadStatus::parse(status.as_str()).unwrap(), status);
        }
        assert!(LeadStatus::parse("hot").is_err());
    }
}
