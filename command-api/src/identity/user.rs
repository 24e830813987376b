use chrono::{DateTime, Utc};
use leadstream_domain::identity::Role;
use serde::Serialize;
use uuid::Uuid;

/// A user as the API shows it: never the password hash.
#[derive(Debug, Clone, Serialize)]
pub struct UserView {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub email: String,
    pub username: Option<String>,
    pub name: Option<String>,
    pub role: Role,
    pub is_active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A tenant: the business or broker that owns its users and leads.
#[derive(Debug, Clone, Serialize)]
pub struct TenantView {
    pub id: Uuid,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

/// An API key as listed: its prefix only, never the key.
#[derive(Debug, Clone, Serialize)]
pub struct ApiKeyView {
    pub id: Uuid,
    pub name: String,
    pub role: Role,
    pub prefix: String,
    /// The user who created it; an agent key works this user's leads.
    pub user_id: Uuid,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}
