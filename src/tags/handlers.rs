//! HTTP handlers of `/tags`.

use actix_web::web::{Data, Json, Path, Query};
use actix_web::{delete, get, patch, post, HttpRequest, HttpResponse};

use crate::auth::{AuthUser, MaybeUser};
use crate::clock::Now;
use crate::db::Db;
use crate::domain::key::ItemKey;
use crate::domain::pagination::{PageParams, PageQuery, Paginated};
use crate::domain::role::Action;
use crate::error::{ApiError, Problem};
use crate::extract::JsonBody;
use crate::responses;
use crate::tags::dto::{CreateTagRequest, TagResponse, UpdateTagRequest};
use crate::tags::service::{self, Audience};

/// List tags, by name. Anonymous readers see only tags that name a visible article (and `meta.total`
/// counts only those); signed-in accounts see every tag, as picking tags for a draft needs.
#[utoipa::path(tag = "tags", security((), ("bearer" = [])), params(PageQuery), responses(
    (status = 200, description = "A page of tags", body = Paginated<TagResponse>,
        headers(("Link" = String, description = "RFC 8288 links to the first, previous, next and last pages"))),
    (status = 401, description = "An `Authorization` header with a token that is invalid, expired or of a deleted account (the route needs none)", body = Problem, content_type = "application/problem+json"),
    (status = 400, description = "A paging parameter is not a number", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "A paging parameter is out of range", body = Problem, content_type = "application/problem+json")))]
#[get("/tags")]
pub async fn list_tags(
    caller: MaybeUser,
    req: HttpRequest,
    db: Data<Db>,
    now: Now,
    query: Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = PageParams::parse(&query)?;
    let audience = audience(&caller);
    let tags = db.run(move |conn| service::list(conn, audience, page, now.0)).await?;
    Ok(responses::page(&req, &tags))
}

/// Create a tag ahead of time (editor or admin); articles also create tags by naming them.
#[utoipa::path(tag = "tags", security(("bearer" = [])), request_body = CreateTagRequest, responses(
    (status = 201, description = "Created", body = TagResponse, headers(("Location" = String, description = "The new tag")),
        links(
            ("GetTag" = (operation_id = "get_tag", parameters(("key" = "$response.body#/id")))),
            ("UpdateTag" = (operation_id = "update_tag", parameters(("key" = "$response.body#/id")))),
            ("DeleteTag" = (operation_id = "delete_tag", parameters(("key" = "$response.body#/id")))),
        )),
    (status = 400, description = "Body is not JSON", body = Problem, content_type = "application/problem+json"),
    (status = 401, description = "Missing, invalid or expired token", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Writers may not manage tags", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "The name or slug is taken", body = Problem, content_type = "application/problem+json"),
    (status = 415, description = "Body is not application/json", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid field", body = Problem, content_type = "application/problem+json")))]
#[post("/tags")]
pub async fn create_tag(
    db: Data<Db>,
    now: Now,
    user: AuthUser,
    body: JsonBody<CreateTagRequest>,
) -> Result<HttpResponse, ApiError> {
    user.require(Action::ManageTaxonomy)?;
    let req = body.parse()?;
    let tag = db.run(move |conn| service::create(conn, &user, req, now.0)).await?;
    Ok(responses::created(format!("/api/v1/tags/{}", tag.id), &tag))
}

/// One tag, by id or slug. To anonymous readers a tag that names no visible article is 404.
#[utoipa::path(tag = "tags", security((), ("bearer" = [])), params(("key" = String, Path, description = "An id (all digits) or a slug")), responses(
    (status = 200, description = "The tag", body = TagResponse),
    (status = 401, description = "An `Authorization` header with a token that is invalid, expired or of a deleted account (the route needs none)", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such tag, or (to anonymous readers) one that names no visible article", body = Problem, content_type = "application/problem+json")))]
#[get("/tags/{key}")]
pub async fn get_tag(
    caller: MaybeUser,
    db: Data<Db>,
    now: Now,
    key: Path<String>,
) -> Result<Json<TagResponse>, ApiError> {
    let (key, audience) = (ItemKey::parse(&key), audience(&caller));
    Ok(Json(db.run(move |conn| service::get(conn, audience, &key, now.0)).await?))
}

fn audience(caller: &MaybeUser) -> Audience {
    match caller.0 {
        Some(_) => Audience::Newsroom,
        None => Audience::Readers,
    }
}

/// Rename a tag (editor or admin). Renaming keeps the slug.
#[utoipa::path(tag = "tags", security(("bearer" = [])), params(("key" = String, Path, description = "An id (all digits) or a slug")),
    request_body = UpdateTagRequest, responses(
    (status = 200, description = "The changed tag", body = TagResponse),
    (status = 400, description = "Body is not JSON", body = Problem, content_type = "application/problem+json"),
    (status = 401, description = "Missing, invalid or expired token", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Writers may not manage tags", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such tag", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "The name or slug is taken", body = Problem, content_type = "application/problem+json"),
    (status = 415, description = "Body is not application/json", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid field", body = Problem, content_type = "application/problem+json")))]
#[patch("/tags/{key}")]
pub async fn update_tag(
    db: Data<Db>,
    now: Now,
    user: AuthUser,
    key: Path<String>,
    body: JsonBody<UpdateTagRequest>,
) -> Result<Json<TagResponse>, ApiError> {
    let key = ItemKey::parse(&key);
    let (id, user) = db.run(move |conn| Ok((service::find_changeable(conn, &user, &key)?, user))).await?;
    let req = body.parse()?;
    Ok(Json(db.run(move |conn| service::update(conn, &user, id, req, now.0)).await?))
}

/// Delete a tag (editor or admin); articles that carried it lose it.
#[utoipa::path(tag = "tags", security(("bearer" = [])), params(("key" = String, Path, description = "An id (all digits) or a slug")), responses(
    (status = 204, description = "Deleted"),
    (status = 401, description = "Missing, invalid or expired token", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Writers may not manage tags", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such tag", body = Problem, content_type = "application/problem+json")))]
#[delete("/tags/{key}")]
pub async fn delete_tag(db: Data<Db>, now: Now, user: AuthUser, key: Path<String>) -> Result<HttpResponse, ApiError> {
    let key = ItemKey::parse(&key);
    db.run(move |conn| service::delete(conn, &user, &key, now.0)).await?;
    Ok(responses::no_content())
}
