//! HTTP handlers of `/feeds`.

use actix_web::get;
use actix_web::web::{Data, Json, Query};

use crate::auth::MaybeUser;
use crate::clock::Moment;
use crate::db::Db;
use crate::error::{ApiError, Problem};
use crate::feeds::dto::{LatestFeed, LatestQuery, TrendingFeed, TrendingQuery};
use crate::feeds::service::{self, TrendingCache};

/// "UPDATE": the newest visible articles, `published_at` descending then `id` descending.
/// Page on with `cursor` = the previous `next_cursor`.
#[utoipa::path(tag = "feeds", security((), ("bearer" = [])), params(LatestQuery), responses(
    (status = 200, description = "Newest first", body = LatestFeed),
    (status = 401, description = "An `Authorization` header with a token that is invalid, expired or of a deleted account (the route needs none)", body = Problem, content_type = "application/problem+json"),
    (status = 400, description = "`limit` is not a number, or the cursor is not ours", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "`limit` out of range", body = Problem, content_type = "application/problem+json")))]
#[get("/feeds/latest")]
pub async fn latest_feed(
    _caller: MaybeUser,
    db: Data<Db>,
    at: Moment,
    query: Query<LatestQuery>,
) -> Result<Json<LatestFeed>, ApiError> {
    Ok(Json(db.run(move |conn| service::latest(conn, &query, at)).await?))
}

/// "Populer": the most-read visible articles over `window`, each with its `views` in it, most
/// first; ties go to the later `published_at`. Articles without a read in the window are left out.
#[utoipa::path(tag = "feeds", security((), ("bearer" = [])), params(TrendingQuery), responses(
    (status = 200, description = "Most read first", body = TrendingFeed),
    (status = 401, description = "An `Authorization` header with a token that is invalid, expired or of a deleted account (the route needs none)", body = Problem, content_type = "application/problem+json"),
    (status = 400, description = "`limit` is not a number", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Unknown window or `limit` out of range", body = Problem, content_type = "application/problem+json")))]
#[get("/feeds/trending")]
pub async fn trending_feed(
    _caller: MaybeUser,
    db: Data<Db>,
    at: Moment,
    cache: Data<TrendingCache>,
    query: Query<TrendingQuery>,
) -> Result<Json<TrendingFeed>, ApiError> {
    Ok(Json(db.run(move |conn| service::trending(conn, &query, &cache, at)).await?))
}
