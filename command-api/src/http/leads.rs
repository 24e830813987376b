//! Lead command handlers: parse the body, build the command, run it, render the outcome.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use leadstream_api_conventions::{ApiError, Json, Principal};
use leadstream_domain::lead::{LeadAction, LeadCommand};

use uuid::Uuid;

use super::command_response::{command_error, command_response, expected_version, issued_now, request_metadata};
use super::lead_requests::*;
use crate::identity::IdentityService;
use crate::integrations::Integrations;
use crate::lead_erasure::forget_lead;
use crate::scoring::WeightsStore;
use crate::{CommandOutcome, LeadCommandService};

pub(super) type Service = web::Data<LeadCommandService>;

/// Runs `action` for the principal's tenant and renders the outcome with `status`.
async fn run(
    service: &LeadCommandService,
    principal: &Principal,
    req: &HttpRequest,
    lead_id: Uuid,
    action: LeadAction,
    status: StatusCode,
) -> Result<HttpResponse, ApiError> {
    let outcome = execute(service, principal, req, lead_id, action).await?;
    Ok(command_response(status, outcome))
}

/// Refuses (404) unless `agent` is an active user of the principal's tenant.
pub(super) async fn ensure_active_agent(
    identity: &IdentityService,
    principal: &Principal,
    agent: Uuid,
) -> Result<(), ApiError> {
    let active = identity
        .store()
        .is_active_user(principal.tenant_id.0, agent)
        .await
        .map_err(ApiError::internal)?;
    // Like any id a body names: one that names no active user of the tenant is not found.
    if active {
        Ok(())
    } else {
        Err(ApiError::not_found("active user with this agent_id"))
    }
}

/// The lead cannot be reached on `channel` until it has an address there: its state, not the
/// request, stands in the way (409). `give` names the field that would supply one, if any.
pub(super) fn no_address(channel: leadstream_domain::lead::Channel, give: Option<&str>) -> ApiError {
    use leadstream_domain::lead::Channel;
    let (code, what) = match channel {
        Channel::Sms => ("LEAD_HAS_NO_PHONE", "phone"),
        Channel::Email => ("LEAD_HAS_NO_EMAIL", "e-mail"),
    };
    let hint = give.map(|field| format!("; give {field}")).unwrap_or_default();
    ApiError::conflict(code, format!("the lead has no {what}{hint}"))
}

/// The lead `lead_id`, if the principal may see it and it is not erased; otherwise 404.
pub(super) async fn visible_lead(
    service: &LeadCommandService,
    principal: &Principal,
    lead_id: Uuid,
) -> Result<leadstream_domain::lead::Lead, ApiError> {
    let lead = service.load(lead_id).await.map_err(command_error)?;
    if !lead.is_visible_to(principal.tenant_id, principal.lead_access()) || lead.erased {
        return Err(ApiError::not_found("lead"));
    }
    Ok(lead)
}

/// Runs `action` on lead `lead_id` for the principal's tenant, with the tenant's current weights
/// and the request's correlation, and reports what it left behind.
pub(super) async fn execute(
    service: &LeadCommandService,
    principal: &Principal,
    req: &HttpRequest,
    lead_id: Uuid,
    action: LeadAction,
) -> Result<CommandOutcome, ApiError> {
    let issued_at = issued_now(req)?;
    let correlation_id = req
        .headers()
        .get("x-correlation-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 128)
        .map(str::to_owned);
    let metadata = request_metadata(principal, issued_at, correlation_id);
    // Registered with the command routes, so always there; a missing store is a wiring bug, not
    // a reason to score with weights the tenant did not choose.
    let store = req
        .app_data::<web::Data<WeightsStore>>()
        .ok_or_else(|| ApiError::internal("no scoring weights store registered"))?;
    let weights = store
        .current(principal.tenant_id.0)
        .await
        .map_err(ApiError::internal)?
        .weights();
    let command = LeadCommand {
        tenant_id: principal.tenant_id,
        issued_at,
        access: principal.lead_access(),
        weights,
        action,
    };
    service
        .execute(lead_id, command, expected_version(req)?, &metadata)
        .await
        .map_err(command_error)
}

/// `POST /api/v1/leads`: a new lead, with a server-minted time-ordered id.
pub async fn create(
    service: Service,
    principal: Principal,
    req: HttpRequest,
    body: Json<CreateLeadRequest>,
) -> Result<HttpResponse, ApiError> {
    let lead_id = Uuid::now_v7();
    let create = body.into_inner().parse(lead_id).map_err(ApiError::validation)?;
    run(
        &service,
        &principal,
        &req,
        lead_id,
        LeadAction::Create(Box::new(create)),
        StatusCode::CREATED,
    )
    .await
}

/// `PATCH`/`PUT /api/v1/leads/{id}`: a partial update.
pub async fn update(
    service: Service,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Json<UpdateLeadRequest>,
) -> Result<HttpResponse, ApiError> {
    let (changes, status, stage) = body.into_inner().parse().map_err(ApiError::validation)?;
    let action = LeadAction::Update {
        changes: Box::new(changes),
        status,
        stage,
    };
    run(&service, &principal, &req, id.into_inner(), action, StatusCode::OK).await
}

/// `DELETE /api/v1/leads/{id}`: erase the lead's personal data.
pub async fn erase(
    service: Service,
    integrations: web::Data<Integrations>,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let lead_id = id.into_inner();
    visible_lead(&service, &principal, lead_id).await?;
    forget_lead(service.pool(), &integrations, lead_id)
        .await
        .map_err(ApiError::internal)?;
    run(
        &service,
        &principal,
        &req,
        lead_id,
        LeadAction::Erase,
        StatusCode::NO_CONTENT,
    )
    .await
}

/// `PUT /api/v1/leads/{id}/assign`: to an active user of the same tenant.
pub async fn assign(
    service: Service,
    identity: web::Data<IdentityService>,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Json<AssignRequest>,
) -> Result<HttpResponse, ApiError> {
    let agent_id = body.into_inner().parse().map_err(ApiError::validation)?;
    ensure_active_agent(&identity, &principal, agent_id.0).await?;
    run(
        &service,
        &principal,
        &req,
        id.into_inner(),
        LeadAction::Assign { agent_id },
        StatusCode::OK,
    )
    .await
}

/// `PUT /api/v1/leads/{id}/pipeline`.
pub async fn move_stage(
    service: Service,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Json<MoveStageRequest>,
) -> Result<HttpResponse, ApiError> {
    let stage = body.into_inner().parse().map_err(ApiError::validation)?;
    run(
        &service,
        &principal,
        &req,
        id.into_inner(),
        LeadAction::MoveToStage { stage },
        StatusCode::OK,
    )
    .await
}

/// `PUT /api/v1/leads/{id}/status`.
pub async fn change_status(
    service: Service,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Json<ChangeStatusRequest>,
) -> Result<HttpResponse, ApiError> {
    let (status, reason) = body.into_inner().parse().map_err(ApiError::validation)?;
    run(
        &service,
        &principal,
        &req,
        id.into_inner(),
        LeadAction::ChangeStatus { status, reason },
        StatusCode::OK,
    )
    .await
}

/// `POST /api/v1/leads/{id}/activities`.
pub async fn log_activity(
    service: Service,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Json<LogActivityRequest>,
) -> Result<HttpResponse, ApiError> {
    let activity = body.into_inner().parse().map_err(ApiError::validation)?;
    run(
        &service,
        &principal,
        &req,
        id.into_inner(),
        LeadAction::LogActivity(activity),
        StatusCode::CREATED,
    )
    .await
}

/// `POST /api/v1/leads/{id}/notes`.
pub async fn add_note(
    service: Service,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Json<AddNoteRequest>,
) -> Result<HttpResponse, ApiError> {
    let note = body.into_inner().parse().map_err(ApiError::validation)?;
    run(
        &service,
        &principal,
        &req,
        id.into_inner(),
        LeadAction::AddNote { note },
        StatusCode::CREATED,
    )
    .await
}

/// `POST /api/v1/leads/{id}/tags`.
pub async fn add_tags(
    service: Service,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Json<AddTagsRequest>,
) -> Result<HttpResponse, ApiError> {
    let tags = body.into_inner().parse().map_err(ApiError::validation)?;
    run(
        &service,
        &principal,
        &req,
        id.into_inner(),
        LeadAction::AddTags { tags },
        StatusCode::OK,
    )
    .await
}

/// `POST /api/v1/leads/{id}/score` and `/recalculate`: score again with the tenant's current
/// weights. Appends `lead.scored` only when the card changes; the answer carries the card.
pub async fn rescore(
    service: Service,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    run(
        &service,
        &principal,
        &req,
        id.into_inner(),
        LeadAction::Rescore,
        StatusCode::OK,
    )
    .await
}
