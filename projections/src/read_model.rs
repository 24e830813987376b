//! The read models the projection workers keep, each fed by one aggregate type's topic.

use leadstream_domain::envelope::Envelope;
use sqlx::PgConnection;

use crate::{appointment_projection, call_projection, lead_projection};

/// The channel on which projections announce committed progress.
pub const PROGRESS_CHANNEL: &str = "leadstream_projection";

/// One read model and the events it is built from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadModel {
    Leads,
    Calls,
    Appointments,
}

impl ReadModel {
    /// Every read model, in the order a rebuild empties and refills them.
    pub const ALL: [ReadModel; 3] = [ReadModel::Leads, ReadModel::Calls, ReadModel::Appointments];

    /// The projection's name in checkpoints, offsets and consumer groups.
    pub fn name(self) -> &'static str {
        match self {
            Self::Leads => lead_projection::NAME,
            Self::Calls => call_projection::NAME,
            Self::Appointments => appointment_projection::NAME,
        }
    }

    /// The aggregate type (and topic suffix) it reads.
    pub fn aggregate_type(self) -> &'static str {
        match self {
            Self::Leads => lead_projection::AGGREGATE_TYPE,
            Self::Calls => call_projection::AGGREGATE_TYPE,
            Self::Appointments => appointment_projection::AGGREGATE_TYPE,
        }
    }

    /// The tables it writes, children first.
    pub fn tables(self) -> &'static [&'static str] {
        match self {
            Self::Leads => &["lead_activities", "leads"],
            Self::Calls => &["calls"],
            Self::Appointments => &["appointments"],
        }
    }

    /// Applies what is new in `batch` for this read model; returns how many events that was.
    pub async fn apply_batch(self, conn: &mut PgConnection, batch: &[Envelope]) -> Result<usize, sqlx::Error> {
        match self {
            Self::Leads => lead_projection::apply_batch(conn, batch).await,
            Self::Calls => call_projection::apply_batch(conn, batch).await,
            Self::Appointments => appointment_projection::apply_batch(conn, batch).await,
        }
    }
}

/// Tells queries waiting for read-your-writes that a batch reaching up to `max_position` was
/// applied, so only waiters for positions up to it need to look again. PostgreSQL delivers the
/// notification when the caller's transaction commits.
pub async fn announce_progress(conn: &mut PgConnection, max_position: i64) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(PROGRESS_CHANNEL)
        .bind(max_position.to_string())
        .execute(conn)
        .await?;
    Ok(())
}
