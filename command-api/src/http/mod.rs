//! HTTP routes of the write side.

mod command_response;
mod lead_requests;
mod leads;

use actix_web::web::{self, ServiceConfig};

use crate::LeadCommandService;

/// Registers the command routes. Routes are added per method so the query side can serve the
/// same paths' GETs in one app.
pub fn configure(service: LeadCommandService) -> impl FnOnce(&mut ServiceConfig) {
    move |cfg: &mut ServiceConfig| {
        cfg.app_data(web::Data::new(service))
            .route("/api/v1/leads", web::post().to(leads::create))
            .route("/api/v1/leads/{id}", web::patch().to(leads::update))
            .route("/api/v1/leads/{id}", web::put().to(leads::update))
            .route("/api/v1/leads/{id}", web::delete().to(leads::erase))
            .route("/api/v1/leads/{id}/assign", web::put().to(leads::assign))
            .route("/api/v1/leads/{id}/pipeline", web::put().to(leads::move_stage))
            .route("/api/v1/leads/{id}/status", web::put().to(leads::change_status))
            .route("/api/v1/leads/{id}/activities", web::post().to(leads::log_activity))
            .route("/api/v1/leads/{id}/notes", web::post().to(leads::add_note))
            .route("/api/v1/leads/{id}/tags", web::post().to(leads::add_tags));
    }
}
