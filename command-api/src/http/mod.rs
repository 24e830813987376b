//! HTTP routes of the write side, and of identity.

mod api_keys;
mod auth;
mod command_response;
mod identity_requests;
mod lead_requests;
mod leads;
mod users;

use actix_web::web::{self, ServiceConfig};
use leadstream_api_conventions::{register_routes, ApiRoute};

use crate::identity::IdentityService;
use crate::LeadCommandService;

/// Every route the command side serves.
pub fn routes() -> Vec<ApiRoute> {
    vec![
        ApiRoute::post("/api/v1/auth/register", auth::register),
        ApiRoute::post("/api/v1/auth/login", auth::login),
        ApiRoute::get("/api/v1/auth/me", auth::me),
        ApiRoute::post("/api/v1/auth/forgot-password", auth::forgot_password),
        ApiRoute::post("/api/v1/auth/reset-password", auth::reset_password),
        ApiRoute::post("/api/v1/users", users::create),
        ApiRoute::get("/api/v1/users", users::list),
        ApiRoute::get("/api/v1/users/{id}", users::get),
        ApiRoute::put("/api/v1/users/{id}", users::update),
        ApiRoute::patch("/api/v1/users/{id}", users::update),
        ApiRoute::post("/api/v1/api-keys", api_keys::create),
        ApiRoute::get("/api/v1/api-keys", api_keys::list),
        ApiRoute::delete("/api/v1/api-keys/{id}", api_keys::revoke),
        ApiRoute::post("/api/v1/leads", leads::create),
        ApiRoute::patch("/api/v1/leads/{id}", leads::update),
        ApiRoute::put("/api/v1/leads/{id}", leads::update),
        ApiRoute::delete("/api/v1/leads/{id}", leads::erase),
        ApiRoute::put("/api/v1/leads/{id}/assign", leads::assign),
        ApiRoute::put("/api/v1/leads/{id}/pipeline", leads::move_stage),
        ApiRoute::put("/api/v1/leads/{id}/status", leads::change_status),
        ApiRoute::post("/api/v1/leads/{id}/activities", leads::log_activity),
        ApiRoute::post("/api/v1/leads/{id}/notes", leads::add_note),
        ApiRoute::post("/api/v1/leads/{id}/tags", leads::add_tags),
    ]
}

/// Registers the command and identity routes with their services.
pub fn configure(service: LeadCommandService, identity: IdentityService) -> impl FnOnce(&mut ServiceConfig) {
    move |cfg: &mut ServiceConfig| {
        cfg.app_data(web::Data::new(service)).app_data(web::Data::new(identity));
        register_routes(cfg, routes());
    }
}
