//! The lead list's filters and pagination, parsed once and turned into SQL.

use chrono::{DateTime, NaiveDate, Utc};
use leadstream_domain::lead::LeadAccess;
use leadstream_domain::scoring::Tier;
use leadstream_domain::values::{LeadSource, LeadStatus, PipelineStage, TenantId};
use leadstream_domain::{FieldError, ValidationErrors};
use serde::Deserialize;
use sqlx::{Postgres, QueryBuilder};
use uuid::Uuid;

/// Default and largest page sizes.
pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 200;
const MAX_SEARCH_CHARS: usize = 100;
/// The furthest offset: where the last page of the largest size starts.
const MAX_SKIP: u64 = (crate::paging::MAX_PAGE as u64 - 1) * MAX_LIMIT as u64;

/// `GET /api/v1/leads` query parameters as sent; both the seeds' spellings are accepted.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct ListLeadsParams {
    #[schema(schema_with = leadstream_api_conventions::field_schema::lead_status)]
    status: Option<String>,
    /// `hot`, `warm` or `cold` (any case).
    #[serde(alias = "temperature")]
    #[schema(schema_with = leadstream_api_conventions::field_schema::tier)]
    tier: Option<String>,
    #[serde(alias = "stage")]
    #[schema(schema_with = leadstream_api_conventions::field_schema::pipeline_stage)]
    pipeline_stage: Option<String>,
    #[schema(schema_with = leadstream_api_conventions::field_schema::slug)]
    source: Option<String>,
    #[schema(schema_with = leadstream_api_conventions::field_schema::id)]
    assigned_to: Option<String>,
    #[serde(alias = "q")]
    search: Option<String>,
    #[schema(minimum = 0, maximum = 100)]
    min_score: Option<f64>,
    #[schema(minimum = 0, maximum = 100)]
    max_score: Option<f64>,
    #[serde(alias = "date_from", alias = "since")]
    #[schema(schema_with = leadstream_api_conventions::field_schema::instant)]
    created_after: Option<String>,
    #[serde(alias = "date_to", alias = "until")]
    #[schema(schema_with = leadstream_api_conventions::field_schema::instant)]
    created_before: Option<String>,
    #[schema(minimum = 1, maximum = 1_000_000)]
    page: Option<u32>,
    #[schema(minimum = 1, maximum = 200)]
    per_page: Option<u32>,
    /// Rows to skip; at most as many as the last page starts after.
    #[serde(alias = "offset")]
    #[schema(minimum = 0, maximum = 199_999_800)]
    skip: Option<u64>,
    #[schema(minimum = 1, maximum = 200)]
    limit: Option<u32>,
    /// `next_cursor` of the previous page (where it ended: microseconds since 1970 and the
    /// last lead's id); with it, `page` and `skip` are ignored.
    #[schema(pattern = "^[0-9]{1,16}_[0-9a-f]{32}$")]
    cursor: Option<String>,
}

/// Where the page starts: an offset, or after the row a cursor names.
#[derive(Debug, Clone, PartialEq)]
pub enum PageStart {
    Offset(u64),
    After(Cursor),
}

/// The last row of a page in the list's order (newest first), encoded opaquely for clients.
#[derive(Debug, Clone, PartialEq)]
pub struct Cursor {
    pub created_at: DateTime<Utc>,
    pub id: Uuid,
}

impl Cursor {
    /// The opaque text a client sends back.
    pub fn encode(&self) -> String {
        format!("{}_{}", self.created_at.timestamp_micros(), self.id.simple())
    }

    fn decode(raw: &str) -> Result<Self, FieldError> {
        let invalid = || FieldError::new("cursor", "is not a cursor this API issued");
        let (micros, id) = raw.split_once('_').ok_or_else(invalid)?;
        let created_at = micros
            .parse()
            .ok()
            .and_then(DateTime::from_timestamp_micros)
            .ok_or_else(invalid)?;
        let id = Uuid::parse_str(id).map_err(|_| invalid())?;
        Ok(Self { created_at, id })
    }
}

/// A validated list query.
#[derive(Debug, Clone)]
pub struct LeadListQuery {
    pub status: Option<LeadStatus>,
    pub tier: Option<Tier>,
    pub stage: Option<PipelineStage>,
    pub source: Option<LeadSource>,
    pub assigned_to: Option<Uuid>,
    pub search: Option<String>,
    pub min_score: Option<f64>,
    pub max_score: Option<f64>,
    pub created_after: Option<DateTime<Utc>>,
    pub created_before: Option<DateTime<Utc>>,
    pub limit: u32,
    pub start: PageStart,
}

impl ListLeadsParams {
    /// Validates every parameter, reporting all problems at once.
    pub fn parse(self) -> Result<LeadListQuery, ValidationErrors> {
        let mut e = ValidationErrors::default();
        let status = e.check_opt(self.status, |raw| LeadStatus::parse(&raw));
        let tier = e.check_opt(self.tier, |raw| Tier::parse(&raw));
        let stage = e.check_opt(self.pipeline_stage, |raw| {
            PipelineStage::parse(&raw).map_err(|e| e.for_field("pipeline_stage"))
        });
        let source = e.check_opt(self.source, |raw| LeadSource::parse(&raw));
        let assigned_to = e.check_opt(self.assigned_to, |raw| {
            Uuid::parse_str(raw.trim()).map_err(|_| FieldError::new("assigned_to", "must be a UUID"))
        });
        let search = e.check_opt(self.search, |raw| {
            let text = raw.trim().to_string();
            if text.chars().count() > MAX_SEARCH_CHARS {
                Err(FieldError::new(
                    "search",
                    format!("must be at most {MAX_SEARCH_CHARS} characters"),
                ))
            } else {
                Ok(text)
            }
        });
        let score = |field: &'static str| {
            move |raw: f64| {
                if (0.0..=100.0).contains(&raw) {
                    Ok(raw)
                } else {
                    Err(FieldError::new(field, "must be between 0 and 100"))
                }
            }
        };
        let min_score = e.check_opt(self.min_score, score("min_score"));
        let max_score = e.check_opt(self.max_score, score("max_score"));
        let created_after = e.check_opt(self.created_after, |raw| parse_instant("created_after", &raw));
        let created_before = e.check_opt(self.created_before, |raw| parse_instant("created_before", &raw));

        let limit = self.limit.or(self.per_page).unwrap_or(DEFAULT_LIMIT);
        if limit == 0 || limit > MAX_LIMIT {
            e.push(FieldError::new("limit", format!("must be between 1 and {MAX_LIMIT}")));
        }
        let start = match (self.cursor, self.skip, self.page) {
            // The cursor names where the page starts; an offset beside it says nothing more.
            (Some(raw), _, _) => e
                .check(Cursor::decode(&raw))
                .map_or(PageStart::Offset(0), PageStart::After),
            (None, Some(skip), _) if skip > MAX_SKIP => {
                e.push(FieldError::new("skip", format!("must be 0 to {MAX_SKIP}")));
                PageStart::Offset(0)
            }
            (None, Some(skip), _) => PageStart::Offset(skip),
            (None, None, Some(page)) if page == 0 || page > crate::paging::MAX_PAGE => {
                e.push(FieldError::new(
                    "page",
                    format!("pages start at 1 and end at {}", crate::paging::MAX_PAGE),
                ));
                PageStart::Offset(0)
            }
            (None, None, Some(page)) => PageStart::Offset(u64::from(page - 1) * u64::from(limit)),
            (None, None, None) => PageStart::Offset(0),
        };
        e.into_result(|| LeadListQuery {
            status,
            tier,
            stage,
            source,
            assigned_to,
            search,
            min_score,
            max_score,
            created_after,
            created_before,
            limit,
            start,
        })
    }
}

fn parse_instant(field: &str, raw: &str) -> Result<DateTime<Utc>, FieldError> {
    let raw = raw.trim();
    DateTime::parse_from_rfc3339(raw)
        .map(|t| t.with_timezone(&Utc))
        .or_else(|_| NaiveDate::parse_from_str(raw, "%Y-%m-%d").map(|d| d.and_time(Default::default()).and_utc()))
        .map_err(|_| FieldError::new(field, "must be an RFC 3339 time or a YYYY-MM-DD date"))
}

impl LeadListQuery {
    /// Appends ` WHERE …` for the tenant, what the caller may reach, and every filter (not the
    /// page start).
    pub fn push_filters(&self, sql: &mut QueryBuilder<'_, Postgres>, tenant: TenantId, access: LeadAccess) {
        sql.push(" WHERE tenant_id = ").push_bind(tenant.0);
        if let LeadAccess::AssignedTo(agent) = access {
            sql.push(" AND assigned_to = ").push_bind(agent.0);
        }
        if let Some(status) = self.status {
            sql.push(" AND status = ").push_bind(status.as_str());
        }
        if let Some(tier) = self.tier {
            sql.push(" AND tier = ").push_bind(tier.as_str());
        }
        if let Some(stage) = self.stage {
            sql.push(" AND pipeline_stage = ").push_bind(stage.as_str());
        }
        if let Some(source) = &self.source {
            sql.push(" AND source = ").push_bind(source.as_str().to_string());
        }
        if let Some(agent) = self.assigned_to {
            sql.push(" AND assigned_to = ").push_bind(agent);
        }
        if let Some(search) = self.search.as_ref().filter(|s| !s.is_empty()) {
            let escaped = search.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
            let pattern = format!("%{escaped}%");
            sql.push(" AND (");
            for (i, column) in ["name", "email", "phone", "company"].iter().enumerate() {
                if i > 0 {
                    sql.push(" OR ");
                }
                sql.push(*column).push(" ILIKE ").push_bind(pattern.clone());
            }
            sql.push(")");
        }
        if let Some(min) = self.min_score {
            sql.push(" AND score >= ").push_bind(min);
        }
        if let Some(max) = self.max_score {
            sql.push(" AND score <= ").push_bind(max);
        }
        if let Some(after) = self.created_after {
            sql.push(" AND created_at >= ").push_bind(after);
        }
        if let Some(before) = self.created_before {
            sql.push(" AND created_at < ").push_bind(before);
        }
    }

    /// Appends the page start, order and limit (one extra row tells whether more follow).
    pub fn push_page(&self, sql: &mut QueryBuilder<'_, Postgres>) {
        if let PageStart::After(cursor) = &self.start {
            sql.push(" AND (created_at, id) < (")
                .push_bind(cursor.created_at)
                .push(", ")
                .push_bind(cursor.id)
                .push(")");
        }
        sql.push(" ORDER BY created_at DESC, id DESC LIMIT ")
            .push_bind(i64::from(self.limit) + 1);
        if let PageStart::Offset(skip) = self.start {
            sql.push(" OFFSET ").push_bind(skip as i64);
        }
    }
}

/// Checks the list's query string in full, so bad filters are refused before any
/// read-your-writes wait.
pub fn check_query(query: &str) -> Result<(), leadstream_api_conventions::ApiError> {
    use leadstream_api_conventions::ApiError;
    let params = actix_web::web::Query::<ListLeadsParams>::from_query(query)
        .map_err(|e| ApiError::bad_request("INVALID_QUERY", format!("the query string is invalid: {e}")))?;
    params.into_inner().parse().map(drop).map_err(ApiError::validation)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(f: impl FnOnce(&mut ListLeadsParams)) -> ListLeadsParams {
        let mut p = ListLeadsParams::default();
        f(&mut p);
        p
    }

    #[test]
    fn page_and_per_page_become_an_offset() {
        let q = params(|p| {
            p.page = Some(3);
            p.per_page = Some(20);
        })
        .parse()
        .unwrap();
        assert_eq!((q.limit, q.start), (20, PageStart::Offset(40)));
    }

    #[test]
    fn cursors_round_trip_and_garbage_is_rejected() {
        let cursor = Cursor {
            created_at: DateTime::from_timestamp_micros(1_700_000_000_123_456).unwrap(),
            id: Uuid::now_v7(),
        };
        let q = params(|p| p.cursor = Some(cursor.encode())).parse().unwrap();
        assert_eq!(q.start, PageStart::After(cursor.clone()));
        assert!(params(|p| p.cursor = Some("nope".into())).parse().is_err());
        // A cursor says where the page starts; an offset beside it is ignored.
        let both = params(|p| {
            p.cursor = Some(cursor.encode());
            p.page = Some(3);
            p.skip = Some(10);
        })
        .parse()
        .unwrap();
        assert_eq!(both.start, PageStart::After(cursor));
        // Whatever the document's pattern allows is a cursor.
        for edge in [
            "0_00000000000000000000000000000000",
            "9999999999999999_ffffffffffffffffffffffffffffffff",
        ] {
            assert!(params(|p| p.cursor = Some(edge.into())).parse().is_ok(), "{edge}");
        }
    }

    #[test]
    fn limits_and_enums_are_checked() {
        let errors = params(|p| {
            p.limit = Some(500);
            p.status = Some("hot".into());
            p.pipeline_stage = Some("closing".into());
            p.min_score = Some(101.0);
        })
        .parse()
        .unwrap_err();
        let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["status", "pipeline_stage", "min_score", "limit"]);
        let beyond = params(|p| p.skip = Some(MAX_SKIP + 1)).parse().unwrap_err();
        assert_eq!(beyond.0[0].field, "skip");
        assert!(params(|p| p.skip = Some(MAX_SKIP)).parse().is_ok());
    }
}
