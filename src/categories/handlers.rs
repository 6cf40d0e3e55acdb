//! HTTP handlers of `/categories`.

use actix_web::web::{Data, Json, Path, Query};
use actix_web::{delete, get, patch, post, HttpResponse};

use crate::auth::{AuthUser, MaybeUser};
use crate::categories::dto::{
    CategoryList, CategoryListQuery, CategoryResponse, CreateCategoryRequest, UpdateCategoryRequest,
};
use crate::categories::service;
use crate::clock::Now;
use crate::db::Db;
use crate::domain::key::ItemKey;
use crate::domain::role::Action;
use crate::error::{ApiError, Problem};
use crate::extract::JsonBody;
use crate::responses;

/// All categories, in tree order (depth-first, by position then name). Not paginated: a site has at
/// most 1,000 categories, nested at most 10 levels deep.
#[utoipa::path(tag = "categories", security((), ("bearer" = [])), params(CategoryListQuery), responses(
    (status = 200, description = "Every category", body = CategoryList),
    (status = 401, description = "An `Authorization` header with a token that is invalid, expired or of a deleted account (the route needs none)", body = Problem, content_type = "application/problem+json"),
    (status = 400, description = "`tree` is not a boolean", body = Problem, content_type = "application/problem+json")))]
#[get("/categories")]
pub async fn list_categories(
    _caller: MaybeUser,
    db: Data<Db>,
    now: Now,
    query: Query<CategoryListQuery>,
) -> Result<Json<CategoryList>, ApiError> {
    let nested = match query.tree.as_deref() {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => return Err(ApiError::BadRequest("query parameter `tree` must be true or false".into())),
    };
    let data = db.run(move |conn| service::list(conn, nested, now.0)).await?;
    Ok(Json(CategoryList { data }))
}

/// Create a category (editor or admin). Categories nest at most 10 levels deep, and a site has at
/// most 1,000.
#[utoipa::path(tag = "categories", security(("bearer" = [])), request_body = CreateCategoryRequest, responses(
    (status = 201, description = "Created", body = CategoryResponse, headers(("Location" = String, description = "The new category")),
        links(
            ("GetCategory" = (operation_id = "get_category", parameters(("key" = "$response.body#/id")))),
            ("UpdateCategory" = (operation_id = "update_category", parameters(("key" = "$response.body#/id")))),
            ("DeleteCategory" = (operation_id = "delete_category", parameters(("key" = "$response.body#/id")))),
        )),
    (status = 400, description = "Body is not JSON", body = Problem, content_type = "application/problem+json"),
    (status = 401, description = "Missing, invalid or expired token", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Writers may not manage categories", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "The slug is taken, or 1,000 categories exist already (the most a site may have)", body = Problem, content_type = "application/problem+json"),
    (status = 415, description = "Body is not application/json", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid field, a parent that does not exist, or one already at the tenth level (categories nest at most 10 levels deep)", body = Problem, content_type = "application/problem+json")))]
#[post("/categories")]
pub async fn create_category(
    db: Data<Db>,
    now: Now,
    user: AuthUser,
    body: JsonBody<CreateCategoryRequest>,
) -> Result<HttpResponse, ApiError> {
    user.require(Action::ManageTaxonomy)?;
    let req = body.parse()?;
    let category = db.run(move |conn| service::create(conn, &user, req, now.0)).await?;
    Ok(responses::created(format!("/api/v1/categories/{}", category.id), &category))
}

/// One category, by id or slug, with its breadcrumb `path`.
#[utoipa::path(tag = "categories", security((), ("bearer" = [])), params(("key" = String, Path, description = "An id (all digits) or a slug")), responses(
    (status = 200, description = "The category", body = CategoryResponse),
    (status = 401, description = "An `Authorization` header with a token that is invalid, expired or of a deleted account (the route needs none)", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such category", body = Problem, content_type = "application/problem+json")))]
#[get("/categories/{key}")]
pub async fn get_category(
    _caller: MaybeUser,
    db: Data<Db>,
    now: Now,
    key: Path<String>,
) -> Result<Json<CategoryResponse>, ApiError> {
    let key = ItemKey::parse(&key);
    Ok(Json(db.run(move |conn| service::get(conn, &key, now.0)).await?))
}

/// Change or move a category (editor or admin).
#[utoipa::path(tag = "categories", security(("bearer" = [])), params(("key" = String, Path, description = "An id (all digits) or a slug")),
    request_body = UpdateCategoryRequest, responses(
    (status = 200, description = "The changed category", body = CategoryResponse),
    (status = 400, description = "Body is not JSON", body = Problem, content_type = "application/problem+json"),
    (status = 401, description = "Missing, invalid or expired token", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Writers may not manage categories", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such category", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "The slug is taken", body = Problem, content_type = "application/problem+json"),
    (status = 415, description = "Body is not application/json", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid field, a missing parent, or a move that would make a cycle or put the category or one below it deeper than 10 levels", body = Problem, content_type = "application/problem+json")))]
#[patch("/categories/{key}")]
pub async fn update_category(
    db: Data<Db>,
    now: Now,
    user: AuthUser,
    key: Path<String>,
    body: JsonBody<UpdateCategoryRequest>,
) -> Result<Json<CategoryResponse>, ApiError> {
    let key = ItemKey::parse(&key);
    let (id, user) = db.run(move |conn| Ok((service::find_changeable(conn, &user, &key)?, user))).await?;
    let req = body.parse()?;
    Ok(Json(db.run(move |conn| service::update(conn, &user, id, req, now.0)).await?))
}

/// Delete a category (editor or admin); refused with 409 while it has sub-categories or articles.
#[utoipa::path(tag = "categories", security(("bearer" = [])), params(("key" = String, Path, description = "An id (all digits) or a slug")), responses(
    (status = 204, description = "Deleted"),
    (status = 401, description = "Missing, invalid or expired token", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Writers may not manage categories", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such category", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "The category has sub-categories or articles", body = Problem, content_type = "application/problem+json")))]
#[delete("/categories/{key}")]
pub async fn delete_category(
    db: Data<Db>,
    now: Now,
    user: AuthUser,
    key: Path<String>,
) -> Result<HttpResponse, ApiError> {
    let key = ItemKey::parse(&key);
    db.run(move |conn| service::delete(conn, &user, &key, now.0)).await?;
    Ok(responses::no_content())
}
