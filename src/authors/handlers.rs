//! HTTP handlers of `/authors`.

use actix_web::web::{Data, Json, Path, Query};
use actix_web::{delete, get, patch, post, HttpRequest, HttpResponse};

use crate::auth::{AuthUser, MaybeUser};
use crate::authors::dto::{AuthorResponse, CreateAuthorRequest, UpdateAuthorRequest};
use crate::authors::service;
use crate::clock::Now;
use crate::db::Db;
use crate::domain::key::ItemKey;
use crate::domain::pagination::{PageParams, PageQuery, Paginated};
use crate::domain::role::Action;
use crate::error::{ApiError, Problem};
use crate::extract::JsonBody;
use crate::responses;

/// List authors, by name.
#[utoipa::path(tag = "authors", security((), ("bearer" = [])), params(PageQuery), responses(
    (status = 200, description = "A page of authors", body = Paginated<AuthorResponse>,
        headers(("Link" = String, description = "RFC 8288 links to the first, previous, next and last pages"))),
    (status = 401, description = "An `Authorization` header with a token that is invalid, expired or of a deleted account (the route needs none)", body = Problem, content_type = "application/problem+json"),
    (status = 400, description = "A paging parameter is not a number", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "A paging parameter is out of range", body = Problem, content_type = "application/problem+json")))]
#[get("/authors")]
pub async fn list_authors(
    _caller: MaybeUser,
    req: HttpRequest,
    db: Data<Db>,
    now: Now,
    query: Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = PageParams::parse(&query)?;
    let authors = db.run(move |conn| service::list(conn, page, now.0)).await?;
    Ok(responses::page(&req, &authors))
}

/// Create a byline (editor or admin).
#[utoipa::path(tag = "authors", security(("bearer" = [])), request_body = CreateAuthorRequest, responses(
    (status = 201, description = "Created", body = AuthorResponse, headers(("Location" = String, description = "The new author")),
        links(
            ("GetAuthor" = (operation_id = "get_author", parameters(("key" = "$response.body#/id")))),
            ("UpdateAuthor" = (operation_id = "update_author", parameters(("key" = "$response.body#/id")))),
            ("DeleteAuthor" = (operation_id = "delete_author", parameters(("key" = "$response.body#/id")))),
        )),
    (status = 400, description = "Body is not JSON", body = Problem, content_type = "application/problem+json"),
    (status = 401, description = "Missing, invalid or expired token", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Writers may not manage authors", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "The slug is taken", body = Problem, content_type = "application/problem+json"),
    (status = 415, description = "Body is not application/json", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid field", body = Problem, content_type = "application/problem+json")))]
#[post("/authors")]
pub async fn create_author(
    db: Data<Db>,
    now: Now,
    user: AuthUser,
    body: JsonBody<CreateAuthorRequest>,
) -> Result<HttpResponse, ApiError> {
    user.require(Action::ManageTaxonomy)?;
    let req = body.parse()?;
    let author = db.run(move |conn| service::create(conn, &user, req, now.0)).await?;
    Ok(responses::created(format!("/api/v1/authors/{}", author.id), &author))
}

/// One author, by id or slug.
#[utoipa::path(tag = "authors", security((), ("bearer" = [])), params(("key" = String, Path, description = "An id (all digits) or a slug")), responses(
    (status = 200, description = "The author", body = AuthorResponse),
    (status = 401, description = "An `Authorization` header with a token that is invalid, expired or of a deleted account (the route needs none)", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such author", body = Problem, content_type = "application/problem+json")))]
#[get("/authors/{key}")]
pub async fn get_author(
    _caller: MaybeUser,
    db: Data<Db>,
    now: Now,
    key: Path<String>,
) -> Result<Json<AuthorResponse>, ApiError> {
    let key = ItemKey::parse(&key);
    Ok(Json(db.run(move |conn| service::get(conn, &key, now.0)).await?))
}

/// Change a byline (editor or admin). Renaming keeps the slug.
#[utoipa::path(tag = "authors", security(("bearer" = [])), params(("key" = String, Path, description = "An id (all digits) or a slug")),
    request_body = UpdateAuthorRequest, responses(
    (status = 200, description = "The changed author", body = AuthorResponse),
    (status = 400, description = "Body is not JSON", body = Problem, content_type = "application/problem+json"),
    (status = 401, description = "Missing, invalid or expired token", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Writers may not manage authors", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such author", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "The slug is taken", body = Problem, content_type = "application/problem+json"),
    (status = 415, description = "Body is not application/json", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid field", body = Problem, content_type = "application/problem+json")))]
#[patch("/authors/{key}")]
pub async fn update_author(
    db: Data<Db>,
    now: Now,
    user: AuthUser,
    key: Path<String>,
    body: JsonBody<UpdateAuthorRequest>,
) -> Result<Json<AuthorResponse>, ApiError> {
    let key = ItemKey::parse(&key);
    let (id, user) = db.run(move |conn| Ok((service::find_changeable(conn, &user, &key)?, user))).await?;
    let req = body.parse()?;
    Ok(Json(db.run(move |conn| service::update(conn, &user, id, req, now.0)).await?))
}

/// Delete a byline (editor or admin); refused with 409 while it is on any article.
#[utoipa::path(tag = "authors", security(("bearer" = [])), params(("key" = String, Path, description = "An id (all digits) or a slug")), responses(
    (status = 204, description = "Deleted"),
    (status = 401, description = "Missing, invalid or expired token", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Writers may not manage authors", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such author", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "The author is bylined on articles", body = Problem, content_type = "application/problem+json")))]
#[delete("/authors/{key}")]
pub async fn delete_author(
    db: Data<Db>,
    now: Now,
    user: AuthUser,
    key: Path<String>,
) -> Result<HttpResponse, ApiError> {
    let key = ItemKey::parse(&key);
    db.run(move |conn| service::delete(conn, &user, &key, now.0)).await?;
    Ok(responses::no_content())
}
