use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::FieldError;

/// Free-form key/value data a client attaches (CRM ids, UTM parameters, …): a JSON object of
/// bounded size, so one lead cannot bloat every stream and read model.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Metadata(Map<String, Value>);

impl Metadata {
    /// The largest accepted object, serialised, in bytes.
    pub const MAX_BYTES: usize = 16 * 1024;

    /// Parses `raw` for `field`: must be a JSON object within the size limit.
    pub fn parse(field: &str, raw: Value) -> Result<Self, FieldError> {
        if let Some(path) = crate::validation::nul_character_path(field, &raw) {
            return Err(crate::validation::nul_character_error(path));
        }
        let Value::Object(map) = raw else {
            return Err(FieldError::new(field, "must be a JSON object"));
        };
        let size = serde_json::to_vec(&map).map(|v| v.len()).unwrap_or(usize::MAX);
        if size > Self::MAX_BYTES {
            return Err(FieldError::new(
                field,
                format!("must be at most {} bytes of JSON", Self::MAX_BYTES),
            ));
        }
        Ok(Self(map))
    }

    /// The value under `key`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.get(key)
    }

    /// These entries overwritten by `other`'s, within the size limit.
    pub fn merged(&self, other: &Metadata) -> Result<Self, FieldError> {
        let mut map = self.0.clone();
        map.extend(other.0.iter().map(|(k, v)| (k.clone(), v.clone())));
        Self::parse("metadata", Value::Object(map))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_bounded_objects_are_accepted() {
        assert!(Metadata::parse("metadata", json!({"utm": "ads"})).is_ok());
        assert!(Metadata::parse("metadata", json!([1, 2])).is_err());
        assert!(Metadata::parse("metadata", json!({"big": "x".repeat(20_000)})).is_err());
    }

    #[test]
    fn merge_overwrites_keys() {
        let a = Metadata::parse("metadata", json!({"a": 1, "b": 1})).unwrap();
        let b = Metadata::parse("metadata", json!({"b": 2})).unwrap();
        assert_eq!(
            a.merged(&b).unwrap(),
            Metadata::parse("metadata", json!({"a": 1, "b": 2})).unwrap()
        );
    }
}
