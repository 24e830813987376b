//! `GET /api/v1/leads/export?format=csv`: every lead the list's filters select, streamed as CSV
//! straight from a database cursor, so memory stays flat however many leads there are.

use actix_web::web::{self, Bytes};
use actix_web::HttpResponse;
use futures_util::StreamExt;
use leadstream_api_conventions::{ApiError, Principal};
use leadstream_domain::{FieldError, ValidationErrors};
use serde::Deserialize;
use sqlx::{PgPool, QueryBuilder, Row};
use tokio::sync::mpsc;
use utoipa::ToSchema;

use crate::lead_list_query::ListLeadsParams;
use leadstream_domain::lead::{csv_cell_for_export, CSV_COLUMNS};

/// Bytes gathered before a chunk goes to the client.
const CHUNK_BYTES: usize = 64 * 1024;

/// `format`: only `csv` for now.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ExportFormat {
    format: Option<String>,
}

/// Checks the format and the filters, before any read-your-writes wait: the export waits (when
/// asked) before it starts streaming, so it holds every write up to `min_position`.
pub fn check_query(query: &str) -> Result<(), ApiError> {
    let format = web::Query::<ExportFormat>::from_query(query)
        .map_err(|e| ApiError::bad_request("INVALID_QUERY", format!("the query string is invalid: {e}")))?;
    check_format(format.into_inner())?;
    crate::lead_list_query::check_query(query)
}

fn check_format(format: ExportFormat) -> Result<(), ApiError> {
    match format.format.filter(|f| !f.eq_ignore_ascii_case("csv")) {
        Some(format) => Err(ApiError::validation(ValidationErrors(vec![FieldError::new(
            "format",
            format!("{format:?} is not offered; use csv"),
        )]))),
        None => Ok(()),
    }
}

/// `GET /api/v1/leads/export`.
pub async fn export(
    pool: web::Data<PgPool>,
    principal: Principal,
    format: web::Query<ExportFormat>,
    params: web::Query<ListLeadsParams>,
) -> Result<HttpResponse, ApiError> {
    check_format(format.into_inner())?;
    let query = params.into_inner().parse().map_err(ApiError::validation)?;
    let (tenant, access) = (principal.tenant_id, principal.lead_access());
    let pool = pool.get_ref().clone();
    // A small channel: the query runs only as fast as the client reads.
    let (tx, rx) = mpsc::channel::<Result<Bytes, std::io::Error>>(4);
    tokio::spawn(async move {
        let select = CSV_COLUMNS
            .iter()
            .map(|c| match *c {
                "tags" => "array_to_string(tags, ';')".to_string(),
                "created_at" | "updated_at" => {
                    format!("to_char({c} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')")
                }
                other => format!("{other}::text"),
            })
            .collect::<Vec<_>>()
            .join(", ");
        let mut sql = QueryBuilder::new(format!("SELECT {select} FROM leads"));
        query.push_filters(&mut sql, tenant, access);
        sql.push(" ORDER BY created_at, id");
        let mut writer = csv::Writer::from_writer(Vec::with_capacity(CHUNK_BYTES * 2));
        let _ = writer.write_record(CSV_COLUMNS);
        let mut rows = sql.build().fetch(&pool);
        let mut exported = 0u64;
        while let Some(row) = rows.next().await {
            let row = match row {
                Ok(row) => row,
                Err(error) => {
                    tracing::error!(%error, "export stopped");
                    // Ending the body early tells the client the export is incomplete.
                    let _ = tx.send(Err(std::io::Error::other("export failed"))).await;
                    return;
                }
            };
            let fields: Vec<String> = (0..CSV_COLUMNS.len())
                .map(|i| row.try_get::<Option<String>, _>(i).ok().flatten().unwrap_or_default())
                .map(|cell| csv_cell_for_export(&cell).into_owned())
                .collect();
            if writer.write_record(&fields).is_err() {
                return;
            }
            exported += 1;
            if writer.get_ref().len() >= CHUNK_BYTES {
                let fresh = csv::Writer::from_writer(Vec::with_capacity(CHUNK_BYTES * 2));
                let Ok(chunk) = std::mem::replace(&mut writer, fresh).into_inner() else {
                    return;
                };
                if tx.send(Ok(Bytes::from(chunk))).await.is_err() {
                    tracing::info!(exported, "export abandoned by the client");
                    return;
                }
            }
        }
        if let Ok(rest) = writer.into_inner() {
            let _ = tx.send(Ok(Bytes::from(rest))).await;
        }
        tracing::info!(exported, "leads exported");
    });
    let body = futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|chunk| (chunk, rx)) });
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(("content-disposition", "attachment; filename=\"leads.csv\""))
        .streaming(body))
}
