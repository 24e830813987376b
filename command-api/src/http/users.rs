//! Admins manage the people of their tenant.

use actix_web::{web, HttpResponse};
use leadstream_api_conventions::{ApiError, Json, Principal};
use serde::Deserialize;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::identity_requests::*;
use crate::identity::{IdentityService, UserView};

/// One page of the tenant's users.
#[derive(Serialize, ToSchema)]
pub struct UserPage {
    data: Vec<UserView>,
    total: i64,
    page: i64,
    per_page: i64,
}

type Identity = web::Data<IdentityService>;

/// `GET /api/v1/users` paging.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserListQuery {
    #[schema(minimum = 1, maximum = 1_000_000)]
    page: Option<i64>,
    #[schema(minimum = 1, maximum = 100)]
    per_page: Option<i64>,
}

/// `POST /api/v1/users`.
pub async fn create(
    identity: Identity,
    principal: Principal,
    body: Json<CreateUserRequest>,
) -> Result<HttpResponse, ApiError> {
    // Refused before the body is read: a key or an agent learns nothing from validation errors.
    principal.require_signed_in_user()?;
    principal.require_admin()?;
    let input = body.into_inner().parse().map_err(ApiError::validation)?;
    let user = identity.create_user(&principal, input).await?;
    Ok(HttpResponse::Created()
        .insert_header(("location", format!("/api/v1/users/{}", user.id)))
        .json(user))
}

/// `GET /api/v1/users`.
pub async fn list(
    identity: Identity,
    principal: Principal,
    query: web::Query<UserListQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = query.page.unwrap_or(1);
    let per_page = query.per_page.unwrap_or(20);
    // Bounded, so that the offset cannot overflow.
    if !(1..=1_000_000).contains(&page) || !(1..=100).contains(&per_page) {
        return Err(ApiError::bad_request(
            "INVALID_QUERY",
            "page must be 1 to 1000000 and per_page 1 to 100",
        ));
    }
    let (users, total) = identity.users(&principal, (page - 1) * per_page, per_page).await?;
    Ok(HttpResponse::Ok().json(UserPage {
        data: users,
        total,
        page,
        per_page,
    }))
}

/// `GET /api/v1/users/{id}`.
pub async fn get(identity: Identity, principal: Principal, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(identity.user(&principal, id.into_inner()).await?))
}

/// `PUT`/`PATCH /api/v1/users/{id}`.
pub async fn update(
    identity: Identity,
    principal: Principal,
    id: web::Path<Uuid>,
    body: Json<UpdateUserRequest>,
) -> Result<HttpResponse, ApiError> {
    let update = body.into_inner().parse().map_err(ApiError::validation)?;
    Ok(HttpResponse::Ok().json(identity.update_user(&principal, id.into_inner(), update).await?))
}
