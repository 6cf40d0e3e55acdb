//! HTTP handlers of `/syndication`.

use actix_web::web::{Data, Query};
use actix_web::{get, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::MaybeUser;
use crate::clock::Now;
use crate::config::Settings;
use crate::db::Db;
use crate::error::{ApiError, Problem};
use crate::syndication::service::{self, JsonFeed};

#[derive(Debug, Deserialize, IntoParams)]
pub struct FeedQuery {
    /// A category slug; its sub-categories are included.
    #[serde(default, deserialize_with = "crate::extract::non_empty")]
    pub category: Option<String>,
}

/// RSS 2.0 of the latest 50 visible articles, with absolute links.
#[utoipa::path(tag = "syndication", security((), ("bearer" = [])), params(FeedQuery), responses(
    (status = 200, description = "An RSS 2.0 document", body = String, content_type = "application/rss+xml"),
    (status = 401, description = "An `Authorization` header with a token that is invalid, expired or of a deleted account (the route needs none)", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such category", body = Problem, content_type = "application/problem+json")))]
#[get("/syndication/rss.xml")]
pub async fn rss(
    _caller: MaybeUser,
    db: Data<Db>,
    settings: Data<Settings>,
    now: Now,
    query: Query<FeedQuery>,
) -> Result<HttpResponse, ApiError> {
    let settings = settings.into_inner();
    let content = {
        let settings = settings.clone();
        db.run(move |conn| service::content(conn, query.category.as_deref(), &settings, now.0)).await?
    };
    Ok(HttpResponse::Ok().content_type("application/rss+xml; charset=utf-8").body(service::rss(&content, &settings)))
}

/// JSON Feed 1.1 of the latest 50 visible articles, with absolute links.
#[utoipa::path(tag = "syndication", security((), ("bearer" = [])), params(FeedQuery), responses(
    (status = 200, description = "A JSON Feed 1.1 document", body = JsonFeed, content_type = "application/feed+json"),
    (status = 401, description = "An `Authorization` header with a token that is invalid, expired or of a deleted account (the route needs none)", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such category", body = Problem, content_type = "application/problem+json")))]
#[get("/syndication/feed.json")]
pub async fn json_feed(
    _caller: MaybeUser,
    db: Data<Db>,
    settings: Data<Settings>,
    now: Now,
    query: Query<FeedQuery>,
) -> Result<HttpResponse, ApiError> {
    let settings = settings.into_inner();
    let content = {
        let settings = settings.clone();
        db.run(move |conn| service::content(conn, query.category.as_deref(), &settings, now.0)).await?
    };
    let feed = service::json_feed(content, &settings);
    Ok(HttpResponse::Ok().content_type("application/feed+json; charset=utf-8").json(feed))
}
