//! The statements one-row read models (calls, appointments) share: `$1` the row's id, `$2` its
//! version, `$3` the event's position, `$4` the event's time; each statement's own values follow.

use chrono::{DateTime, Utc};
use leadstream_domain::envelope::Envelope;
use sqlx::postgres::PgArguments;
use sqlx::Postgres;
use uuid::Uuid;

/// A query with `$1`–`$4` bound.
pub type Stamped<'q> = sqlx::query::Query<'q, Postgres, PgArguments>;

/// `sql` with the row id, the event's sequence as version, its position and `at` bound.
pub fn stamped<'q>(sql: &'q str, id: Uuid, envelope: &Envelope, at: DateTime<Utc>) -> Stamped<'q> {
    sqlx::query(sql)
        .bind(id)
        .bind(envelope.sequence)
        .bind(envelope.position)
        .bind(at)
}

/// `UPDATE <table> SET <set>` stamping time, version and position, for row `$1`.
pub fn update(table: &str, set: &str) -> String {
    format!("UPDATE {table} SET {set}, updated_at = $4, version = $2, last_position = $3 WHERE id = $1")
}
