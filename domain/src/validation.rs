//! Field-level validation errors, collected so a client learns every problem in one round trip.

use serde::Serialize;

/// One rejected field and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    /// A rejection of `field` with a human-readable reason.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl FieldError {
    /// The same error, reported under another field name (when an input's field is called
    /// differently from the value type's default).
    pub fn for_field(self, field: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            ..self
        }
    }
}

/// Every field error found while parsing one input.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{} invalid field(s): {}", .0.len(), .0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; "))]
pub struct ValidationErrors(pub Vec<FieldError>);

impl ValidationErrors {
    /// Records a parse result, keeping the value when it parsed.
    pub fn check<T>(&mut self, result: Result<T, FieldError>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                self.0.push(error);
                None
            }
        }
    }

    /// Records an optional field: absent is fine, present must parse.
    pub fn check_opt<T, R>(&mut self, raw: Option<R>, parse: impl FnOnce(R) -> Result<T, FieldError>) -> Option<T> {
        raw.and_then(|r| self.check(parse(r)))
    }

    /// Adds an error that no single parser found (e.g. a rule across fields).
    pub fn push(&mut self, error: FieldError) {
        self.0.push(error);
    }

    /// `Ok(value)` when nothing was rejected.
    pub fn into_result<T>(self, value: impl FnOnce() -> T) -> Result<T, ValidationErrors> {
        if self.0.is_empty() {
            Ok(value())
        } else {
            Err(self)
        }
    }
}
