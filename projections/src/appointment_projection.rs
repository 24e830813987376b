//! The `appointments` read model: one row per appointment, as its events leave it.

use leadstream_domain::appointment::AppointmentEvent;
use leadstream_domain::envelope::Envelope;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::checkpoints;
use crate::stamped::{stamped, update};

const TABLE: &str = "appointments";

/// The projection's name in checkpoints and offsets.
pub const NAME: &str = "appointments";

/// The aggregate type whose events this projection reads.
pub const AGGREGATE_TYPE: &str = "appointment";

/// Applies the appointment events of `batch` inside the caller's transaction; returns how many
/// were new.
pub async fn apply_batch(conn: &mut PgConnection, batch: &[Envelope]) -> Result<usize, sqlx::Error> {
    let fresh = checkpoints::fresh(conn, NAME, AGGREGATE_TYPE, batch).await?;
    for envelope in &fresh {
        match checkpoints::decode::<AppointmentEvent>(envelope) {
            Ok((id, event)) => apply(conn, id, envelope, event).await?,
            Err(reason) => tracing::error!(position = envelope.position, %reason, "skipping an appointment event"),
        }
    }
    checkpoints::advance(conn, NAME, &fresh).await?;
    Ok(fresh.len())
}

/// Every statement binds `$1` the appointment id, `$2` version, `$3` position, `$4` the event's time.
async fn apply(
    conn: &mut PgConnection,
    id: Uuid,
    envelope: &Envelope,
    event: AppointmentEvent,
) -> Result<(), sqlx::Error> {
    match event {
        AppointmentEvent::Scheduled(e) => {
            stamped(
                "INSERT INTO appointments (id, version, last_position, created_at, updated_at, tenant_id, lead_id,
                                           agent_id, starts_at, ends_at, duration_minutes, appointment_type, status,
                                           notes, location, reminders_minutes_before)
                 VALUES ($1, $2, $3, $4, $4, $5, $6, $7, $8, $9, $10, $11, 'scheduled', $12, $13, $14)
                 ON CONFLICT (id) DO NOTHING",
                id,
                envelope,
                e.scheduled_at,
            )
            .bind(e.tenant_id.0)
            .bind(e.lead_id)
            .bind(e.agent_id.0)
            .bind(e.starts_at)
            .bind(e.ends_at)
            .bind(e.duration_minutes as i32)
            .bind(&e.appointment_type)
            .bind(&e.notes)
            .bind(&e.location)
            .bind(e.reminders_minutes_before.iter().map(|m| *m as i32).collect::<Vec<_>>())
            .execute(conn)
            .await?;
        }
        AppointmentEvent::Rescheduled(e) => {
            let sql = update(
                TABLE,
                "starts_at = $5, ends_at = $6, duration_minutes = $7, status = 'scheduled'",
            );
            stamped(&sql, id, envelope, e.rescheduled_at)
                .bind(e.starts_at)
                .bind(e.ends_at)
                .bind(e.duration_minutes as i32)
                .execute(conn)
                .await?;
        }
        AppointmentEvent::Updated(e) => {
            let sql = update(
                TABLE,
                "appointment_type = COALESCE($5, appointment_type), notes = COALESCE($6, notes),
                 location = COALESCE($7, location)",
            );
            stamped(&sql, id, envelope, e.updated_at)
                .bind(&e.appointment_type)
                .bind(&e.notes)
                .bind(&e.location)
                .execute(conn)
                .await?;
        }
        AppointmentEvent::Confirmed(e) => {
            stamped(&update(TABLE, "status = 'confirmed'"), id, envelope, e.confirmed_at)
                .execute(conn)
                .await?;
        }
        AppointmentEvent::Completed(e) => {
            let sql = update(TABLE, "status = 'completed', notes = COALESCE($5, notes)");
            stamped(&sql, id, envelope, e.completed_at)
                .bind(&e.notes)
                .execute(conn)
                .await?;
        }
        AppointmentEvent::Cancelled(e) => {
            let sql = update(TABLE, "status = 'cancelled', cancel_reason = $5");
            stamped(&sql, id, envelope, e.cancelled_at)
                .bind(&e.reason)
                .execute(conn)
                .await?;
        }
        AppointmentEvent::NoShow(e) => {
            stamped(&update(TABLE, "status = 'no_show'"), id, envelope, e.recorded_at)
                .execute(conn)
                .await?;
        }
        AppointmentEvent::ReminderSent(e) => {
            stamped(
                &update(TABLE, "reminders_sent = reminders_sent + 1"),
                id,
                envelope,
                e.sent_at,
            )
            .execute(conn)
            .await?;
        }
    }
    Ok(())
}
