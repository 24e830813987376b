use serde::{Deserialize, Serialize};

use super::phrases::{ENGLISH_MARKERS, SPANISH_MARKERS};
use crate::text_match::{count, normalise};
use crate::FieldError;

/// The language a call is held in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    #[default]
    En,
    Es,
}

impl Language {
    /// Reads `en`, `es`, or a locale such as `en-US` or `es-CL`.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let lower = raw.trim().to_lowercase();
        match lower.split(['-', '_']).next().unwrap_or("") {
            "en" | "english" => Ok(Self::En),
            "es" | "spanish" | "espanol" | "español" => Ok(Self::Es),
            _ => Err(FieldError::new(
                "language",
                format!("use en or es (or a locale such as es-CL): {raw:?}"),
            )),
        }
    }

    /// `en` or `es`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Es => "es",
        }
    }

    /// The language `text` is more likely written in; English when it cannot tell.
    pub fn detect(text: &str) -> Self {
        let text = normalise(text);
        if count(&text, SPANISH_MARKERS) > count(&text, ENGLISH_MARKERS) {
            Self::Es
        } else {
            Self::En
        }
    }
}
