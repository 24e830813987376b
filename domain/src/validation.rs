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

/// Where in `value` a string or key holds a NUL character, which PostgreSQL refuses in `text`
/// and `jsonb` alike: the dotted path under `field` (`metadata.k`, `leads[2].name`), or `None`.
/// Every JSON body is checked with this before it is read, so such text is a 422 naming the
/// field, never a database error.
pub fn nul_character_path(field: &str, value: &serde_json::Value) -> Option<String> {
    use serde_json::Value;
    match value {
        Value::String(text) if text.contains('\0') => Some(if field.is_empty() { "body" } else { field }.to_string()),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| nul_character_path(&format!("{field}[{i}]"), item)),
        Value::Object(map) => map.iter().find_map(|(key, item)| {
            let path = if field.is_empty() {
                key.clone()
            } else {
                format!("{field}.{key}")
            };
            if key.contains('\0') {
                Some(path.replace('\0', "\\u0000"))
            } else {
                nul_character_path(&path, item)
            }
        }),
        _ => None,
    }
}

/// The error for text PostgreSQL cannot store.
pub fn nul_character_error(field: impl Into<String>) -> FieldError {
    FieldError::new(field, "must not contain NUL (\\u0000) characters")
}

#[cfg(test)]
mod nul_tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nul_characters_are_found_with_their_path() {
        assert_eq!(nul_character_path("", &json!({"a": "ok", "b": [1, "x"]})), None);
        assert_eq!(
            nul_character_path("", &json!({"metadata": {"k": "a\u{0}b"}})).as_deref(),
            Some("metadata.k")
        );
        assert_eq!(
            nul_character_path("", &json!({"leads": [{}, {"name": "\u{0}"}]})).as_deref(),
            Some("leads[1].name")
        );
        assert_eq!(
            nul_character_path("metadata", &json!({"a\u{0}": 1})).as_deref(),
            Some("metadata.a\\u0000")
        );
    }
}
