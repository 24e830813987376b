use chrono::{DateTime, Duration, Utc};
use futures::future::BoxFuture;
use leadstream_domain::appointment::{
    Appointment, AppointmentAction, AppointmentCommand, AppointmentError, AppointmentEvent,
};
use leadstream_domain::lead::{LeadAction, LogActivity};
use leadstream_domain::values::{ActivityType, Metadata, PipelineStage};
use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::aggregate_store::{AggregateStore, ExecuteError, Executed};
use crate::lead_followups::LeadFollowUps;
use crate::CommandMetadata;

/// The stages a booking moves a lead on from: a lead already past `agendado` stays where it is.
const BEFORE_AGENDADO: [PipelineStage; 3] = [
    PipelineStage::Entrada,
    PipelineStage::Perfilamiento,
    PipelineStage::CalificacionFinanciera,
];

/// Why an appointment command was not carried out.
#[derive(Debug, thiserror::Error)]
pub enum AppointmentFailure {
    #[error("{0}")]
    Refused(AppointmentError),
    /// The agent already has a booking that overlaps this time.
    #[error("the agent is booked at that time")]
    DoubleBooked(Vec<Uuid>),
    #[error("appointment store: {0}")]
    Store(String),
}

impl From<ExecuteError<AppointmentError>> for AppointmentFailure {
    fn from(error: ExecuteError<AppointmentError>) -> Self {
        match error {
            ExecuteError::Refused(e) => Self::Refused(e),
            // The exclusion constraint on the agent's bookings: the command side's own check.
            ExecuteError::Companion(sqlx::Error::Database(e)) if e.code().as_deref() == Some("23P01") => {
                Self::DoubleBooked(vec![])
            }
            other => Self::Store(other.to_string()),
        }
    }
}

/// Runs appointment commands.
#[derive(Clone)]
pub struct AppointmentService {
    store: AggregateStore<Appointment>,
    followups: LeadFollowUps,
}

impl AppointmentService {
    /// A service over `pool`'s event store, bookings and reminders.
    pub fn new(pool: sqlx::PgPool, followups: LeadFollowUps) -> Self {
        Self {
            store: AggregateStore::new(pool, keep_bookings_and_reminders),
            followups,
        }
    }

    /// The pool the bookings and reminders live in.
    pub fn pool(&self) -> &sqlx::PgPool {
        self.store.pool()
    }

    /// The appointment as its events leave it.
    pub async fn load(&self, id: Uuid) -> Result<Appointment, AppointmentFailure> {
        self.store
            .load(id)
            .await
            .map(|(a, _)| a)
            .map_err(AppointmentFailure::Store)
    }

    /// The agent's open appointments that overlap `[starts_at, ends_at)`, other than `except`:
    /// the quick check before a booking. The read model finds them; the agent's bookings confirm
    /// each still holds that time, so a cancellation the read model has not seen yet frees it.
    pub async fn overlapping(
        &self,
        tenant: Uuid,
        agent: Uuid,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        except: Option<Uuid>,
    ) -> Result<Vec<Uuid>, AppointmentFailure> {
        sqlx::query_scalar(
            "SELECT a.id FROM appointments a
               JOIN agent_bookings b ON b.appointment_id = a.id AND b.during && tstzrange($3, $4, '[)')
              WHERE a.tenant_id = $1 AND a.agent_id = $2 AND a.status IN ('scheduled', 'confirmed')
                AND a.starts_at < $4 AND a.ends_at > $3 AND ($5::uuid IS NULL OR a.id <> $5)
              ORDER BY a.starts_at",
        )
        .bind(tenant)
        .bind(agent)
        .bind(starts_at)
        .bind(ends_at)
        .bind(except)
        .fetch_all(self.store.pool())
        .await
        .map_err(|e| AppointmentFailure::Store(e.to_string()))
    }

    /// Runs `action` on appointment `id`. A booking also moves its lead to `agendado` and
    /// logs it on the lead's timeline, where it counts as engagement.
    pub async fn execute(
        &self,
        id: Uuid,
        action: AppointmentAction,
        metadata: &CommandMetadata,
    ) -> Result<Executed<Appointment>, AppointmentFailure> {
        if let Some((agent, starts_at, ends_at)) = self.time_asked(id, &action).await? {
            let clashes = self
                .overlapping(metadata.tenant_id.0, agent, starts_at, ends_at, Some(id))
                .await?;
            if !clashes.is_empty() {
                return Err(AppointmentFailure::DoubleBooked(clashes));
            }
        }
        let command = AppointmentCommand {
            tenant_id: metadata.tenant_id,
            issued_at: metadata.issued_at,
            action,
        };
        let executed = self.store.execute(id, |a| a.decide(&command), metadata).await?;
        for event in &executed.events {
            if let AppointmentEvent::Scheduled(booked) = event {
                self.tell_the_lead(booked.lead_id, id, booked, metadata).await;
            }
        }
        Ok(executed)
    }

    /// The agent and the time a booking or a move asks for.
    async fn time_asked(
        &self,
        id: Uuid,
        action: &AppointmentAction,
    ) -> Result<Option<(Uuid, DateTime<Utc>, DateTime<Utc>)>, AppointmentFailure> {
        let (agent, starts_at, duration) = match action {
            AppointmentAction::Schedule(s) => (s.agent_id.0, s.starts_at, s.duration_minutes),
            AppointmentAction::Reschedule {
                starts_at,
                duration_minutes,
            } => {
                let current = self.load(id).await?;
                let Some(agent) = current.agent_id else { return Ok(None) };
                (
                    agent.0,
                    *starts_at,
                    duration_minutes.unwrap_or(current.duration_minutes),
                )
            }
            _ => return Ok(None),
        };
        Ok(Some((
            agent,
            starts_at,
            starts_at + Duration::minutes(i64::from(duration)),
        )))
    }

    async fn tell_the_lead(
        &self,
        lead_id: Uuid,
        appointment_id: Uuid,
        booked: &leadstream_domain::appointment::AppointmentScheduled,
        metadata: &CommandMetadata,
    ) {
        let lead = match self.followups.leads.load(lead_id).await {
            Ok(lead) => lead,
            Err(error) => return tracing::warn!(%error, %lead_id, "the booking was not told to its lead"),
        };
        let mut actions = vec![];
        if lead.pipeline_stage.is_some_and(|s| BEFORE_AGENDADO.contains(&s)) {
            actions.push(LeadAction::MoveToStage {
                stage: PipelineStage::Agendado,
            });
        }
        if let (Ok(activity_type), Ok(metadata_value)) = (
            ActivityType::parse("appointment_scheduled"),
            Metadata::parse(
                "metadata",
                json!({"appointment_id": appointment_id, "starts_at": booked.starts_at, "agent_id": booked.agent_id}),
            ),
        ) {
            actions.push(LeadAction::LogActivity(LogActivity {
                activity_type,
                description: None,
                metadata: metadata_value,
            }));
        }
        for action in actions {
            // The booking stands whatever the lead says; an erased lead keeps no timeline.
            if let Err(error) = self.followups.run(lead_id, action, metadata).await {
                tracing::warn!(%error, %lead_id, "the booking was not told to its lead");
            }
        }
    }
}

/// The agent's booked time (an exclusion constraint refuses overlaps) and the pending
/// reminders, as the appointment's new events leave them.
fn keep_bookings_and_reminders<'c>(
    conn: &'c mut PgConnection,
    id: Uuid,
    after: &'c Appointment,
    events: &'c [AppointmentEvent],
) -> BoxFuture<'c, Result<(), sqlx::Error>> {
    Box::pin(async move {
        for event in events {
            let (booked_at, closes) = match event {
                AppointmentEvent::Scheduled(e) => (Some(e.scheduled_at), false),
                AppointmentEvent::Rescheduled(e) => (Some(e.rescheduled_at), false),
                AppointmentEvent::Cancelled(_) | AppointmentEvent::Completed(_) | AppointmentEvent::NoShow(_) => {
                    (None, true)
                }
                _ => (None, false),
            };
            if let (Some(at), Some(starts_at), Some(ends_at), Some(agent)) =
                (booked_at, after.starts_at, after.ends_at(), after.agent_id)
            {
                sqlx::query(
                    "INSERT INTO agent_bookings (appointment_id, tenant_id, agent_id, during)
                     VALUES ($1, $2, $3, tstzrange($4, $5, '[)'))
                     ON CONFLICT (appointment_id) DO UPDATE SET during = EXCLUDED.during",
                )
                .bind(id)
                .bind(after.tenant_id.map(|t| t.0))
                .bind(agent.0)
                .bind(starts_at)
                .bind(ends_at)
                .execute(&mut *conn)
                .await?;
                // Reminders already past when booked are not sent late.
                let (minutes, due): (Vec<i32>, Vec<DateTime<Utc>>) = after
                    .reminders_minutes_before
                    .iter()
                    .map(|m| (*m as i32, starts_at - Duration::minutes(i64::from(*m))))
                    .filter(|(_, due)| *due > at)
                    .unzip();
                sqlx::query("DELETE FROM appointment_reminders WHERE appointment_id = $1 AND state = 'pending'")
                    .bind(id)
                    .execute(&mut *conn)
                    .await?;
                sqlx::query(
                    "INSERT INTO appointment_reminders (appointment_id, minutes_before, tenant_id, due_at)
                     SELECT $1, m, $2, d FROM unnest($3::int[], $4::timestamptz[]) AS r(m, d)
                     ON CONFLICT (appointment_id, minutes_before)
                     DO UPDATE SET due_at = EXCLUDED.due_at, state = 'pending', sent_at = NULL",
                )
                .bind(id)
                .bind(after.tenant_id.map(|t| t.0))
                .bind(&minutes)
                .bind(&due)
                .execute(&mut *conn)
                .await?;
            }
            if closes {
                sqlx::query(
                    "UPDATE appointment_reminders SET state = 'cancelled' WHERE appointment_id = $1 AND state = 'pending'",
                )
                .bind(id)
                .execute(&mut *conn)
                .await?;
            }
            if let AppointmentEvent::Cancelled(_) = event {
                sqlx::query("DELETE FROM agent_bookings WHERE appointment_id = $1")
                    .bind(id)
                    .execute(&mut *conn)
                    .await?;
            }
        }
        Ok(())
    })
}
