//! HTTP handler of the view beacon: an article sub-resource, so it lives with articles and the
//! read counter in `views` never needs to look articles up (dependencies point one way).

use actix_web::http::header;
use actix_web::web::{Data, Path};
use actix_web::{post, HttpRequest, HttpResponse};

use crate::articles;
use crate::auth::MaybeUser;
use crate::clock::Now;
use crate::db::Db;
use crate::domain::key::ItemKey;
use crate::error::{ApiError, Problem};
use crate::extract::ClientAddr;
use crate::views::service::{is_bot, ArticleKeys, ViewCounter};

/// Record one read of an article, for the trending feed and `view_count`.
///
/// No body is needed. The same client (address and User-Agent) reading the same article again
/// within `WARTA_VIEW_DEDUPE_SECONDS` counts once, and one address counts at most
/// `WARTA_VIEW_READS_PER_ADDRESS` reads of an article in that time, whatever its User-Agents; robots (and clients without a User-Agent) are
/// answered 202 but not counted. Reads reach the trending feed within a second or two.
#[utoipa::path(tag = "articles", security((), ("bearer" = [])), params(("key" = String, Path, description = "An id (all digits) or a slug")), responses(
    (status = 202, description = "Accepted"),
    (status = 401, description = "An `Authorization` header with a token that is invalid, expired or of a deleted account (the route needs none)", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such article, or not visible", body = Problem, content_type = "application/problem+json")))]
#[post("/articles/{key}/views")]
pub async fn record_view(
    _caller: MaybeUser,
    req: HttpRequest,
    db: Data<Db>,
    counter: Data<ViewCounter>,
    keys: Data<ArticleKeys>,
    client: ClientAddr,
    key: Path<String>,
) -> Result<HttpResponse, ApiError> {
    let now = Now::of(&req);
    let article = match keys.visible(&key, now) {
        Some(known) => known,
        None => {
            let raw = key.into_inner();
            let item = ItemKey::parse(&raw);
            let epoch = keys.epoch();
            let found = db.run(move |conn| articles::service::visibility(conn, &item)).await?;
            keys.remember(raw, found, epoch);
            found.and_then(|(id, status, at)| status.is_visible(at, now).then_some(id))
        }
    }
    .ok_or(ApiError::NotFound("article"))?;
    let agent = req.headers().get(header::USER_AGENT).and_then(|v| v.to_str().ok());
    if !is_bot(agent) {
        counter.record(article, client.0, agent.unwrap_or_default(), now);
    }
    Ok(HttpResponse::Accepted().finish())
}
