//! The JSON bodies the identity endpoints accept, parsed into validated values.

use leadstream_domain::identity::{NewPassword, Role, Username};
use leadstream_domain::values::{EmailAddress, PersonName, ShortText};
use leadstream_domain::{FieldError, ValidationErrors};
use serde::Deserialize;
use utoipa::ToSchema;

use super::lead_requests::required_field;
use crate::identity::{NewUserInput, Registration, UserUpdate};

/// `POST /api/v1/auth/register`: seed 002 says `business_name`, seed 003 `broker_name`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RegisterRequest {
    #[serde(alias = "broker_name", alias = "company_name")]
    #[schema(schema_with = leadstream_api_conventions::field_schema::short_text, required = true)]
    business_name: Option<String>,
    #[schema(schema_with = leadstream_api_conventions::field_schema::email, required = true)]
    email: Option<String>,
    #[schema(schema_with = leadstream_api_conventions::field_schema::username_or_null)]
    username: Option<String>,
    #[schema(schema_with = leadstream_api_conventions::field_schema::person_name_or_null)]
    name: Option<String>,
    #[schema(schema_with = leadstream_api_conventions::field_schema::person_name_or_null)]
    first_name: Option<String>,
    #[schema(schema_with = leadstream_api_conventions::field_schema::person_name_or_null)]
    last_name: Option<String>,
    #[schema(schema_with = leadstream_api_conventions::field_schema::new_password, required = true)]
    password: Option<String>,
}

impl RegisterRequest {
    /// The registration, every field checked.
    pub fn parse(self) -> Result<Registration, ValidationErrors> {
        let mut e = ValidationErrors::default();
        let business_name = e.check(
            required_field("business_name", self.business_name).and_then(|raw| ShortText::parse("business_name", &raw)),
        );
        let email = e.check(required_field("email", self.email).and_then(|raw| EmailAddress::parse(&raw)));
        let username = e.check_opt(self.username, |raw| Username::parse(&raw));
        let name = full_name(&mut e, self.name, self.first_name, self.last_name);
        let password = e.check(required_field("password", self.password).and_then(|raw| NewPassword::parse(&raw)));
        match (business_name, email, password) {
            (Some(business_name), Some(email), Some(password)) if e.0.is_empty() => Ok(Registration {
                business_name,
                email,
                username,
                name,
                password,
            }),
            _ => Err(e),
        }
    }
}

/// `POST /api/v1/auth/confirm`: the token a registration mailed.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ConfirmRegistrationRequest {
    #[schema(schema_with = leadstream_api_conventions::field_schema::token, required = true)]
    token: Option<String>,
}

impl ConfirmRegistrationRequest {
    /// The token.
    pub fn parse(self) -> Result<String, ValidationErrors> {
        required_field("token", self.token)
            .and_then(|t| {
                (t.len() <= 256)
                    .then_some(t)
                    .ok_or_else(|| FieldError::new("token", "is too long"))
            })
            .map_err(|e| ValidationErrors(vec![e]))
    }
}

/// `POST /api/v1/auth/login`: by e-mail or by username.
#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginRequest {
    #[schema(schema_with = leadstream_api_conventions::field_schema::short_text_or_null)]
    email: Option<String>,
    #[schema(schema_with = leadstream_api_conventions::field_schema::short_text_or_null)]
    username: Option<String>,
    #[schema(schema_with = leadstream_api_conventions::field_schema::password, required = true)]
    password: Option<String>,
}

impl LoginRequest {
    /// The login name and the password. The password is not checked against the rules: it is
    /// compared, and old passwords may predate the rules.
    pub fn parse(self) -> Result<(String, String), ValidationErrors> {
        let mut e = ValidationErrors::default();
        let login = self.email.or(self.username).filter(|l| !l.trim().is_empty());
        if login.is_none() {
            e.push(FieldError::new("email", "email or username is required"));
        }
        let password = e.check(required_field("password", self.password).and_then(bounded_password));
        match (login, password) {
            (Some(login), Some(password)) if login.len() <= 254 => Ok((login, password)),
            (Some(_), Some(_)) => Err(ValidationErrors(vec![FieldError::new("email", "is too long")])),
            _ => Err(e),
        }
    }
}

/// `POST /api/v1/auth/forgot-password`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ForgotPasswordRequest {
    #[schema(schema_with = leadstream_api_conventions::field_schema::email, required = true)]
    email: Option<String>,
}

impl ForgotPasswordRequest {
    /// The address to send the reset token to.
    pub fn parse(self) -> Result<EmailAddress, ValidationErrors> {
        required_field("email", self.email)
            .and_then(|raw| EmailAddress::parse(&raw))
            .map_err(|e| ValidationErrors(vec![e]))
    }
}

/// `POST /api/v1/auth/reset-password`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ResetPasswordRequest {
    #[schema(schema_with = leadstream_api_conventions::field_schema::token, required = true)]
    token: Option<String>,
    #[serde(alias = "new_password")]
    #[schema(schema_with = leadstream_api_conventions::field_schema::new_password, required = true)]
    password: Option<String>,
}

impl ResetPasswordRequest {
    /// The reset token and the new password.
    pub fn parse(self) -> Result<(String, NewPassword), ValidationErrors> {
        let mut e = ValidationErrors::default();
        let token = e.check(required_field("token", self.token).and_then(|t| {
            (t.len() <= 256)
                .then_some(t)
                .ok_or_else(|| FieldError::new("token", "is too long"))
        }));
        let password = e.check(required_field("password", self.password).and_then(|raw| NewPassword::parse(&raw)));
        match (token, password) {
            (Some(token), Some(password)) => Ok((token, password)),
            _ => Err(e),
        }
    }
}

/// `POST /api/v1/users`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateUserRequest {
    #[schema(schema_with = leadstream_api_conventions::field_schema::email, required = true)]
    email: Option<String>,
    #[schema(schema_with = leadstream_api_conventions::field_schema::username_or_null)]
    username: Option<String>,
    #[schema(schema_with = leadstream_api_conventions::field_schema::person_name_or_null)]
    name: Option<String>,
    #[schema(schema_with = leadstream_api_conventions::field_schema::person_name_or_null)]
    first_name: Option<String>,
    #[schema(schema_with = leadstream_api_conventions::field_schema::person_name_or_null)]
    last_name: Option<String>,
    #[schema(schema_with = leadstream_api_conventions::field_schema::role_or_null)]
    role: Option<String>,
    #[schema(schema_with = leadstream_api_conventions::field_schema::new_password, required = true)]
    password: Option<String>,
}

impl CreateUserRequest {
    /// The new user; the role defaults to agent.
    pub fn parse(self) -> Result<NewUserInput, ValidationErrors> {
        let mut e = ValidationErrors::default();
        let email = e.check(required_field("email", self.email).and_then(|raw| EmailAddress::parse(&raw)));
        let username = e.check_opt(self.username, |raw| Username::parse(&raw));
        let name = full_name(&mut e, self.name, self.first_name, self.last_name);
        let role = e.check_opt(self.role, |raw| Role::parse(&raw)).unwrap_or(Role::Agent);
        let password = e.check(required_field("password", self.password).and_then(|raw| NewPassword::parse(&raw)));
        match (email, password) {
            (Some(email), Some(password)) if e.0.is_empty() => Ok(NewUserInput {
                email,
                username,
                name,
                role,
                password,
            }),
            _ => Err(e),
        }
    }
}

/// `PUT`/`PATCH /api/v1/users/{id}`: every field optional.
#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateUserRequest {
    #[schema(schema_with = leadstream_api_conventions::field_schema::person_name_or_null)]
    name: Option<String>,
    #[schema(schema_with = leadstream_api_conventions::field_schema::username_or_null)]
    username: Option<String>,
    #[schema(schema_with = leadstream_api_conventions::field_schema::role_or_null)]
    role: Option<String>,
    is_active: Option<bool>,
    #[schema(schema_with = leadstream_api_conventions::field_schema::new_password_or_null)]
    password: Option<String>,
    /// Required with `password` when changing your own.
    #[schema(schema_with = leadstream_api_conventions::field_schema::password_or_null)]
    current_password: Option<String>,
}

impl UpdateUserRequest {
    /// The changes asked for.
    pub fn parse(self) -> Result<UserUpdate, ValidationErrors> {
        let mut e = ValidationErrors::default();
        let update = UserUpdate {
            name: e.check_opt(self.name, |raw| PersonName::parse("name", &raw)),
            username: e.check_opt(self.username, |raw| Username::parse(&raw)),
            role: e.check_opt(self.role, |raw| Role::parse(&raw)),
            is_active: self.is_active,
            password: e.check_opt(self.password, |raw| NewPassword::parse(&raw)),
            current_password: e.check_opt(self.current_password, |raw| {
                bounded_password(raw).map_err(|_| FieldError::new("current_password", "must be 1 to 128 characters"))
            }),
        };
        e.into_result(|| update)
    }
}

/// `POST /api/v1/api-keys`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateApiKeyRequest {
    #[schema(schema_with = leadstream_api_conventions::field_schema::short_text, required = true)]
    name: Option<String>,
    #[schema(schema_with = leadstream_api_conventions::field_schema::role_or_null)]
    role: Option<String>,
}

impl CreateApiKeyRequest {
    /// The key's name and role (the caller's own when absent).
    pub fn parse(self) -> Result<(ShortText, Option<Role>), ValidationErrors> {
        let mut e = ValidationErrors::default();
        let name = e.check(required_field("name", self.name).and_then(|raw| ShortText::parse("name", &raw)));
        let role = e.check_opt(self.role, |raw| Role::parse(&raw));
        match name {
            Some(name) if e.0.is_empty() => Ok((name, role)),
            _ => Err(e),
        }
    }
}

/// Compared passwords are bounded too: hashing a megabyte is a denial of service.
fn bounded_password(raw: String) -> Result<String, FieldError> {
    if raw.is_empty() || raw.chars().count() > 128 {
        Err(FieldError::new("password", "must be 1 to 128 characters"))
    } else {
        Ok(raw)
    }
}

/// `name`, or `first_name` and `last_name` joined; each part given is checked, even when `name`
/// makes it unneeded, so that nothing invalid is silently dropped.
fn full_name(
    e: &mut ValidationErrors,
    name: Option<String>,
    first: Option<String>,
    last: Option<String>,
) -> Option<PersonName> {
    let name = e.check_opt(name, |raw| PersonName::parse("name", &raw));
    let first = e.check_opt(first, |raw| PersonName::parse("first_name", &raw));
    let last = e.check_opt(last, |raw| PersonName::parse("last_name", &raw));
    name.or_else(|| {
        let joined = [first, last]
            .into_iter()
            .flatten()
            .map(|part| part.as_str().to_string())
            .collect::<Vec<_>>()
            .join(" ");
        e.check_opt((!joined.is_empty()).then_some(joined), |raw| {
            PersonName::parse("name", &raw)
        })
    })
}
