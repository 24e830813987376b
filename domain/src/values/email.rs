use serde::{Deserialize, Serialize};

use crate::FieldError;

/// An e-mail address (a lead's or a user's): trimmed, lower-cased, and shaped like `local@domain.tld`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EmailAddress(String);

impl EmailAddress {
    /// Parses an address, rejecting anything a mail server could not deliver to.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let email = raw.trim().to_lowercase();
        let invalid = |why: &str| FieldError::new("email", format!("{why}: {raw:?}"));
        if email.len() > 254 {
            return Err(invalid("is longer than 254 characters"));
        }
        let Some((local, domain)) = email.split_once('@') else {
            return Err(invalid("is not an e-mail address"));
        };
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && local
                .chars()
                .all(|c| c.is_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c));
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && labels.iter().all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_alphanumeric() || c == '-')
            })
            && labels.last().is_some_and(|tld| tld.len() >= 2);
        if local_ok && domain_ok {
            Ok(Self(email))
        } else {
            Err(invalid("is not an e-mail address"))
        }
    }

    /// The address as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_normalises_ordinary_addresses() {
        let email = EmailAddress::parse("  Ana.Perez+leads@Example.COM ").unwrap();
        assert_eq!(email.as_str(), "ana.perez+leads@example.com");
    }

    #[test]
    fn rejects_malformed_addresses() {
        for bad in [
            "",
            "plain",
            "@example.com",
            "a@",
            "a@b",
            "a b@example.com",
            "a@-x.com",
            ".a@x.com",
            "a@x.c",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad:?} should be rejected");
        }
        let long = format!("{}@example.com", "a".repeat(65));
        assert!(EmailAddress::parse(&long).is_err());
    }
}
