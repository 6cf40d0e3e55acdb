//! Operations endpoints: liveness, readiness (the database answers), metrics and the OpenAPI document.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::web::Data;
use actix_web::{get, FromRequest, HttpRequest, HttpResponse};
use diesel::RunQueryDsl;
use secrecy::ExposeSecret;
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::config::Settings;
use crate::db::Db;
use crate::error::{ApiError, Problem};
use crate::metrics::Metrics;

/// The health of the process.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    #[schema(value_type = HealthStatus)]
    pub status: &'static str,
}

/// Readiness, with the engine the database runs on (operators of several instances check that
/// each is on the one they meant).
#[derive(Debug, Serialize, ToSchema)]
pub struct Readiness {
    #[schema(value_type = HealthStatus)]
    pub status: &'static str,
    #[schema(value_type = DatabaseEngine)]
    pub database: &'static str,
}

// For the document only: the answers carry constant text.
/// `sqlite` or `postgres`.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum DatabaseEngine {
    Sqlite,
    Postgres,
}

// For the document only: the answers carry constant text.
/// `ok` from liveness, `ready` from readiness.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum HealthStatus {
    Ok,
    Ready,
}

/// Admission to `/metrics`: anyone when `WARTA_METRICS_TOKEN` is unset, otherwise only a request
/// whose bearer token is that token (compared in constant time). The scraper's token is not an
/// account's access token, so it is checked here rather than by the auth extractors.
pub struct MetricsAccess;

impl FromRequest for MetricsAccess {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let expected = req
            .app_data::<Data<Settings>>()
            .and_then(|s| s.metrics_token.as_ref().map(|t| t.expose_secret().to_owned()));
        let Some(expected) = expected else { return std::future::ready(Ok(MetricsAccess)) };
        let given = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
            .map(str::trim)
            .unwrap_or("");
        std::future::ready(if same_secret(given, &expected) { Ok(MetricsAccess) } else { Err(ApiError::Unauthorized) })
    }
}

/// Whether two secrets are equal, in time that depends on neither: their SHA-256 digests (fixed
/// length) are compared byte by byte without stopping at the first difference.
fn same_secret(given: &str, expected: &str) -> bool {
    let (a, b) = (Sha256::digest(given.as_bytes()), Sha256::digest(expected.as_bytes()));
    a.iter().zip(b.iter()).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}

/// The OpenAPI document as served, rendered once at start.
pub struct OpenApiJson(pub String);

/// Liveness: 200 while the process runs.
#[utoipa::path(tag = "operations", responses((status = 200, description = "Alive", body = Health)))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// Readiness: 200 when the database answers (naming its engine), 503 when it does not.
#[utoipa::path(tag = "operations", responses(
    (status = 200, description = "Ready to serve", body = Readiness),
    (status = 503, description = "The database is unreachable", body = Problem, content_type = "application/problem+json")))]
#[get("/readyz")]
pub async fn readyz(db: Data<Db>) -> Result<HttpResponse, ApiError> {
    let engine = db
        .run(|conn| {
            diesel::sql_query("SELECT 1").execute(conn).map_err(|e| {
                tracing::error!(error = %e, "readiness check failed");
                ApiError::Unavailable
            })?;
            Ok(conn.engine())
        })
        .await?;
    Ok(HttpResponse::Ok().json(Readiness { status: "ready", database: engine.name() }))
}

/// Prometheus metrics: requests and latency by route and status, and the database pool. When
/// `WARTA_METRICS_TOKEN` is set, only `Authorization: Bearer <that token>` may read them.
#[utoipa::path(tag = "operations", responses(
    (status = 200, description = "Prometheus text format", body = String, content_type = "text/plain; version=0.0.4"),
    (status = 401, description = "`WARTA_METRICS_TOKEN` is set and the request does not carry it", body = Problem, content_type = "application/problem+json")))]
#[get("/metrics")]
pub async fn metrics(_access: MetricsAccess, metrics: Data<Metrics>, db: Data<Db>) -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain; version=0.0.4; charset=utf-8").body(metrics.render(db.pool_state()))
}

/// This API as OpenAPI 3.1. The interactive docs at `/docs` read it.
#[utoipa::path(tag = "operations", responses(
    (status = 200, description = "The OpenAPI document", body = Object, content_type = "application/json")))]
#[get("/openapi.json")]
pub async fn openapi_json(doc: Data<OpenApiJson>) -> HttpResponse {
    HttpResponse::Ok().content_type("application/json").body(doc.0.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_compare_exactly() {
        assert!(same_secret("metrics-token-123456", "metrics-token-123456"));
        assert!(!same_secret("metrics-token-12345", "metrics-token-123456"));
        assert!(!same_secret("", "metrics-token-123456"));
    }
}
