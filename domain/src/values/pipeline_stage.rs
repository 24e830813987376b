use serde::{Deserialize, Serialize};
use std::fmt;

use crate::FieldError;

/// Where a lead stands in the sales pipeline, with the real-estate seed's stage names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PipelineStage {
    Entrada,
    Perfilamiento,
    CalificacionFinanciera,
    Agendado,
    Seguimiento,
    Referidos,
    Ganado,
    Perdido,
}

impl PipelineStage {
    /// Every stage in pipeline order.
    pub const ALL: [PipelineStage; 8] = [
        Self::Entrada,
        Self::Perfilamiento,
        Self::CalificacionFinanciera,
        Self::Agendado,
        Self::Seguimiento,
        Self::Referidos,
        Self::Ganado,
        Self::Perdido,
    ];

    /// Parses a stage by its Spanish name or an English alias.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let stage = match raw.trim().to_lowercase().replace(['-', ' '], "_").as_str() {
            "entrada" | "new" | "inbound" => Self::Entrada,
            "perfilamiento" | "profiling" | "qualifying" => Self::Perfilamiento,
            "calificacion_financiera" | "financial_qualification" | "financing" => Self::CalificacionFinanciera,
            "agendado" | "scheduled" | "appointment_scheduled" => Self::Agendado,
            "seguimiento" | "follow_up" | "followup" => Self::Seguimiento,
            "referidos" | "referrals" | "referral" => Self::Referidos,
            "ganado" | "won" => Self::Ganado,
            "perdido" | "lost" => Self::Perdido,
            _ => {
                return Err(FieldError::new(
                    "stage",
                    format!(
                        "unknown pipeline stage {raw:?}; valid stages: {}",
                        Self::ALL.map(|s| s.as_str()).join(", ")
                    ),
                ))
            }
        };
        Ok(stage)
    }

    /// The canonical (stored and published) name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Entrada => "entrada",
            Self::Perfilamiento => "perfilamiento",
            Self::CalificacionFinanciera => "calificacion_financiera",
            Self::Agendado => "agendado",
            Self::Seguimiento => "seguimiento",
            Self::Referidos => "referidos",
            Self::Ganado => "ganado",
            Self::Perdido => "perdido",
        }
    }
}

impl fmt::Display for PipelineStage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spanish_names_and_english_aliases_parse() {
        for stage in PipelineStage::ALL {
            assert_eq!(PipelineStage::parse(stage.as_str()).unwrap(), stage);
        }
        assert_eq!(PipelineStage::parse("Follow-Up").unwrap(), PipelineStage::Seguimiento);
        assert_eq!(PipelineStage::parse("won").unwrap(), PipelineStage::Ganado);
        assert!(PipelineStage::parse("closing").is_err());
    }

    #[test]
    fn serde_uses_the_canonical_name() {
        let json = serde_json::to_string(&PipelineStage::CalificacionFinanciera).unwrap();
        assert_eq!(json, "\"calificacion_financiera\"");
    }
}
