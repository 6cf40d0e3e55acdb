//! The one error type of the API and its rendering as RFC 9457 `application/problem+json`.
//! Internal causes are logged here and never shown to clients.

use actix_web::body::{to_bytes_limited, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, StatusCode};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::pagination::ParamError;
use crate::domain::validation::FieldError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: JSON that does not parse, a query value that does not parse as its type.
    #[error("{0}")]
    BadRequest(String),
    /// 422: well-formed input that breaks a rule.
    #[error("the request breaks {} rule(s)", .0.len())]
    Validation(Vec<FieldError>),
    /// 401, answered with `WWW-Authenticate: Bearer`.
    #[error("missing, invalid or expired access token")]
    Unauthorized,
    /// 401 on login: wrong email or password, deliberately the same message for both.
    #[error("the email or password is not correct")]
    BadCredentials,
    #[error("your role does not allow this")]
    Forbidden,
    #[error("{0} not found")]
    NotFound(&'static str),
    /// 405 with `Allow`: the path exists, the method does not.
    #[error("this path answers {0} only")]
    MethodNotAllowed(&'static str),
    #[error("{0}")]
    Conflict(String),
    #[error("the request body is larger than {0} bytes")]
    PayloadTooLarge(usize),
    /// 408: the body did not arrive in time (the connection is closed after the answer).
    #[error("the request body did not arrive within {0} seconds")]
    RequestTimeout(u64),
    /// 415: a body of a type the route does not take; `errors` names the field when it is one
    /// part of a form (an uploaded file that is not a picture).
    #[error("{message}")]
    UnsupportedMediaType { message: String, errors: Vec<FieldError> },
    #[error("too many attempts; retry in {retry_after} seconds")]
    TooManyRequests { retry_after: u64 },
    #[error("this write must say which version it changes (If-Match)")]
    PreconditionRequired,
    #[error("the resource changed since that version")]
    PreconditionFailed,
    #[error("the database is unavailable")]
    Unavailable,
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    /// 415 for a body that must be JSON.
    pub fn not_json() -> ApiError {
        ApiError::UnsupportedMediaType {
            message: "the request body must be application/json".into(),
            errors: Vec::new(),
        }
    }

    pub fn field(field: &str, message: &str) -> ApiError {
        ApiError::Validation(vec![FieldError::new(field, message)])
    }
}

/// An RFC 9457 problem document: every error the API answers has this shape.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"type": "about:blank", "title": "Unprocessable Entity", "status": 422,
    "detail": "the request breaks 1 rule(s)", "errors": [{"field": "name", "message": "must not be empty"}]}))]
pub struct Problem {
    /// A URI naming the kind of problem; `about:blank` means the status says it all.
    #[serde(rename = "type")]
    pub kind: String,
    /// The status code's reason phrase.
    pub title: String,
    pub status: u16,
    /// What went wrong with this request, for a human.
    pub detail: String,
    /// The broken rules of a 422, one per field.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Vec<FieldError>)]
    pub errors: Option<Vec<FieldError>>,
}

impl Problem {
    fn new(status: StatusCode, detail: String, errors: Option<Vec<FieldError>>) -> Problem {
        let title = status.canonical_reason().unwrap_or("Error").to_owned();
        Problem { kind: "about:blank".into(), title, status: status.as_u16(), detail, errors }
    }
}

/// Middleware: an error answered by the framework or another middleware (a CORS refusal, say)
/// rather than by a handler becomes a problem document too, keeping its status and headers; its
/// text, when short and plain, is the detail.
pub async fn problem_bodies(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let response = next.call(req).await?;
    let status = response.status();
    let content_type = response.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if !(status.is_client_error() || status.is_server_error()) || content_type.starts_with("application/problem+json") {
        return Ok(response.map_into_boxed_body());
    }
    let plain = content_type.is_empty() || content_type.starts_with("text/plain");
    let encoded = response.headers().contains_key(header::CONTENT_ENCODING);
    let (request, response) = response.into_parts();
    let mut head = HttpResponse::build(status);
    for (name, value) in response.headers() {
        if ![header::CONTENT_TYPE, header::CONTENT_LENGTH, header::CONTENT_ENCODING].contains(name) {
            head.append_header((name.clone(), value.clone()));
        }
    }
    let text = match to_bytes_limited(response.into_body(), 512).await {
        Ok(Ok(bytes)) if plain && !encoded => String::from_utf8_lossy(&bytes).trim().to_owned(),
        _ => String::new(),
    };
    let detail = if text.is_empty() { status.canonical_reason().unwrap_or("error").to_lowercase() } else { text };
    let problem = Problem::new(status, detail, None);
    let response = head.insert_header((header::CONTENT_TYPE, "application/problem+json")).json(problem);
    Ok(ServiceResponse::new(request, response))
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unauthorized | ApiError::BadCredentials => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::RequestTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            ApiError::UnsupportedMediaType { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            ApiError::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            ApiError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        if let ApiError::Internal(cause) = self {
            let _request = crate::telemetry::request_span().entered();
            tracing::error!(error = ?cause, "request failed");
        }
        let errors = match self {
            ApiError::Validation(errors) => Some(errors.clone()),
            ApiError::UnsupportedMediaType { errors, .. } if !errors.is_empty() => Some(errors.clone()),
            _ => None,
        };
        let problem = Problem::new(status, self.to_string(), errors);
        let mut response = HttpResponse::build(status);
        response.insert_header((header::CONTENT_TYPE, "application/problem+json"));
        match self {
            ApiError::Unauthorized | ApiError::BadCredentials => {
                response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
            }
            ApiError::TooManyRequests { retry_after } => {
                response.insert_header((header::RETRY_AFTER, retry_after.to_string()));
            }
            ApiError::MethodNotAllowed(allow) => {
                response.insert_header((header::ALLOW, *allow));
            }
            // The rest of a slow body may still be on its way: the connection is not reused.
            ApiError::RequestTimeout(_) => {
                response.force_close();
            }
            _ => {}
        }
        response.body(serde_json::to_string(&problem).unwrap_or_default())
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> Self {
        match e {
            diesel::result::Error::NotFound => ApiError::NotFound("resource"),
            // The write lock stayed taken past the busy timeout: the request was fine, the moment
            // was not, so the client is told to come back (503) rather than that we failed (500).
            diesel::result::Error::DatabaseError(_, ref info) if info.message().contains("database is locked") => {
                tracing::warn!("the database stayed locked past the busy timeout");
                ApiError::Unavailable
            }
            // The server went away under an idle connection (a PostgreSQL restart or failover; it
            // may say so first, "terminating connection due to administrator command"): the pool
            // replaces it, and the client may retry at once.
            diesel::result::Error::DatabaseError(kind, ref info)
                if matches!(
                    kind,
                    diesel::result::DatabaseErrorKind::ClosedConnection
                        | diesel::result::DatabaseErrorKind::UnableToSendCommand
                ) || info.message().starts_with("terminating connection") =>
            {
                tracing::warn!(error = info.message(), "a database connection was closed under us");
                ApiError::Unavailable
            }
            other => ApiError::Internal(other.into()),
        }
    }
}

impl From<diesel::r2d2::PoolError> for ApiError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        tracing::error!(error = %e, "no database connection");
        ApiError::Unavailable
    }
}

impl From<ParamError> for ApiError {
    fn from(e: ParamError) -> Self {
        match e {
            ParamError::Malformed { message, .. } => ApiError::BadRequest(message),
            ParamError::Invalid(field) => ApiError::Validation(vec![field]),
        }
    }
}

impl From<Vec<FieldError>> for ApiError {
    fn from(errors: Vec<FieldError>) -> Self {
        ApiError::Validation(errors)
    }
}

impl From<FieldError> for ApiError {
    fn from(error: FieldError) -> Self {
        ApiError::Validation(vec![error])
    }
}

/// Whether a database error is a unique-constraint clash, which services turn into a 409.
pub fn is_unique_violation(e: &diesel::result::Error) -> bool {
    matches!(e, diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _))
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::body::MessageBody;

    #[test]
    fn every_variant_renders_as_problem_json_with_its_status() {
        let cases = [
            (ApiError::BadRequest("x".into()), 400),
            (ApiError::field("name", "must not be empty"), 422),
            (ApiError::Unauthorized, 401),
            (ApiError::BadCredentials, 401),
            (ApiError::Forbidden, 403),
            (ApiError::NotFound("category"), 404),
            (ApiError::MethodNotAllowed("GET"), 405),
            (ApiError::Conflict("taken".into()), 409),
            (ApiError::PayloadTooLarge(10), 413),
            (ApiError::RequestTimeout(10), 408),
            (ApiError::not_json(), 415),
            (ApiError::TooManyRequests { retry_after: 3 }, 429),
            (ApiError::PreconditionRequired, 428),
            (ApiError::PreconditionFailed, 412),
            (ApiError::Unavailable, 503),
            (ApiError::Internal(anyhow::anyhow!("SELECT secret FROM users")), 500),
        ];
        for (error, status) in cases {
            let response = error.error_response();
            assert_eq!(response.status().as_u16(), status, "{error:?}");
            assert_eq!(
                response.headers().get(header::CONTENT_TYPE).map(|v| v.as_bytes()),
                Some(&b"application/problem+json"[..])
            );
            let body = response.into_body().try_into_bytes().expect("a plain body");
            let json: serde_json::Value = serde_json::from_slice(&body).expect("json");
            assert_eq!(json["status"], status);
            assert!(!String::from_utf8_lossy(&body).contains("SELECT"), "internal detail leaked");
        }
    }
}
