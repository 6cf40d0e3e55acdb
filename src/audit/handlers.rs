//! HTTP handler of `/audit`.

use actix_web::web::{Data, Query};
use actix_web::{get, HttpRequest, HttpResponse};

use crate::audit::dto::{AuditEntry, AuditQuery};
use crate::audit::service;
use crate::caller::AuthUser;
use crate::db::Db;
use crate::domain::pagination::Paginated;
use crate::domain::role::Action;
use crate::error::{ApiError, Problem};
use crate::responses;

/// The audit log, newest first: every write to articles, categories, authors, tags and accounts
/// (including password changes) with who, what, when, and an article's version before and after.
/// Admins only.
#[utoipa::path(tag = "audit", security(("bearer" = [])), params(AuditQuery), responses(
    (status = 200, description = "A page of the log", body = Paginated<AuditEntry>,
        headers(("Link" = String, description = "RFC 8288 links to the first, previous, next and last pages"))),
    (status = 400, description = "A parameter is not a number", body = Problem, content_type = "application/problem+json"),
    (status = 401, description = "Missing, invalid or expired token", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "A parameter is out of range", body = Problem, content_type = "application/problem+json")))]
#[get("/audit")]
pub async fn list_audit(
    req: HttpRequest,
    db: Data<Db>,
    admin: AuthUser,
    query: Query<AuditQuery>,
) -> Result<HttpResponse, ApiError> {
    admin.require(Action::ManageUsers)?;
    let page = db.run(move |conn| service::list(conn, &query)).await?;
    Ok(responses::page(&req, &page))
}
