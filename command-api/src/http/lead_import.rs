//! `POST /api/v1/leads/import`: a CSV of leads, as a multipart upload (or a `text/csv` body).
//! Every row is parsed like a `POST /api/v1/leads` body; rows whose e-mail or phone the tenant
//! already has (or an earlier row has) are duplicates; the rest are created in bulk.

use actix_multipart::Multipart;
use actix_web::http::header::CONTENT_TYPE;
use actix_web::{web, HttpRequest, HttpResponse};
use futures::StreamExt;
use leadstream_api_conventions::{read_body, ApiError, Principal};
use leadstream_domain::lead::{
    csv_cell_from_import, is_text_field_column, CreateLead, LeadAction, LeadCommand, SYSTEM_CSV_COLUMNS,
};
use leadstream_domain::values::LeadSource;
use leadstream_domain::FieldError;
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::HashSet;
use utoipa::ToSchema;
use uuid::Uuid;

use super::command_response::request_metadata;
use super::lead_requests::CreateLeadRequest;
use super::leads::Service;
use crate::scoring::WeightsStore;

/// How large an import may be.
#[derive(Debug, Clone, Copy)]
pub struct ImportLimits {
    pub max_bytes: usize,
    pub max_rows: usize,
}

/// Leads appended per transaction.
const CHUNK: usize = 500;

/// What an import did.
#[derive(Serialize, ToSchema)]
pub struct ImportAnswer {
    /// Rows that became leads.
    imported: u64,
    /// Rows whose e-mail or phone the tenant already had, or an earlier row had.
    duplicates: u64,
    /// Rows that could not be leads.
    invalid: u64,
    invalid_rows: Vec<InvalidRow>,
    duplicate_rows: Vec<DuplicateRow>,
    /// The global position of the last event written: pass it as `min_position` to list them.
    position: Option<i64>,
}

/// A row that could not be a lead: its line in the file (the header is line 1) and why.
#[derive(Serialize, ToSchema)]
pub struct InvalidRow {
    line: u64,
    #[schema(value_type = Vec<Object>)]
    errors: Vec<FieldError>,
}

/// A row skipped as a duplicate, and what it matched.
#[derive(Serialize, ToSchema)]
pub struct DuplicateRow {
    line: u64,
    /// `email` or `phone`.
    matched_on: &'static str,
    value: String,
}

/// The upload's form, for the API document: the one field `file`.
#[derive(ToSchema, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportForm {
    /// The CSV: a header row, then one lead per row. Columns: `phone`, `name`, `email`, `tags`
    /// (separated by `;` or `|`) and any other lead field (`first_name`, `last_name`, `company`,
    /// `title`, `industry`, `source`, `message`, `notes`, `status`, `pipeline_stage`,
    /// `metadata` as a JSON object); other columns go into `metadata`.
    #[schema(schema_with = leadstream_api_conventions::field_schema::csv_file)]
    #[allow(dead_code)]
    file: Vec<u8>,
}

/// `POST /api/v1/leads/import`.
pub async fn import(
    service: Service,
    weights: web::Data<WeightsStore>,
    limits: web::Data<ImportLimits>,
    principal: Principal,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let content_type = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let csv = if content_type.starts_with("multipart/form-data") {
        read_upload(Multipart::new(req.headers(), payload), limits.max_bytes).await?
    } else if content_type.starts_with("text/csv") || content_type.starts_with("text/plain") {
        read_body(payload, limits.max_bytes).await?.to_vec()
    } else {
        return Err(ApiError::new(
            actix_web::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            "send the CSV as multipart/form-data (field `file`) or as text/csv",
        ));
    };
    let rows = parse_rows(&csv, limits.max_rows)?;

    let existing = existing_contacts(&service, principal.tenant_id.0, &rows).await?;
    let mut seen_emails: HashSet<String> = existing.0;
    let mut seen_phones: HashSet<String> = existing.1;
    let mut answer = ImportAnswer {
        imported: 0,
        duplicates: 0,
        invalid: 0,
        invalid_rows: vec![],
        duplicate_rows: vec![],
        position: None,
    };
    let issued_at = super::command_response::issued_now(&req)?;
    let weights = weights
        .current(principal.tenant_id.0)
        .await
        .map_err(ApiError::internal)?
        .weights();
    let mut commands = vec![];
    for row in rows {
        let lead = match row.lead {
            Ok(lead) => lead,
            Err(errors) => {
                answer.invalid += 1;
                answer.invalid_rows.push(InvalidRow { line: row.line, errors });
                continue;
            }
        };
        let email = lead.email.as_ref().map(|e| e.as_str().to_lowercase());
        let phone = lead.phone.as_ref().map(|p| p.as_str().to_string());
        let duplicate = match (&email, &phone) {
            (Some(e), _) if seen_emails.contains(e) => Some(("email", e.clone())),
            (_, Some(p)) if seen_phones.contains(p) => Some(("phone", p.clone())),
            _ => None,
        };
        if let Some((matched_on, value)) = duplicate {
            answer.duplicates += 1;
            answer.duplicate_rows.push(DuplicateRow {
                line: row.line,
                matched_on,
                value,
            });
            continue;
        }
        seen_emails.extend(email);
        seen_phones.extend(phone);
        let command = LeadCommand {
            tenant_id: principal.tenant_id,
            issued_at,
            access: principal.lead_access(),
            weights,
            action: LeadAction::Create(Box::new(lead.clone())),
        };
        commands.push((lead.lead_id, command));
    }
    let metadata = request_metadata(&principal, issued_at, Some(format!("import:{}", Uuid::now_v7())));
    let (created, position, refused) = service
        .create_many(commands, &metadata, CHUNK)
        .await
        .map_err(super::command_response::command_error)?;
    // Parsing already checked what the aggregate checks; a refusal here is a bug to see.
    for (lead_id, error) in refused {
        tracing::warn!(%lead_id, %error, "import row refused by the aggregate");
    }
    answer.imported = created;
    answer.position = position;
    tracing::info!(
        imported = answer.imported,
        duplicates = answer.duplicates,
        invalid = answer.invalid,
        "leads imported"
    );
    let mut response = HttpResponse::Ok();
    if let Some(position) = position {
        response.insert_header((super::command_response::EVENT_POSITION_HEADER, position.to_string()));
    }
    Ok(response.json(answer))
}

/// The `file` field of a multipart form, its one field.
async fn read_upload(mut form: Multipart, limit: usize) -> Result<Vec<u8>, ApiError> {
    let bad =
        |e: actix_multipart::MultipartError| ApiError::bad_request("INVALID_BODY", format!("bad multipart body: {e}"));
    let refused =
        |why: String| ApiError::validation(leadstream_domain::ValidationErrors(vec![FieldError::new("file", why)]));
    let mut file = None;
    while let Some(field) = form.next().await {
        let mut field = field.map_err(bad)?;
        // The form has one field: another one is a mistake worth naming, not data to drop.
        if field.name() != Some("file") || file.is_some() {
            let name = field.name().unwrap_or_default().chars().take(64).collect::<String>();
            return Err(refused(format!("the form has one field, `file`, once; not {name:?}")));
        }
        let mut bytes = vec![];
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(bad)?;
            if bytes.len() + chunk.len() > limit {
                return Err(ApiError::new(
                    actix_web::http::StatusCode::PAYLOAD_TOO_LARGE,
                    "PAYLOAD_TOO_LARGE",
                    format!("the file exceeds {limit} bytes"),
                ));
            }
            bytes.extend_from_slice(&chunk);
        }
        file = Some(bytes);
    }
    file.ok_or_else(|| refused("is required: a CSV file in the form field `file`".into()))
}

/// One data row: its line and the lead it makes, or why it cannot make one.
struct Row {
    line: u64,
    lead: Result<CreateLead, Vec<FieldError>>,
}

fn parse_rows(csv_bytes: &[u8], max_rows: usize) -> Result<Vec<Row>, ApiError> {
    let invalid_file =
        |why: String| ApiError::validation(leadstream_domain::ValidationErrors(vec![FieldError::new("file", why)]));
    // PostgreSQL stores no NUL character: refuse the file whole, before any row is imported.
    if let Some(at) = csv_bytes.iter().position(|byte| *byte == 0) {
        let line = 1 + csv_bytes[..at].iter().filter(|byte| **byte == b'\n').count();
        return Err(invalid_file(format!(
            "line {line} holds a NUL character, which cannot be stored"
        )));
    }
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(csv_bytes);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| invalid_file(format!("no readable header row: {e}")))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_lowercase().replace([' ', '-'], "_"))
        .collect();
    // A file without an `email` or `phone` column is read like any other: each of its rows is
    // refused for what it lacks, line by line, as the create rules say.
    let csv_source = LeadSource::parse("csv").map_err(|e| ApiError::internal(e.message))?;
    let mut rows = vec![];
    for record in reader.records() {
        if rows.len() == max_rows {
            return Err(invalid_file(format!("holds more than {max_rows} rows")));
        }
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                rows.push(Row {
                    line,
                    lead: Err(vec![FieldError::new("row", format!("unreadable: {e}"))]),
                });
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(str::is_empty) {
            continue;
        }
        let lead = row_to_lead(&headers, &record).map(|mut lead| {
            lead.source.get_or_insert_with(|| csv_source.clone());
            lead
        });
        rows.push(Row { line, lead });
    }
    Ok(rows)
}

/// A row as a create body, parsed by the same rules as `POST /api/v1/leads`.
fn row_to_lead(headers: &[String], record: &csv::StringRecord) -> Result<CreateLead, Vec<FieldError>> {
    let mut body = Map::new();
    let mut metadata = Map::new();
    let mut errors = vec![];
    for (column, value) in headers.iter().zip(record.iter()) {
        let value = csv_cell_from_import(value);
        if value.is_empty() || SYSTEM_CSV_COLUMNS.contains(&column.as_str()) {
            continue;
        }
        match column.as_str() {
            "tags" => {
                let tags: Vec<Value> = value
                    .split([';', '|'])
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(|t| Value::String(t.to_string()))
                    .collect();
                body.insert("tags".into(), Value::Array(tags));
            }
            "metadata" => match serde_json::from_str::<Value>(value) {
                Ok(Value::Object(map)) => metadata.extend(map),
                _ => errors.push(FieldError::new("metadata", "must be a JSON object")),
            },
            known if is_text_field_column(known) => {
                body.insert(known.to_string(), Value::String(value.to_string()));
            }
            other => {
                metadata.insert(other.to_string(), Value::String(value.to_string()));
            }
        }
    }
    if !metadata.is_empty() {
        body.insert("metadata".into(), Value::Object(metadata));
    }
    let request: CreateLeadRequest =
        serde_json::from_value(Value::Object(body)).map_err(|e| vec![FieldError::new("row", e.to_string())])?;
    match request.parse(Uuid::now_v7()) {
        Ok(lead) if errors.is_empty() => {
            if lead.email.is_none() && lead.phone.is_none() {
                return Err(vec![FieldError::new("email", "a lead needs an email or a phone")]);
            }
            Ok(lead)
        }
        Ok(_) => Err(errors),
        Err(more) => {
            errors.extend(more.0);
            Err(errors)
        }
    }
}

/// The e-mails (lower-cased) and phones among `rows` that the tenant's leads already have.
async fn existing_contacts(
    service: &Service,
    tenant: Uuid,
    rows: &[Row],
) -> Result<(HashSet<String>, HashSet<String>), ApiError> {
    let leads = rows.iter().filter_map(|r| r.lead.as_ref().ok());
    let emails: Vec<String> = leads
        .clone()
        .filter_map(|l| l.email.as_ref().map(|e| e.as_str().to_lowercase()))
        .collect();
    let phones: Vec<String> = leads
        .filter_map(|l| l.phone.as_ref().map(|p| p.as_str().to_string()))
        .collect();
    service
        .existing_contacts(tenant, &emails, &phones)
        .await
        .map_err(ApiError::internal)
}
