//! The `leads` read model: one row per lead plus its activity timeline.
//!
//! Events arrive in batches (from Kafka, or from the event store when rebuilding); each new one
//! is applied with one statement, inside the caller's transaction, past the checkpoints.

use chrono::{DateTime, Utc};
use leadstream_domain::envelope::Envelope;
use leadstream_domain::lead::{LeadChanges, LeadEvent};
use leadstream_domain::values::{PersonName, ShortText, TenantId};
use serde_json::{json, Value};
use sqlx::{PgConnection, Postgres};
use uuid::Uuid;

use crate::checkpoints;

/// The projection's name in `projection_checkpoints`.
pub const NAME: &str = "leads";

/// The aggregate type whose events this projection reads.
pub const AGGREGATE_TYPE: &str = "lead";

/// Applies the lead events of `batch` in order inside the caller's transaction and returns how
/// many were new. Events that cannot be decoded are logged and skipped: retrying cannot help.
pub async fn apply_batch(conn: &mut PgConnection, batch: &[Envelope]) -> Result<usize, sqlx::Error> {
    let fresh = checkpoints::fresh(conn, NAME, AGGREGATE_TYPE, batch).await?;
    for envelope in &fresh {
        match checkpoints::decode::<LeadEvent>(envelope) {
            Ok((lead_id, event)) => apply(conn, lead_id, envelope, event).await?,
            Err(reason) => {
                tracing::error!(position = envelope.position, %reason, "skipping an event the projection cannot apply")
            }
        }
    }
    checkpoints::advance(conn, NAME, &fresh).await?;
    Ok(fresh.len())
}

/// An entry for the lead's timeline.
struct Activity {
    kind: String,
    description: Option<String>,
    metadata: Value,
}

impl Activity {
    fn new(kind: &str, description: impl Into<Option<String>>, metadata: Value) -> Self {
        Self {
            kind: kind.to_string(),
            description: description.into(),
            metadata,
        }
    }
}

/// Applies one new event with one statement.
async fn apply(
    conn: &mut PgConnection,
    lead_id: Uuid,
    envelope: &Envelope,
    event: LeadEvent,
) -> Result<(), sqlx::Error> {
    let tenant = event.tenant_id();
    let row = Row {
        lead_id,
        tenant,
        sequence: envelope.sequence,
        position: envelope.position,
    };
    match event {
        LeadEvent::Created(e) => {
            let activity = Activity::new(
                "lead_created",
                format!("lead created from {}", e.source.as_str()),
                json!({}),
            );
            let sql = row.with_activity(
                "INSERT INTO leads (id, tenant_id, name, first_name, last_name, email, phone, company, title, industry,
                                    source, message, notes, tags, metadata, status, pipeline_stage, score,
                                    created_at, updated_at, version, last_position)
                 VALUES ($1, $2, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24,
                         $5, $5, $3, $4)
                 ON CONFLICT (id) DO NOTHING",
            );
            row.query(&sql, e.created_at, &activity)
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
                .execute(conn)
                .await?;
        }
        LeadEvent::Updated(e) => row.update(conn, &e.changes, e.updated_at).await?,
        LeadEvent::Erased(_) => {
            // Personal data leaves every read model (the lead's calls hold its voice, its
            // appointments its plans); the checkpoint stays, so replays stay no-ops.
            sqlx::query(
                "WITH timeline AS (DELETE FROM lead_activities WHERE lead_id = $1),
                      calls AS (DELETE FROM calls WHERE lead_id = $1),
                      appointments AS (DELETE FROM appointments WHERE lead_id = $1)
                 DELETE FROM leads WHERE id = $1",
            )
            .bind(lead_id)
            .execute(conn)
            .await?;
        }
        LeadEvent::Assigned(e) => {
            let activity = Activity::new(
                "assigned",
                format!("assigned to agent {}", e.agent_id),
                json!({ "agent_id": e.agent_id }),
            );
            row.set(conn, "assigned_to = $9", e.agent_id.0, e.assigned_at, activity)
                .await?;
        }
        LeadEvent::StageChanged(e) => {
            let activity = Activity::new(
                "stage_changed",
                format!("moved from {} to {}", e.from, e.to),
                json!({ "from": e.from, "to": e.to }),
            );
            row.set(conn, "pipeline_stage = $9", e.to.as_str(), e.changed_at, activity)
                .await?;
        }
        LeadEvent::StatusChanged(e) => {
            let description = match &e.reason {
                Some(reason) => format!("status {} → {}: {}", e.from, e.to, reason.as_str()),
                None => format!("status {} → {}", e.from, e.to),
            };
            let activity = Activity::new("status_changed", description, json!({ "from": e.from, "to": e.to }));
            row.set(conn, "status = $9", e.to.as_str(), e.changed_at, activity)
                .await?;
        }
        LeadEvent::ActivityLogged(e) => {
            let description = e.description.as_ref().map(|d| d.as_str().to_string());
            let activity = Activity::new(e.activity_type.as_str(), description, json!(e.metadata));
            row.set(
                conn,
                "activity_count = activity_count + $9",
                1_i32,
                e.occurred_at,
                activity,
            )
            .await?;
        }
        LeadEvent::NoteAdded(e) => {
            let activity = Activity::new("note", e.note.as_str().to_string(), json!({}));
            row.touch(conn, e.added_at, activity).await?;
        }
        LeadEvent::Scored(e) => {
            // No timeline entry: a rescore is bookkeeping; a move across tiers gets one below.
            sqlx::query(
                "UPDATE leads SET score = $2, tier = $3, qualification = $4, updated_at = $5, version = $6,
                        last_position = $7
                  WHERE id = $1",
            )
            .bind(lead_id)
            .bind(e.card.overall_score)
            .bind(e.card.tier.as_str())
            .bind(json!(e.card))
            .bind(e.scored_at)
            .bind(envelope.sequence)
            .bind(envelope.position)
            .execute(conn)
            .await?;
        }
        LeadEvent::ScoreChanged(e) => {
            let activity = Activity::new(
                "tier_changed",
                format!(
                    "{} → {} ({} → {})",
                    e.from_tier.as_str(),
                    e.to_tier.as_str(),
                    e.from_score,
                    e.to_score
                ),
                json!({ "from": e.from_tier, "to": e.to_tier, "from_score": e.from_score, "to_score": e.to_score }),
            );
            row.touch(conn, e.changed_at, activity).await?;
        }
        LeadEvent::Enriched(e) => {
            let activity = Activity::new(
                "enriched",
                format!("enriched by {}", e.enrichment.provider),
                json!(e.enrichment),
            );
            row.set(conn, "enrichment = $9", json!(e.enrichment), e.enriched_at, activity)
                .await?;
        }
        LeadEvent::Qualified(e) => {
            let activity = Activity::new(
                "qualified",
                format!("qualified {} ({})", e.tier.as_str(), e.overall_score),
                json!({ "criteria": e.criteria, "tier": e.tier, "overall_score": e.overall_score }),
            );
            row.set(conn, "criteria = $9", json!(e.criteria), e.qualified_at, activity)
                .await?;
        }
        LeadEvent::Routed(e) => {
            let activity = Activity::new(
                "routed",
                format!("sent to {} as {}", e.route.crm, e.route.external_id),
                json!(e.route),
            );
            row.touch(conn, e.routed_at, activity).await?;
        }
        LeadEvent::MessageSent(e) => {
            let m = &e.message;
            let mut metadata = json!(m);
            metadata["status"] = json!("sent");
            let activity = Activity::new(
                m.channel.activity_type(),
                format!("{} to {}", m.channel.as_str(), m.to),
                metadata,
            );
            row.touch(conn, e.sent_at, activity).await?;
        }
        LeadEvent::MessageReceived(e) => {
            let m = &e.message;
            let activity = Activity::new(
                &format!("{}_received", m.channel),
                format!("{} from {}", m.channel, m.from),
                json!(m),
            );
            row.touch(conn, e.received_at, activity).await?;
        }
        LeadEvent::TagsAdded(e) => {
            let tags: Vec<String> = e.tags.iter().map(|t| t.as_str().to_string()).collect();
            let activity = Activity::new(
                "tags_added",
                format!("tagged {}", tags.join(", ")),
                json!({ "tags": tags }),
            );
            row.set(
                conn,
                "tags = ARRAY(SELECT DISTINCT unnest(tags || $9::text[]) ORDER BY 1)",
                tags,
                e.added_at,
                activity,
            )
            .await?;
        }
    }
    Ok(())
}

/// The lead row an event changes. Every statement binds `$1` lead id, `$2` tenant, `$3`
/// sequence, `$4` position, `$5` the event's time, `$6`–`$8` the timeline entry's kind,
/// description and metadata; statement-specific values follow from `$9`.
struct Row {
    lead_id: Uuid,
    tenant: TenantId,
    sequence: i64,
    position: i64,
}

type Query<'q> = sqlx::query::Query<'q, Postgres, sqlx::postgres::PgArguments>;

impl Row {
    /// `change` (a statement on `leads` using `$1`–`$5`, and `$9`…) followed, in the same
    /// statement, by the timeline entry for this event when the lead row exists.
    fn with_activity(&self, change: &str) -> String {
        format!(
            "WITH changed AS ({change} RETURNING id)
             INSERT INTO lead_activities (lead_id, sequence, tenant_id, activity_type, description, metadata, occurred_at)
             SELECT id, $3, $2, $6, $7, $8, $5 FROM changed
             ON CONFLICT (lead_id, sequence) DO NOTHING"
        )
    }

    /// The statement `sql` with `$1`–`$8` bound.
    fn query<'q>(&self, sql: &'q str, at: DateTime<Utc>, activity: &Activity) -> Query<'q> {
        sqlx::query(sql)
            .bind(self.lead_id)
            .bind(self.tenant.0)
            .bind(self.sequence)
            .bind(self.position)
            .bind(at)
            .bind(activity.kind.clone())
            .bind(activity.description.clone())
            .bind(activity.metadata.clone())
    }

    /// Stamps time, version and position on the lead and adds the timeline entry.
    async fn touch(&self, conn: &mut PgConnection, at: DateTime<Utc>, activity: Activity) -> Result<(), sqlx::Error> {
        let sql =
            self.with_activity("UPDATE leads SET updated_at = $5, version = $3, last_position = $4 WHERE id = $1");
        self.query(&sql, at, &activity).execute(conn).await?;
        Ok(())
    }

    /// `UPDATE leads SET <assignment>` with `$9` bound to `value`, stamping time, version and
    /// position, and the timeline entry, in one statement.
    async fn set<T>(
        &self,
        conn: &mut PgConnection,
        assignment: &str,
        value: T,
        at: DateTime<Utc>,
        activity: Activity,
    ) -> Result<(), sqlx::Error>
    where
        T: for<'q> sqlx::Encode<'q, Postgres> + sqlx::Type<Postgres> + Send,
    {
        let sql = self.with_activity(&format!(
            "UPDATE leads SET {assignment}, updated_at = $5, version = $3, last_position = $4 WHERE id = $1"
        ));
        self.query(&sql, at, &activity).bind(value).execute(conn).await?;
        Ok(())
    }

    async fn update(&self, conn: &mut PgConnection, c: &LeadChanges, at: DateTime<Utc>) -> Result<(), sqlx::Error> {
        let fields: Vec<String> = match serde_json::to_value(c) {
            Ok(Value::Object(map)) => map.into_iter().map(|(k, _)| k).collect(),
            _ => vec![],
        };
        let activity = Activity::new(
            "lead_updated",
            format!("updated {}", fields.join(", ")),
            json!({ "fields": fields }),
        );
        let sql = self.with_activity(
            "UPDATE leads SET
                name = COALESCE($9, name), first_name = COALESCE($10, first_name),
                last_name = COALESCE($11, last_name), email = COALESCE($12, email), phone = COALESCE($13, phone),
                company = COALESCE($14, company), title = COALESCE($15, title), industry = COALESCE($16, industry),
                source = COALESCE($17, source), message = COALESCE($18, message), notes = COALESCE($19, notes),
                tags = COALESCE($20, tags), metadata = COALESCE($21, metadata), score = COALESCE($22, score),
                updated_at = $5, version = $3, last_position = $4
              WHERE id = $1",
        );
        self.query(&sql, at, &activity)
            .bind(c.name.as_ref().map(PersonName::as_str))
            .bind(c.first_name.as_ref().map(PersonName::as_str))
            .bind(c.last_name.as_ref().map(PersonName::as_str))
            .bind(c.email.as_ref().map(|v| v.as_str()))
            .bind(c.phone.as_ref().map(|v| v.as_str()))
            .bind(c.company.as_ref().map(ShortText::as_str))
            .bind(c.title.as_ref().map(ShortText::as_str))
            .bind(c.industry.as_ref().map(ShortText::as_str))
            .bind(c.source.as_ref().map(|v| v.as_str()))
            .bind(c.message.as_ref().map(|v| v.as_str()))
            .bind(c.notes.as_ref().map(|v| v.as_str()))
            .bind(
                c.tags
                    .as_ref()
                    .map(|t| t.iter().map(|t| t.as_str().to_string()).collect::<Vec<_>>()),
            )
            .bind(c.metadata.as_ref().map(|m| json!(m)))
            .bind(c.score.map(|s| s.value()))
            .execute(conn)
            .await?;
        Ok(())
    }
}
