//! The `leads` read model: one row per lead plus its activity timeline.

use chrono::{DateTime, Utc};
use leadstream_domain::envelope::Envelope;
use leadstream_domain::lead::{LeadChanges, LeadEvent};
use leadstream_domain::values::{PersonName, ShortText};
use serde_json::{json, Value};
use sqlx::PgConnection;
use uuid::Uuid;

/// The projection's name in `projection_checkpoints`.
pub const NAME: &str = "leads";

/// The channel on which projections announce committed progress.
pub const PROGRESS_CHANNEL: &str = "leadstream_projection";

/// The aggregate type whose events this projection reads.
pub const AGGREGATE_TYPE: &str = "lead";

/// Why an event could not be applied.
#[derive(Debug)]
pub enum ApplyError {
    /// The event can never be applied (undecodable); retrying will not help.
    Poison(String),
    /// The database failed; the batch should be retried.
    Database(sqlx::Error),
}

impl std::fmt::Display for ApplyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Poison(e) => write!(f, "unapplicable event: {e}"),
            Self::Database(e) => write!(f, "database: {e}"),
        }
    }
}

impl std::error::Error for ApplyError {}

impl From<sqlx::Error> for ApplyError {
    fn from(e: sqlx::Error) -> Self {
        Self::Database(e)
    }
}

/// Applies one event inside the caller's transaction. An event at or below the lead's
/// checkpoint was applied before and changes nothing; returns whether it was applied now.
pub async fn apply(conn: &mut PgConnection, envelope: &Envelope) -> Result<bool, ApplyError> {
    if envelope.aggregate_type != AGGREGATE_TYPE {
        return Ok(false);
    }
    let lead_id = Uuid::parse_str(&envelope.aggregate_id).map_err(|e| ApplyError::Poison(e.to_string()))?;
    let event: LeadEvent = envelope
        .decode()
        .map_err(|e| ApplyError::Poison(format!("{}: {e}", envelope.event_type)))?;
    let advanced = sqlx::query(
        "INSERT INTO projection_checkpoints (projection, aggregate_id, last_sequence, last_position)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (projection, aggregate_id) DO UPDATE
            SET last_sequence = EXCLUDED.last_sequence, last_position = EXCLUDED.last_position
          WHERE projection_checkpoints.last_sequence < EXCLUDED.last_sequence",
    )
    .bind(NAME)
    .bind(&envelope.aggregate_id)
    .bind(envelope.sequence)
    .bind(envelope.position)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if advanced == 0 {
        return Ok(false);
    }
    let mut row = Row {
        conn,
        lead_id,
        envelope,
    };
    match event {
        LeadEvent::Created(e) => {
            sqlx::query(
                "INSERT INTO leads (id, tenant_id, name, first_name, last_name, email, phone, company, title,
                                    industry, source, message, notes, tags, metadata, status, pipeline_stage,
                                    score, created_at, updated_at, version, last_position)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $19, $20, $21)
                 ON CONFLICT (id) DO NOTHING",
            )
            .bind(lead_id)
            .bind(e.tenant_id.0)
            .bind(e.name.as_ref().map(PersonName::as_str))
            .bind(e.first_name.as_ref().map(PersonName::as_str))
            .bind(e.last_name.as_ref().map(PersonName::as_str))
            .bind(e.email.as_ref().map(|v| v.as_str()))
            .bind(e.phone.as_ref().map(|v| v.as_str()))
            .bind(e.company.as_ref().map(ShortText::as_str))
            .bind(e.title.as_ref().map(ShortText::as_str))
            .bind(e.industry.as_ref().map(ShortText::as_str))
            .bind(e.source.as_str())
            .bind(e.message.as_ref().map(|v| v.as_str()))
            .bind(e.notes.as_ref().map(|v| v.as_str()))
            .bind(e.tags.iter().map(|t| t.as_str().to_string()).collect::<Vec<_>>())
            .bind(json!(e.metadata))
            .bind(e.status.as_str())
            .bind(e.pipeline_stage.as_str())
            .bind(e.score.map(|s| s.value()))
            .bind(e.created_at)
            .bind(envelope.sequence)
            .bind(envelope.position)
            .execute(&mut *row.conn)
            .await?;
            let description = format!("lead created from {}", e.source.as_str());
            row.log("lead_created", Some(description), json!({}), e.created_at)
                .await?;
        }
        LeadEvent::Updated(e) => row.update(&e.changes, e.updated_at).await?,
        LeadEvent::Erased(_) => {
            // Personal data leaves the read model; the checkpoint stays so replays stay no-ops.
            sqlx::query("DELETE FROM lead_activities WHERE lead_id = $1")
                .bind(lead_id)
                .execute(&mut *row.conn)
                .await?;
            sqlx::query("DELETE FROM leads WHERE id = $1")
                .bind(lead_id)
                .execute(&mut *row.conn)
                .await?;
        }
        LeadEvent::Assigned(e) => {
            row.set("assigned_to = $5", e.agent_id.0, e.assigned_at).await?;
            let description = format!("assigned to agent {}", e.agent_id);
            row.log(
                "assigned",
                Some(description),
                json!({ "agent_id": e.agent_id }),
                e.assigned_at,
            )
            .await?;
        }
        LeadEvent::StageChanged(e) => {
            row.set("pipeline_stage = $5", e.to.as_str(), e.changed_at).await?;
            let description = format!("moved from {} to {}", e.from, e.to);
            let meta = json!({ "from": e.from, "to": e.to });
            row.log("stage_changed", Some(description), meta, e.changed_at).await?;
        }
        LeadEvent::StatusChanged(e) => {
            row.set("status = $5", e.to.as_str(), e.changed_at).await?;
            let description = match &e.reason {
                Some(reason) => format!("status {} → {}: {}", e.from, e.to, reason.as_str()),
                None => format!("status {} → {}", e.from, e.to),
            };
            let meta = json!({ "from": e.from, "to": e.to });
            row.log("status_changed", Some(description), meta, e.changed_at).await?;
        }
        LeadEvent::ActivityLogged(e) => {
            row.touch("activity_count = activity_count + 1", e.occurred_at).await?;
            let description = e.description.as_ref().map(|d| d.as_str().to_string());
            row.log(e.activity_type.as_str(), description, json!(e.metadata), e.occurred_at)
                .await?;
        }
        LeadEvent::NoteAdded(e) => {
            row.touch("notes = notes", e.added_at).await?;
            row.log("note", Some(e.note.as_str().to_string()), json!({}), e.added_at)
                .await?;
        }
        LeadEvent::TagsAdded(e) => {
            let tags: Vec<String> = e.tags.iter().map(|t| t.as_str().to_string()).collect();
            row.set(
                "tags = ARRAY(SELECT DISTINCT unnest(tags || $5::text[]) ORDER BY 1)",
                tags,
                e.added_at,
            )
            .await?;
        }
    }
    Ok(true)
}

/// The lead row an event touches, with the event that touches it.
struct Row<'a> {
    conn: &'a mut PgConnection,
    lead_id: Uuid,
    envelope: &'a Envelope,
}

impl Row<'_> {
    /// Runs `UPDATE leads SET <assignments>` for this lead, stamping time, version and position.
    async fn touch(&mut self, assignments: &str, at: DateTime<Utc>) -> Result<(), sqlx::Error> {
        self.update_with(assignments, at, None::<&str>).await
    }

    /// Like [`Row::touch`], with `$5` in `assignment` bound to `value`.
    async fn set<T>(&mut self, assignment: &str, value: T, at: DateTime<Utc>) -> Result<(), sqlx::Error>
    where
        T: for<'q> sqlx::Encode<'q, sqlx::Postgres> + sqlx::Type<sqlx::Postgres> + Send,
    {
        self.update_with(assignment, at, Some(value)).await
    }

    async fn update_with<T>(
        &mut self,
        assignments: &str,
        at: DateTime<Utc>,
        value: Option<T>,
    ) -> Result<(), sqlx::Error>
    where
        T: for<'q> sqlx::Encode<'q, sqlx::Postgres> + sqlx::Type<sqlx::Postgres> + Send,
    {
        let sql =
            format!("UPDATE leads SET {assignments}, updated_at = $2, version = $3, last_position = $4 WHERE id = $1");
        let mut query = sqlx::query(&sql)
            .bind(self.lead_id)
            .bind(at)
            .bind(self.envelope.sequence)
            .bind(self.envelope.position);
        if let Some(value) = value {
            query = query.bind(value);
        }
        query.execute(&mut *self.conn).await?;
        Ok(())
    }

    async fn update(&mut self, c: &LeadChanges, at: DateTime<Utc>) -> Result<(), sqlx::Error> {
        let text = |v: Option<&str>| v.map(str::to_owned);
        sqlx::query(
            "UPDATE leads SET
                name = COALESCE($2, name), first_name = COALESCE($3, first_name),
                last_name = COALESCE($4, last_name), email = COALESCE($5, email), phone = COALESCE($6, phone),
                company = COALESCE($7, company), title = COALESCE($8, title), industry = COALESCE($9, industry),
                source = COALESCE($10, source), message = COALESCE($11, message), notes = COALESCE($12, notes),
                tags = COALESCE($13, tags), metadata = COALESCE($14, metadata), score = COALESCE($15, score),
                updated_at = $16, version = $17, last_position = $18
              WHERE id = $1",
        )
        .bind(self.lead_id)
        .bind(text(c.name.as_ref().map(PersonName::as_str)))
        .bind(text(c.first_name.as_ref().map(PersonName::as_str)))
        .bind(text(c.last_name.as_ref().map(PersonName::as_str)))
        .bind(text(c.email.as_ref().map(|v| v.as_str())))
        .bind(text(c.phone.as_ref().map(|v| v.as_str())))
        .bind(text(c.company.as_ref().map(ShortText::as_str)))
        .bind(text(c.title.as_ref().map(ShortText::as_str)))
        .bind(text(c.industry.as_ref().map(ShortText::as_str)))
        .bind(text(c.source.as_ref().map(|v| v.as_str())))
        .bind(text(c.message.as_ref().map(|v| v.as_str())))
        .bind(text(c.notes.as_ref().map(|v| v.as_str())))
        .bind(
            c.tags
                .as_ref()
                .map(|t| t.iter().map(|t| t.as_str().to_string()).collect::<Vec<_>>()),
        )
        .bind(c.metadata.as_ref().map(|m| json!(m)))
        .bind(c.score.map(|s| s.value()))
        .bind(at)
        .bind(self.envelope.sequence)
        .bind(self.envelope.position)
        .execute(&mut *self.conn)
        .await?;
        let fields: Vec<String> = match serde_json::to_value(c) {
            Ok(Value::Object(map)) => map.into_iter().map(|(k, _)| k).collect(),
            _ => vec![],
        };
        let description = format!("updated {}", fields.join(", "));
        self.log("lead_updated", Some(description), json!({ "fields": fields }), at)
            .await
    }

    /// Adds this event to the lead's timeline.
    async fn log(
        &mut self,
        activity_type: &str,
        description: Option<String>,
        metadata: Value,
        at: DateTime<Utc>,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO lead_activities (lead_id, sequence, tenant_id, activity_type, description, metadata, occurred_at)
             SELECT $1, $2, tenant_id, $3, $4, $5, $6 FROM leads WHERE id = $1
             ON CONFLICT (lead_id, sequence) DO NOTHING",
        )
        .bind(self.lead_id)
        .bind(self.envelope.sequence)
        .bind(activity_type)
        .bind(description)
        .bind(metadata)
        .bind(at)
        .execute(&mut *self.conn)
        .await?;
        Ok(())
    }
}
