use chrono::{DateTime, Utc};
use leadstream_domain::identity::Role;
use leadstream_domain::values::EmailAddress;
use sqlx::postgres::PgRow;
use sqlx::{PgPool, Row};
use uuid::Uuid;

use super::user::{ApiKeyView, TenantView, UserView};

const USER_COLUMNS: &str = "id, tenant_id, email, username, name, role, is_active, created_at, updated_at";
const API_KEY_COLUMNS: &str = "id, name, role, prefix, user_id, created_at, revoked_at";

/// A user about to be stored.
pub struct NewUser {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub email: String,
    pub username: Option<String>,
    pub name: Option<String>,
    pub role: Role,
    pub password_hash: String,
}

/// Changes to a user; `None` leaves a field as it is.
#[derive(Default)]
pub struct UserChanges {
    pub name: Option<String>,
    pub username: Option<String>,
    pub role: Option<Role>,
    pub is_active: Option<bool>,
    /// A new password hash also retires every token issued before.
    pub password_hash: Option<String>,
}

/// A user found by login name, with what login needs.
pub struct LoginCandidate {
    pub user: UserView,
    pub password_hash: String,
    pub token_version: i32,
}

/// Why a user could not be stored.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("e-mail address already registered")]
    EmailTaken,
    #[error("username already taken")]
    UsernameTaken,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

impl StoreError {
    fn from_insert(error: sqlx::Error) -> Self {
        let constraint = error
            .as_database_error()
            .and_then(|e| e.constraint())
            .map(str::to_owned);
        match constraint.as_deref() {
            Some("users_email_key") => StoreError::EmailTaken,
            Some("users_username_key") => StoreError::UsernameTaken,
            _ => StoreError::Database(error),
        }
    }
}

/// The identity tables.
#[derive(Clone)]
pub struct IdentityStore {
    pool: PgPool,
}

impl IdentityStore {
    /// The store over `pool`.
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }

    /// Whether any user is registered under `email`.
    pub async fn email_registered(&self, email: &str) -> Result<bool, sqlx::Error> {
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE email = $1)")
            .bind(email)
            .fetch_one(&self.pool)
            .await
    }

    /// Keeps a registration until the token hashed as `token_hash` confirms it.
    pub async fn hold_registration(
        &self,
        token_hash: &[u8],
        tenant_name: &str,
        user: &NewUser,
        expires_at: DateTime<Utc>,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO pending_registrations (token_hash, business_name, email, username, name, password_hash, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(token_hash)
        .bind(tenant_name)
        .bind(&user.email)
        .bind(&user.username)
        .bind(&user.name)
        .bind(&user.password_hash)
        .bind(expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Spends the registration the token hashed as `token_hash` holds and creates its tenant and
    /// admin, in one transaction; `None` when the token is unknown, spent or expired.
    pub async fn confirm_registration(
        &self,
        token_hash: &[u8],
        tenant_id: Uuid,
        user_id: Uuid,
    ) -> Result<Option<(TenantView, UserView)>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let held = sqlx::query(
            "DELETE FROM pending_registrations WHERE token_hash = $1 AND expires_at > now()
          RETURNING business_name, email, username, name, password_hash",
        )
        .bind(token_hash)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(held) = held else {
            return Ok(None);
        };
        let business_name: String = held.try_get("business_name")?;
        let user = NewUser {
            id: user_id,
            tenant_id,
            email: held.try_get("email")?,
            username: held.try_get("username")?,
            name: held.try_get("name")?,
            role: Role::Admin,
            password_hash: held.try_get("password_hash")?,
        };
        let tenant = sqlx::query("INSERT INTO tenants (id, name) VALUES ($1, $2) RETURNING id, name, created_at")
            .bind(tenant_id)
            .bind(&business_name)
            .fetch_one(&mut *tx)
            .await
            .and_then(|row| tenant_view(&row))?;
        let user = insert_user(&mut *tx, &user).await?;
        tx.commit().await?;
        Ok(Some((tenant, user)))
    }

    /// Stores a user of an existing tenant.
    pub async fn create_user(&self, user: NewUser) -> Result<UserView, StoreError> {
        insert_user(&self.pool, &user).await
    }

    /// One of `tenant`'s users.
    pub async fn user(&self, tenant: Uuid, id: Uuid) -> Result<Option<UserView>, sqlx::Error> {
        sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users WHERE id = $1 AND tenant_id = $2"
        ))
        .bind(id)
        .bind(tenant)
        .fetch_optional(&self.pool)
        .await?
        .map(|row| user_view(&row))
        .transpose()
    }

    /// The user who logs in as `login`: an e-mail address or a username.
    pub async fn login_candidate(&self, login: &str) -> Result<Option<LoginCandidate>, sqlx::Error> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS}, password_hash, token_version FROM users WHERE email = $1 OR username = $1 LIMIT 1"
        ))
        .bind(login.trim().to_lowercase())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            Ok(LoginCandidate {
                user: user_view(&row)?,
                password_hash: row.try_get("password_hash")?,
                token_version: row.try_get("token_version")?,
            })
        })
        .transpose()
    }

    /// The stored password hash of one of `tenant`'s users.
    pub async fn password_hash(&self, tenant: Uuid, id: Uuid) -> Result<Option<String>, sqlx::Error> {
        sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1 AND tenant_id = $2")
            .bind(id)
            .bind(tenant)
            .fetch_optional(&self.pool)
            .await
    }

    /// The active user registered under `email`.
    pub async fn active_user_by_email(&self, email: &str) -> Result<Option<UserView>, sqlx::Error> {
        sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users WHERE email = $1 AND is_active"
        ))
        .bind(email)
        .fetch_optional(&self.pool)
        .await?
        .map(|row| user_view(&row))
        .transpose()
    }

    /// A page of `tenant`'s users, oldest first, and how many there are.
    pub async fn users(&self, tenant: Uuid, offset: i64, limit: i64) -> Result<(Vec<UserView>, i64), sqlx::Error> {
        let rows = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users WHERE tenant_id = $1 ORDER BY created_at, id OFFSET $2 LIMIT $3"
        ))
        .bind(tenant)
        .bind(offset)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let total = sqlx::query_scalar("SELECT count(*) FROM users WHERE tenant_id = $1")
            .bind(tenant)
            .fetch_one(&self.pool)
            .await?;
        Ok((rows.iter().map(user_view).collect::<Result<_, _>>()?, total))
    }

    /// Applies `changes` to one of `tenant`'s users.
    pub async fn update_user(
        &self,
        tenant: Uuid,
        id: Uuid,
        changes: UserChanges,
    ) -> Result<Option<UserView>, StoreError> {
        let retire_tokens = changes.password_hash.is_some();
        sqlx::query(&format!(
            "UPDATE users SET name = coalesce($3, name), username = coalesce($4, username),
                    role = coalesce($5, role), is_active = coalesce($6, is_active),
                    password_hash = coalesce($7, password_hash),
                    token_version = token_version + CASE WHEN $8 THEN 1 ELSE 0 END,
                    updated_at = now()
              WHERE id = $1 AND tenant_id = $2
          RETURNING {USER_COLUMNS}"
        ))
        .bind(id)
        .bind(tenant)
        .bind(changes.name)
        .bind(changes.username)
        .bind(changes.role.map(Role::as_str))
        .bind(changes.is_active)
        .bind(changes.password_hash)
        .bind(retire_tokens)
        .fetch_optional(&self.pool)
        .await
        .map_err(StoreError::from_insert)?
        .map(|row| user_view(&row).map_err(StoreError::Database))
        .transpose()
    }

    /// Sets the role of the user registered as `email` (an operator's action); false when there
    /// is no such user.
    pub async fn set_role(&self, email: &EmailAddress, role: Role) -> Result<bool, sqlx::Error> {
        let updated = sqlx::query("UPDATE users SET role = $2, updated_at = now() WHERE email = $1")
            .bind(email.as_str())
            .bind(role.as_str())
            .execute(&self.pool)
            .await?;
        Ok(updated.rows_affected() == 1)
    }

    /// Whether `id` is an active user of `tenant` (someone a lead can be assigned to).
    pub async fn is_active_user(&self, tenant: Uuid, id: Uuid) -> Result<bool, sqlx::Error> {
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE id = $1 AND tenant_id = $2 AND is_active)")
            .bind(id)
            .bind(tenant)
            .fetch_one(&self.pool)
            .await
    }

    /// A tenant by id.
    pub async fn tenant(&self, id: Uuid) -> Result<Option<TenantView>, sqlx::Error> {
        sqlx::query("SELECT id, name, created_at FROM tenants WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .map(|row| tenant_view(&row))
            .transpose()
    }

    /// Stores a new API key's hash.
    pub async fn create_api_key(
        &self,
        tenant: Uuid,
        user: Uuid,
        name: &str,
        role: Role,
        prefix: &str,
        hash: &[u8],
    ) -> Result<ApiKeyView, sqlx::Error> {
        let row = sqlx::query(&format!(
            "INSERT INTO api_keys (id, tenant_id, user_id, name, role, prefix, key_hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {API_KEY_COLUMNS}"
        ))
        .bind(Uuid::now_v7())
        .bind(tenant)
        .bind(user)
        .bind(name)
        .bind(role.as_str())
        .bind(prefix)
        .bind(hash)
        .fetch_one(&self.pool)
        .await?;
        api_key_view(&row)
    }

    /// `tenant`'s keys, newest first; only `owner`'s when given.
    pub async fn api_keys(&self, tenant: Uuid, owner: Option<Uuid>) -> Result<Vec<ApiKeyView>, sqlx::Error> {
        sqlx::query(&format!(
            "SELECT {API_KEY_COLUMNS} FROM api_keys
              WHERE tenant_id = $1 AND ($2::uuid IS NULL OR user_id = $2)
              ORDER BY created_at DESC, id DESC"
        ))
        .bind(tenant)
        .bind(owner)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(api_key_view)
        .collect()
    }

    /// Revokes one of `tenant`'s keys (only `owner`'s when given); false when there is no such key.
    pub async fn revoke_api_key(&self, tenant: Uuid, id: Uuid, owner: Option<Uuid>) -> Result<bool, sqlx::Error> {
        let found: Option<Uuid> = sqlx::query_scalar(
            "UPDATE api_keys SET revoked_at = coalesce(revoked_at, now())
              WHERE id = $1 AND tenant_id = $2 AND ($3::uuid IS NULL OR user_id = $3)
          RETURNING id",
        )
        .bind(id)
        .bind(tenant)
        .bind(owner)
        .fetch_optional(&self.pool)
        .await?;
        Ok(found.is_some())
    }

    /// Stores a reset token's hash for `user`, good until `expires_at`.
    pub async fn create_reset_token(
        &self,
        user: Uuid,
        hash: &[u8],
        expires_at: DateTime<Utc>,
    ) -> Result<(), sqlx::Error> {
        sqlx::query("INSERT INTO password_reset_tokens (token_hash, user_id, expires_at) VALUES ($1, $2, $3)")
            .bind(hash)
            .bind(user)
            .bind(expires_at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Spends the reset token with `hash` and sets its user's password, in one transaction.
    /// False when the token is unknown, used or expired. Every other outstanding token of the
    /// user is spent too, and every access token issued before stops working.
    pub async fn reset_password(&self, hash: &[u8], password_hash: &str) -> Result<bool, sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        let user: Option<Uuid> = sqlx::query_scalar(
            "UPDATE password_reset_tokens SET used_at = now()
              WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now()
          RETURNING user_id",
        )
        .bind(hash)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(user) = user else {
            return Ok(false);
        };
        sqlx::query("UPDATE password_reset_tokens SET used_at = now() WHERE user_id = $1 AND used_at IS NULL")
            .bind(user)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE users SET password_hash = $2, token_version = token_version + 1, updated_at = now() WHERE id = $1",
        )
        .bind(user)
        .bind(password_hash)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }
}

async fn insert_user<'e>(executor: impl sqlx::PgExecutor<'e>, user: &NewUser) -> Result<UserView, StoreError> {
    let row = sqlx::query(&format!(
        "INSERT INTO users (id, tenant_id, email, username, name, role, password_hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {USER_COLUMNS}"
    ))
    .bind(user.id)
    .bind(user.tenant_id)
    .bind(&user.email)
    .bind(&user.username)
    .bind(&user.name)
    .bind(user.role.as_str())
    .bind(&user.password_hash)
    .fetch_one(executor)
    .await
    .map_err(StoreError::from_insert)?;
    Ok(user_view(&row)?)
}

fn stored_role(row: &PgRow) -> Result<Role, sqlx::Error> {
    let role: String = row.try_get("role")?;
    Role::parse(&role).map_err(|e| sqlx::Error::Decode(e.message.into()))
}

fn user_view(row: &PgRow) -> Result<UserView, sqlx::Error> {
    Ok(UserView {
        id: row.try_get("id")?,
        tenant_id: row.try_get("tenant_id")?,
        email: row.try_get("email")?,
        username: row.try_get("username")?,
        name: row.try_get("name")?,
        role: stored_role(row)?,
        is_active: row.try_get("is_active")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

fn tenant_view(row: &PgRow) -> Result<TenantView, sqlx::Error> {
    Ok(TenantView {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        created_at: row.try_get("created_at")?,
    })
}

fn api_key_view(row: &PgRow) -> Result<ApiKeyView, sqlx::Error> {
    Ok(ApiKeyView {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        role: stored_role(row)?,
        prefix: row.try_get("prefix")?,
        user_id: row.try_get("user_id")?,
        created_at: row.try_get("created_at")?,
        revoked_at: row.try_get("revoked_at")?,
    })
}
