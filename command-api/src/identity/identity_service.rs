use chrono::{Duration as ChronoDuration, Utc};
use leadstream_api_conventions::{
    hash_secret, random_token, AccessTokens, ApiError, IssuedToken, NewApiKey, Principal,
};
use leadstream_domain::identity::{NewPassword, Role, Username};
use leadstream_domain::values::{EmailAddress, PersonName, ShortText};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use uuid::Uuid;

use super::identity_store::{IdentityStore, NewUser, StoreError, UserChanges};
use super::mailer::{Mail, Mailer};
use super::password_hasher::PasswordHasher;
use super::user::{ApiKeyView, TenantView, UserView};

/// How identity behaves, from configuration.
#[derive(Debug, Clone)]
pub struct IdentitySettings {
    /// How long a password-reset token stays good.
    pub reset_token_ttl: Duration,
    /// How long a registration waits for its confirmation.
    pub registration_ttl: Duration,
}

/// A new tenant and its first admin.
pub struct Registration {
    pub business_name: ShortText,
    pub email: EmailAddress,
    pub username: Option<Username>,
    pub name: Option<PersonName>,
    pub password: NewPassword,
}

/// A user an admin adds to the tenant.
pub struct NewUserInput {
    pub email: EmailAddress,
    pub username: Option<Username>,
    pub name: Option<PersonName>,
    pub role: Role,
    pub password: NewPassword,
}

/// Changes to a user; `None` leaves a field as it is.
#[derive(Default)]
pub struct UserUpdate {
    pub name: Option<PersonName>,
    pub username: Option<Username>,
    pub role: Option<Role>,
    pub is_active: Option<bool>,
    pub password: Option<NewPassword>,
    /// The password the user has now: required to change one's own password.
    pub current_password: Option<String>,
}

/// A key just made: the secret, shown this once, and how it is listed from now on.
pub struct CreatedApiKey {
    pub key: String,
    pub view: ApiKeyView,
}

/// Registration, login, users, API keys and password resets, with their rules.
#[derive(Clone)]
pub struct IdentityService {
    store: IdentityStore,
    hasher: PasswordHasher,
    tokens: AccessTokens,
    mailer: Arc<dyn Mailer>,
    settings: IdentitySettings,
}

impl IdentityService {
    /// The service over `store`, issuing `tokens` and sending mail through `mailer`.
    pub fn new(
        store: IdentityStore,
        tokens: AccessTokens,
        mailer: Arc<dyn Mailer>,
        settings: IdentitySettings,
    ) -> Self {
        Self {
            store,
            hasher: PasswordHasher::default(),
            tokens,
            mailer,
            settings,
        }
    }

    /// The identity tables, for other handlers' checks (e.g. that an assignee exists).
    pub fn store(&self) -> &IdentityStore {
        &self.store
    }

    /// Takes a registration: its token goes to the address, and the tenant and its admin exist
    /// once the token comes back ([`IdentityService::confirm_registration`]). An address that is
    /// registered already gets a notice instead. The caller is told the same, after the same
    /// work (one password hash), either way, so no stranger learns which addresses exist.
    pub async fn register(&self, registration: Registration) -> Result<(), ApiError> {
        let password_hash = self
            .hasher
            .hash(&registration.password)
            .await
            .map_err(ApiError::internal)?;
        let user = NewUser {
            id: Uuid::nil(),
            tenant_id: Uuid::nil(),
            email: registration.email.as_str().to_string(),
            username: registration.username.map(|u| u.as_str().to_string()),
            name: registration.name.map(|n| n.as_str().to_string()),
            role: Role::Admin,
            password_hash,
        };
        let business_name = registration.business_name.as_str().to_string();
        let service = self.clone();
        tokio::spawn(async move {
            if let Err(error) = service.hold_registration(&business_name, &user).await {
                tracing::error!(error = %format!("{error:#}"), "cannot take a registration");
            }
        });
        Ok(())
    }

    async fn hold_registration(&self, business_name: &str, user: &NewUser) -> anyhow::Result<()> {
        let mail = if self.store.email_registered(&user.email).await? {
            Mail {
                to: user.email.clone(),
                subject: "Someone tried to register this address".to_string(),
                body: "Someone tried to register a new leadstream account with this e-mail address, which \
                       already has one. If it was you, log in, or reset your password with \
                       POST /api/v1/auth/forgot-password. If it was not you, ignore this message."
                    .to_string(),
            }
        } else {
            let token = random_token();
            let ttl = ChronoDuration::from_std(self.settings.registration_ttl).unwrap_or(ChronoDuration::days(1));
            self.store
                .hold_registration(&hash_secret(&token), business_name, user, Utc::now() + ttl)
                .await?;
            let hours = self.settings.registration_ttl.as_secs() / 3600;
            Mail {
                to: user.email.clone(),
                subject: "Confirm your leadstream registration".to_string(),
                body: format!(
                    "To create the account of {business_name}, send this token to \
                     POST /api/v1/auth/confirm within {hours} hours:\n\n{token}\n\nIf you did not register, \
                     ignore this message."
                ),
            }
        };
        self.mailer.send(&mail).await
    }

    /// Creates the tenant and admin a registration's token confirms, and logs the admin in.
    pub async fn confirm_registration(&self, token: &str) -> Result<(TenantView, UserView, IssuedToken), ApiError> {
        let confirmed = self
            .store
            .confirm_registration(&hash_secret(token.trim()), Uuid::now_v7(), Uuid::now_v7())
            .await
            .map_err(store_error)?;
        let Some((tenant, user)) = confirmed else {
            return Err(ApiError::bad_request(
                "INVALID_CONFIRMATION_TOKEN",
                "the confirmation token is unknown, used or expired",
            ));
        };
        let token = self.issue(&user, 0);
        tracing::info!(tenant_id = %tenant.id, user_id = %user.id, "tenant registered");
        Ok((tenant, user, token))
    }

    /// A token for whoever `login` (e-mail or username) and `password` belong to.
    pub async fn login(&self, login: &str, password: &str) -> Result<(UserView, IssuedToken), ApiError> {
        let candidate = self.store.login_candidate(login).await.map_err(ApiError::internal)?;
        let stored_hash = candidate.as_ref().map(|c| c.password_hash.clone());
        if !self.hasher.verify(password, stored_hash).await {
            return Err(ApiError::bad_credentials(
                "INVALID_CREDENTIALS",
                "the e-mail, username or password is wrong",
            ));
        }
        let Some(candidate) = candidate else {
            return Err(ApiError::internal("a password matched no user"));
        };
        if !candidate.user.is_active {
            return Err(ApiError::forbidden("this account is deactivated"));
        }
        let token = self.issue(&candidate.user, candidate.token_version);
        Ok((candidate.user, token))
    }

    /// The caller's own user and tenant.
    pub async fn me(&self, principal: &Principal) -> Result<(UserView, TenantView), ApiError> {
        let tenant_id = principal.tenant_id.0;
        let user = self
            .store
            .user(tenant_id, principal.user_id)
            .await
            .map_err(ApiError::internal)?;
        let tenant = self.store.tenant(tenant_id).await.map_err(ApiError::internal)?;
        match (user, tenant) {
            (Some(user), Some(tenant)) => Ok((user, tenant)),
            _ => Err(ApiError::not_found("user")),
        }
    }

    /// An admin adds a user to its tenant, with a role no higher than its own.
    pub async fn create_user(&self, principal: &Principal, input: NewUserInput) -> Result<UserView, ApiError> {
        principal.require_signed_in_user()?;
        principal.require_admin()?;
        if !principal.role.may_grant(input.role) {
            return Err(ApiError::forbidden(format!(
                "a {} cannot create a {}",
                principal.role, input.role
            )));
        }
        let password_hash = self.hasher.hash(&input.password).await.map_err(ApiError::internal)?;
        self.store
            .create_user(NewUser {
                id: Uuid::now_v7(),
                tenant_id: principal.tenant_id.0,
                email: input.email.as_str().to_string(),
                username: input.username.map(|u| u.as_str().to_string()),
                name: input.name.map(|n| n.as_str().to_string()),
                role: input.role,
                password_hash,
            })
            .await
            .map_err(store_error)
    }

    /// A page of the tenant's users (admins only) and the total.
    pub async fn users(
        &self,
        principal: &Principal,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<UserView>, i64), ApiError> {
        principal.require_admin()?;
        self.store
            .users(principal.tenant_id.0, offset, limit)
            .await
            .map_err(ApiError::internal)
    }

    /// One user of the tenant: anyone may read themselves, admins anyone.
    pub async fn user(&self, principal: &Principal, id: Uuid) -> Result<UserView, ApiError> {
        let user = self.tenant_user(principal, id).await?;
        if user.id != principal.user_id {
            principal.require_admin()?;
        }
        Ok(user)
    }

    /// Changes a user. Anyone signed in may change their own name and username, and their own
    /// password by giving the current one; role and activation are changed by someone who
    /// outranks the user, never by the user. No API key changes a user.
    pub async fn update_user(&self, principal: &Principal, id: Uuid, update: UserUpdate) -> Result<UserView, ApiError> {
        principal.require_signed_in_user()?;
        let user = self.tenant_user(principal, id).await?;
        if user.id == principal.user_id {
            if update.role.is_some_and(|role| role != user.role) || update.is_active == Some(false) {
                return Err(ApiError::forbidden(
                    "you cannot change your own role or deactivate yourself",
                ));
            }
            if update.password.is_some() {
                self.check_current_password(&user, update.current_password.as_deref())
                    .await?;
            }
        } else {
            principal.require_admin()?;
            if !principal.role.may_manage(user.role) {
                return Err(ApiError::forbidden(format!(
                    "a {} cannot change a {}",
                    principal.role, user.role
                )));
            }
            if let Some(role) = update.role.filter(|role| !principal.role.may_grant(*role)) {
                return Err(ApiError::forbidden(format!("a {} cannot grant {role}", principal.role)));
            }
        }
        let password_hash = match &update.password {
            Some(password) => Some(self.hasher.hash(password).await.map_err(ApiError::internal)?),
            None => None,
        };
        self.store
            .update_user(
                principal.tenant_id.0,
                id,
                UserChanges {
                    name: update.name.map(|n| n.as_str().to_string()),
                    username: update.username.map(|u| u.as_str().to_string()),
                    role: update.role,
                    is_active: update.is_active,
                    password_hash,
                },
            )
            .await
            .map_err(store_error)?
            .ok_or_else(|| ApiError::not_found("user"))
    }

    /// A new API key acting for the caller, with a role no higher than the caller's.
    pub async fn create_api_key(
        &self,
        principal: &Principal,
        name: &ShortText,
        role: Option<Role>,
    ) -> Result<CreatedApiKey, ApiError> {
        principal.require_signed_in_user()?;
        let role = role.unwrap_or(principal.role);
        if role > principal.role {
            return Err(ApiError::forbidden(format!(
                "a {} cannot create a {role} key",
                principal.role
            )));
        }
        let key = NewApiKey::generate();
        let view = self
            .store
            .create_api_key(
                principal.tenant_id.0,
                principal.user_id,
                name.as_str(),
                role,
                &key.prefix,
                &key.hash,
            )
            .await
            .map_err(ApiError::internal)?;
        tracing::info!(key_id = %view.id, role = %role, "API key created");
        Ok(CreatedApiKey { key: key.key, view })
    }

    /// The tenant's keys for admins; an agent's own keys for an agent.
    pub async fn api_keys(&self, principal: &Principal) -> Result<Vec<ApiKeyView>, ApiError> {
        principal.require_signed_in_user()?;
        self.store
            .api_keys(principal.tenant_id.0, own_only(principal))
            .await
            .map_err(ApiError::internal)
    }

    /// Revokes a key: admins any of the tenant's, agents their own.
    pub async fn revoke_api_key(&self, principal: &Principal, id: Uuid) -> Result<(), ApiError> {
        principal.require_signed_in_user()?;
        let revoked = self
            .store
            .revoke_api_key(principal.tenant_id.0, id, own_only(principal))
            .await
            .map_err(ApiError::internal)?;
        if revoked {
            tracing::info!(key_id = %id, "API key revoked");
            Ok(())
        } else {
            Err(ApiError::not_found("API key"))
        }
    }

    /// Mails a reset token to `email` when it belongs to an active user. Says nothing either way,
    /// and answers after the same one lookup either way: the token and the mail are made in the
    /// background, so neither the answer nor its timing tells who is registered.
    pub async fn forgot_password(&self, email: &EmailAddress) -> Result<(), ApiError> {
        let Some(user) = self
            .store
            .active_user_by_email(email.as_str())
            .await
            .map_err(ApiError::internal)?
        else {
            return Ok(());
        };
        let service = self.clone();
        tokio::spawn(async move {
            if let Err(error) = service.send_reset_token(&user).await {
                tracing::error!(error = %format!("{error:#}"), user_id = %user.id, "cannot send a password reset");
            }
        });
        Ok(())
    }

    async fn send_reset_token(&self, user: &UserView) -> anyhow::Result<()> {
        let token = random_token();
        let ttl = ChronoDuration::from_std(self.settings.reset_token_ttl).unwrap_or(ChronoDuration::hours(1));
        self.store
            .create_reset_token(user.id, &hash_secret(&token), Utc::now() + ttl)
            .await?;
        let minutes = self.settings.reset_token_ttl.as_secs() / 60;
        let mail = Mail {
            to: user.email.clone(),
            subject: "Reset your leadstream password".to_string(),
            body: format!(
                "Someone asked to reset the password of this account. If it was you, send this token to \
                 POST /api/v1/auth/reset-password within {minutes} minutes:\n\n{token}\n\nIf it was not you, \
                 ignore this message."
            ),
        };
        self.mailer.send(&mail).await
    }

    /// Sets a new password with a reset token, which is spent.
    pub async fn reset_password(&self, token: &str, password: &NewPassword) -> Result<(), ApiError> {
        let password_hash = self.hasher.hash(password).await.map_err(ApiError::internal)?;
        let reset = self
            .store
            .reset_password(&hash_secret(token.trim()), &password_hash)
            .await
            .map_err(ApiError::internal)?;
        if reset {
            Ok(())
        } else {
            Err(ApiError::bad_request(
                "INVALID_RESET_TOKEN",
                "the reset token is unknown, used or expired",
            ))
        }
    }

    /// Refuses (403 `CURRENT_PASSWORD_REQUIRED`) unless `current` is `user`'s password now, so a
    /// stolen session cannot lock its owner out.
    async fn check_current_password(&self, user: &UserView, current: Option<&str>) -> Result<(), ApiError> {
        let stored = self
            .store
            .password_hash(user.tenant_id, user.id)
            .await
            .map_err(ApiError::internal)?;
        let given = current.unwrap_or_default();
        if current.is_some() && self.hasher.verify(given, stored).await {
            return Ok(());
        }
        Err(ApiError::new(
            actix_web::http::StatusCode::FORBIDDEN,
            "CURRENT_PASSWORD_REQUIRED",
            "to change your own password, give the current one as current_password",
        ))
    }

    async fn tenant_user(&self, principal: &Principal, id: Uuid) -> Result<UserView, ApiError> {
        self.store
            .user(principal.tenant_id.0, id)
            .await
            .map_err(ApiError::internal)?
            .ok_or_else(|| ApiError::not_found("user"))
    }

    fn issue(&self, user: &UserView, token_version: i32) -> IssuedToken {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or_default();
        self.tokens
            .issue(user.id, user.tenant_id, user.role, token_version, now)
    }
}

/// Admins see and revoke every key of the tenant; anyone else only their own.
fn own_only(principal: &Principal) -> Option<Uuid> {
    (!principal.role.is_admin()).then_some(principal.user_id)
}

fn store_error(error: StoreError) -> ApiError {
    match error {
        StoreError::EmailTaken => ApiError::conflict("EMAIL_TAKEN", "this e-mail address is already registered"),
        StoreError::UsernameTaken => ApiError::conflict("USERNAME_TAKEN", "this username is already taken"),
        StoreError::Database(e) => ApiError::internal(e),
    }
}
