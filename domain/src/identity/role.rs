use serde::{Deserialize, Serialize};
use std::fmt;

use crate::FieldError;

/// What a user or an API key may do within its tenant. Ordered by power: an agent works the
/// leads assigned to it, an admin runs the tenant, a superadmin also manages other admins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Agent,
    Admin,
    Superadmin,
}

impl Role {
    /// Every role, least powerful first.
    pub const ALL: [Role; 3] = [Role::Agent, Role::Admin, Role::Superadmin];

    /// Parses a role name, in any case (seed clients send `ADMIN`).
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let wanted = raw.trim().to_ascii_lowercase();
        Self::ALL
            .into_iter()
            .find(|role| role.as_str() == wanted)
            .ok_or_else(|| FieldError::new("role", format!("must be one of agent, admin, superadmin; got {raw:?}")))
    }

    /// The role's name as stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Agent => "agent",
            Role::Admin => "admin",
            Role::Superadmin => "superadmin",
        }
    }

    /// Admins and superadmins run the tenant: they see every lead, assign, manage users and keys.
    pub fn is_admin(self) -> bool {
        self >= Role::Admin
    }

    /// Whether a holder of this role may give `role` to a user or a key: never more than it holds.
    pub fn may_grant(self, role: Role) -> bool {
        self.is_admin() && role <= self
    }

    /// Whether a holder of this role may change or deactivate a user holding `target`: admins
    /// manage those below them, a superadmin manages everyone in the tenant.
    pub fn may_manage(self, target: Role) -> bool {
        self == Role::Superadmin || (self.is_admin() && target < self)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
