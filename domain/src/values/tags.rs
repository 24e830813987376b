use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

use crate::FieldError;

/// A label on a lead: trimmed, lower-cased, 1–50 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Tag(String);

impl Tag {
    /// Parses one tag.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let tag = raw.trim().to_lowercase();
        if tag.is_empty() || tag.chars().count() > 50 || tag.chars().any(char::is_control) {
            return Err(FieldError::new(
                "tags",
                format!("each tag must be 1-50 printable characters: {raw:?}"),
            ));
        }
        Ok(Self(tag))
    }

    /// The tag's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A lead's set of tags, kept sorted so equal sets serialise identically.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Tags(BTreeSet<Tag>);

impl Tags {
    /// The most tags one lead may carry.
    pub const MAX: usize = 50;

    /// Parses a list of tags, dropping repeats.
    pub fn parse(raw: &[String]) -> Result<Self, FieldError> {
        let tags = raw.iter().map(|t| Tag::parse(t)).collect::<Result<BTreeSet<_>, _>>()?;
        Self::bounded(tags)
    }

    /// These tags plus `more`, within the limit.
    pub fn union(&self, more: &Tags) -> Result<Self, FieldError> {
        Self::bounded(self.0.union(&more.0).cloned().collect())
    }

    /// True when every tag of `other` is already here.
    pub fn contains_all(&self, other: &Tags) -> bool {
        other.0.is_subset(&self.0)
    }

    /// The tags in order.
    pub fn iter(&self) -> impl Iterator<Item = &Tag> {
        self.0.iter()
    }

    fn bounded(tags: BTreeSet<Tag>) -> Result<Self, FieldError> {
        if tags.len() > Self::MAX {
            return Err(FieldError::new(
                "tags",
                format!("a lead may carry at most {} tags", Self::MAX),
            ));
        }
        Ok(Self(tags))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_normalised_deduplicated_and_bounded() {
        let tags = Tags::parse(&["VIP".into(), "vip".into(), " buyer ".into()]).unwrap();
        assert_eq!(tags.iter().map(Tag::as_str).collect::<Vec<_>>(), ["buyer", "vip"]);
        let many: Vec<String> = (0..51).map(|i| format!("t{i}")).collect();
        assert!(Tags::parse(&many).is_err());
        assert!(Tags::parse(&["".into()]).is_err());
    }
}
