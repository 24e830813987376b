//! The tenant's scoring weights: everyone reads them, admins change them, every version stays.

use actix_web::{web, HttpResponse};
use leadstream_api_conventions::{ApiError, Json, Principal};
use leadstream_domain::scoring::ScoringWeights;
use leadstream_domain::{FieldError, ValidationErrors};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::scoring::WeightsStore;

type Store = web::Data<WeightsStore>;

/// `PUT /api/v1/scoring/weights`: every weight 0–1, not all zero. They are relative: the overall
/// score divides by their sum.
#[derive(Debug, Deserialize, ToSchema)]
pub struct WeightsRequest {
    #[schema(schema_with = leadstream_api_conventions::field_schema::weight, required = true)]
    company_fit: Option<f64>,
    #[schema(schema_with = leadstream_api_conventions::field_schema::weight, required = true)]
    intent_signal: Option<f64>,
    #[schema(schema_with = leadstream_api_conventions::field_schema::weight, required = true)]
    budget_indicator: Option<f64>,
    #[schema(schema_with = leadstream_api_conventions::field_schema::weight, required = true)]
    urgency: Option<f64>,
    #[schema(schema_with = leadstream_api_conventions::field_schema::weight, required = true)]
    engagement: Option<f64>,
}

impl WeightsRequest {
    fn parse(self) -> Result<[f64; 5], ValidationErrors> {
        let mut e = ValidationErrors::default();
        let mut field = |name: &str, raw: Option<f64>| {
            e.check(raw.ok_or_else(|| FieldError::new(name, "is required")))
                .unwrap_or_default()
        };
        let weights = [
            field("company_fit", self.company_fit),
            field("intent_signal", self.intent_signal),
            field("budget_indicator", self.budget_indicator),
            field("urgency", self.urgency),
            field("engagement", self.engagement),
        ];
        e.into_result(|| ())?;
        ScoringWeights::parse(0, weights).map_err(|error| ValidationErrors(vec![error]))?;
        Ok(weights)
    }
}

/// `GET /api/v1/scoring/weights`: the weights new scores use.
pub async fn current(store: Store, principal: Principal) -> Result<HttpResponse, ApiError> {
    let weights = store.current(principal.tenant_id.0).await.map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok().json(weights))
}

/// `GET /api/v1/scoring/weights/{version}`: the weights an older score was computed with.
pub async fn version(store: Store, principal: Principal, version: web::Path<u32>) -> Result<HttpResponse, ApiError> {
    store
        .version(principal.tenant_id.0, version.into_inner())
        .await
        .map_err(ApiError::internal)?
        .map(|weights| HttpResponse::Ok().json(weights))
        .ok_or_else(|| ApiError::not_found("weights version"))
}

/// `PUT /api/v1/scoring/weights`: a new version (admins).
pub async fn change(store: Store, principal: Principal, body: Json<WeightsRequest>) -> Result<HttpResponse, ApiError> {
    principal.require_admin()?;
    let weights = body.into_inner().parse().map_err(ApiError::validation)?;
    let saved = store
        .save(principal.tenant_id.0, principal.user_id, weights)
        .await
        .map_err(ApiError::internal)?;
    tracing::info!(version = saved.version, "scoring weights changed");
    Ok(HttpResponse::Ok().json(saved))
}
