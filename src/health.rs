//! Operations endpoints: liveness, readiness (the database answers), metrics and the OpenAPI document.

use actix_web::web::Data;
use actix_web::{get, HttpResponse};
use diesel::RunQueryDsl;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::Db;
use crate::error::{ApiError, Problem};
use crate::metrics::Metrics;

/// The health of the process.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    #[schema(value_type = HealthStatus)]
    pub status: &'static str,
}

// For the document only: the answers carry constant text.
/// `ok` from liveness, `ready` from readiness.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum HealthStatus {
    Ok,
    Ready,
}

/// The OpenAPI document as served, rendered once at start.
pub struct OpenApiJson(pub String);

/// Liveness: 200 while the process runs.
#[utoipa::path(tag = "operations", responses((status = 200, description = "Alive", body = Health)))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// Readiness: 200 when the database answers, 503 when it does not.
#[utoipa::path(tag = "operations", responses(
    (status = 200, description = "Ready to serve", body = Health),
    (status = 503, description = "The database is unreachable", body = Problem, content_type = "application/problem+json")))]
#[get("/readyz")]
pub async fn readyz(db: Data<Db>) -> Result<HttpResponse, ApiError> {
    db.run(|conn| {
        diesel::sql_query("SELECT 1").execute(conn).map_err(|e| {
            tracing::error!(error = %e, "readiness check failed");
            ApiError::Unavailable
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(Health { status: "ready" }))
}

/// Prometheus metrics: requests and latency by route and status, and the database pool.
#[utoipa::path(tag = "operations", responses(
    (status = 200, description = "Prometheus text format", body = String, content_type = "text/plain; version=0.0.4")))]
#[get("/metrics")]
pub async fn metrics(metrics: Data<Metrics>, db: Data<Db>) -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain; version=0.0.4; charset=utf-8").body(metrics.render(db.pool_state()))
}

/// This API as OpenAPI 3.1. The interactive docs at `/docs` read it.
#[utoipa::path(tag = "operations", responses(
    (status = 200, description = "The OpenAPI document", body = Object, content_type = "application/json")))]
#[get("/openapi.json")]
pub async fn openapi_json(doc: Data<OpenApiJson>) -> HttpResponse {
    HttpResponse::Ok().content_type("application/json").body(doc.0.clone())
}
