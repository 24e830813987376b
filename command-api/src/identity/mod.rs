//! Tenants, users, API keys and password resets: who may call the API, and as whom.

mod identity_service;
mod identity_store;
mod mailer;
mod password_hasher;
mod signing_secret;
mod user;

pub use identity_service::{CreatedApiKey, IdentityService, IdentitySettings, NewUserInput, Registration, UserUpdate};
pub use identity_store::IdentityStore;
pub use mailer::{Mail, Mailer, RecordingMailer};
pub use password_hasher::PasswordHasher;
pub use signing_secret::signing_secret;
pub use user::{ApiKeyView, TenantView, UserView};
