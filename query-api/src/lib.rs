//! The read side over HTTP: every answer comes from a read model, never from the event store's
//! aggregates.

mod appointments;
mod calls;
mod consistency;
mod lead_export;
mod lead_list_query;
mod leads;
mod messages;
mod paging;
mod projection_progress;

use actix_web::web::{self, ServiceConfig};
use leadstream_api_conventions::{register_routes, ApiRoute, Waiter};
use sqlx::PgPool;
use std::sync::Arc;

use consistency::{APPOINTMENTS, CALLS, LEADS};

pub use projection_progress::ProjectionProgress;

/// Every route the query side serves.
pub fn routes() -> Vec<ApiRoute> {
    vec![
        ApiRoute::get("/api/v1/leads", leads::list)
            .summary("List leads with filters and page or cursor pagination; `min_position` reads your writes")
            .query::<lead_list_query::ListLeadsParams>()
            .answers::<leads::LeadPage>(200)
            .reads(&[LEADS])
            .checks_query_first(lead_list_query::check_query),
        // Before `/leads/{id}`, which would take `export` for an id.
        ApiRoute::get("/api/v1/leads/export", lead_export::export)
            .summary("Every lead the list's filters select, streamed as CSV (`format=csv`)")
            .query::<lead_list_query::ListLeadsParams>()
            .answers_media("text/csv")
            .reads(&[LEADS])
            .checks_query_first(lead_export::check_query),
        ApiRoute::get("/api/v1/leads/{id}", leads::detail)
            .summary("One lead with its last 10 activities")
            .answers::<leads::LeadDetail>(200)
            .reads(&[LEADS]),
        ApiRoute::get("/api/v1/sms", messages::list_sms)
            .summary("SMS sent to the tenant's leads, newest first (filter `lead_id`)")
            .query::<messages::MessageListParams>()
            .answers::<messages::MessagePage>(200)
            .reads(&[LEADS]),
        ApiRoute::get("/api/v1/emails", messages::list_emails)
            .summary("E-mails sent to the tenant's leads, newest first (filter `lead_id`)")
            .query::<messages::MessageListParams>()
            .answers::<messages::MessagePage>(200)
            .reads(&[LEADS]),
        ApiRoute::get("/api/v1/calls", calls::list)
            .summary("The tenant's calls, newest first (filters `lead_id`, `status`)")
            .query::<calls::CallListParams>()
            .answers::<calls::CallPage>(200)
            .reads(&[CALLS]),
        ApiRoute::get("/api/v1/calls/{id}", calls::detail)
            .summary("One call with its transcript, summary and analytics")
            .answers::<calls::CallDetail>(200)
            .reads(&[CALLS]),
        ApiRoute::get("/api/v1/appointments", appointments::list)
            .summary("The tenant's appointments, soonest first (filters `lead_id`, `agent_id`, `status`, `date_from`, `date_to`)")
            .query::<appointments::AppointmentListParams>()
            .answers::<appointments::AppointmentPage>(200)
            .reads(&[APPOINTMENTS]),
        // Before `/appointments/{id}`, which would take `available-slots` for an id.
        ApiRoute::get("/api/v1/appointments/available-slots", appointments::available_slots_for)
            .summary("Free slots within the tenant's business hours and time zone, avoiding the agent's bookings")
            .query::<appointments::SlotParams>()
            .answers::<appointments::SlotList>(200)
            .reads(&[APPOINTMENTS]),
        ApiRoute::get("/api/v1/appointments/{id}", appointments::detail)
            .summary("One appointment")
            .answers::<appointments::AppointmentRow>(200)
            .reads(&[APPOINTMENTS]),
    ]
}

/// Registers the query routes on `pool`'s read models; `progress` wakes read-your-writes waits.
pub fn configure(pool: PgPool, progress: ProjectionProgress) -> impl FnOnce(&mut ServiceConfig) {
    move |cfg: &mut ServiceConfig| {
        let waiter = Waiter(Arc::new(consistency::ProjectionWaiter::new(pool.clone(), progress)));
        cfg.app_data(web::Data::new(pool)).app_data(web::Data::new(waiter));
        register_routes(cfg, routes());
    }
}
