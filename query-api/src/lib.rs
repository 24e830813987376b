//! The read side over HTTP: every answer comes from a read model, never from the event store's
//! aggregates.

mod consistency;
mod lead_list_query;
mod leads;

use actix_web::web::{self, ServiceConfig};
use sqlx::PgPool;

/// Registers the query routes on `pool`'s read models.
pub fn configure(pool: PgPool) -> impl FnOnce(&mut ServiceConfig) {
    move |cfg: &mut ServiceConfig| {
        cfg.app_data(web::Data::new(pool))
            .route("/api/v1/leads", web::get().to(leads::list))
            .route("/api/v1/leads/{id}", web::get().to(leads::detail));
    }
}
