//! `page` and `limit` for the lists that page by number (messages, calls, appointments).

use leadstream_domain::{FieldError, ValidationErrors};
use serde::Serialize;

use crate::lead_list_query::{DEFAULT_LIMIT, MAX_LIMIT};

/// The last page number asked for: deep enough for any list, and small enough that the
/// document can say so.
pub const MAX_PAGE: u32 = 1_000_000;

/// A page: which one (from 1) and how many rows it holds.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Page {
    pub page: u32,
    pub limit: u32,
}

impl Page {
    /// Reads the parameters, recording what is wrong in `errors`.
    pub fn parse(page: Option<u32>, limit: Option<u32>, errors: &mut ValidationErrors) -> Option<Self> {
        let limit = errors.check(match limit.unwrap_or(DEFAULT_LIMIT) {
            n @ 1..=MAX_LIMIT => Ok(n),
            _ => Err(FieldError::new("limit", format!("must be 1 to {MAX_LIMIT}"))),
        });
        let page = errors.check(match page.unwrap_or(1) {
            n @ 1..=MAX_PAGE => Ok(n),
            _ => Err(FieldError::new("page", format!("must be 1 to {MAX_PAGE}"))),
        });
        Some(Self {
            page: page?,
            limit: limit?,
        })
    }

    /// Rows to skip.
    pub fn offset(self) -> i64 {
        i64::from(self.page - 1) * i64::from(self.limit)
    }
}

/// Counts what `filters` selects (a `FROM … WHERE …` tail) and fetches page `page` of
/// `columns` from it, in `order`: one list's two queries.
pub async fn fetch_page<T>(
    pool: &sqlx::PgPool,
    columns: &str,
    order: &str,
    page: Page,
    filters: impl Fn(&mut sqlx::QueryBuilder<'_, sqlx::Postgres>),
) -> Result<(Vec<T>, i64), leadstream_api_conventions::ApiError>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> + Send + Unpin,
{
    use leadstream_api_conventions::ApiError;
    let mut count = sqlx::QueryBuilder::new("SELECT count(*)");
    filters(&mut count);
    let total: i64 = count
        .build_query_scalar()
        .fetch_one(pool)
        .await
        .map_err(ApiError::internal)?;
    let mut select = sqlx::QueryBuilder::new(format!("SELECT {columns}"));
    filters(&mut select);
    select
        .push(format!(" ORDER BY {order} LIMIT "))
        .push_bind(i64::from(page.limit))
        .push(" OFFSET ")
        .push_bind(page.offset());
    let rows = select
        .build_query_as()
        .fetch_all(pool)
        .await
        .map_err(ApiError::internal)?;
    Ok((rows, total))
}
