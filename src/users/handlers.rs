//! HTTP handlers of `/users`: admin only, and a non-admin gets 403 on every path, whatever the id.

use actix_web::web::{Data, Json, Path, Query};
use actix_web::{delete, get, patch, post, HttpRequest, HttpResponse};

use crate::auth::password::Passwords;
use crate::auth::AuthUser;
use crate::clock::Now;
use crate::db::Db;
use crate::domain::ids::UserId;
use crate::domain::key::ItemKey;
use crate::domain::pagination::{PageParams, PageQuery, Paginated};
use crate::domain::role::Action;
use crate::error::{ApiError, Problem};
use crate::extract::JsonBody;
use crate::responses;
use crate::users::dto::{CreateUserRequest, UpdateUserRequest, UserResponse};
use crate::users::service::{self, NewUser, UserUpdate};

/// Users have no slug: only an id names one.
fn user_id(raw: &str) -> Result<UserId, ApiError> {
    match ItemKey::parse(raw) {
        ItemKey::Id(id) => Ok(UserId(id)),
        _ => Err(ApiError::NotFound("user")),
    }
}

/// List accounts.
#[utoipa::path(tag = "users", security(("bearer" = [])), params(PageQuery), responses(
    (status = 200, description = "A page of accounts", body = Paginated<UserResponse>,
        headers(("Link" = String, description = "RFC 8288 links to the first, previous, next and last pages"))),
    (status = 400, description = "A paging parameter is not a number", body = Problem, content_type = "application/problem+json"),
    (status = 401, description = "Missing, invalid or expired token", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "A paging parameter is out of range", body = Problem, content_type = "application/problem+json")))]
#[get("/users")]
pub async fn list_users(
    req: HttpRequest,
    db: Data<Db>,
    admin: AuthUser,
    query: Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    admin.require(Action::ManageUsers)?;
    let page = PageParams::parse(&query)?;
    let users = db.run(move |conn| service::list(conn, page)).await?;
    Ok(responses::page(&req, &users))
}

/// Create an account (editor, writer or admin).
#[utoipa::path(tag = "users", security(("bearer" = [])), request_body = CreateUserRequest, responses(
    (status = 201, description = "Created", body = UserResponse, headers(("Location" = String, description = "The new account")),
        links(
            ("GetUser" = (operation_id = "get_user", parameters(("id" = "$response.body#/id")))),
            ("UpdateUser" = (operation_id = "update_user", parameters(("id" = "$response.body#/id")))),
            ("DeleteUser" = (operation_id = "delete_user", parameters(("id" = "$response.body#/id")))),
        )),
    (status = 400, description = "Body is not JSON", body = Problem, content_type = "application/problem+json"),
    (status = 401, description = "Missing, invalid or expired token", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "The email is taken", body = Problem, content_type = "application/problem+json"),
    (status = 415, description = "Body is not application/json", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid field", body = Problem, content_type = "application/problem+json")))]
#[post("/users")]
pub async fn create_user(
    db: Data<Db>,
    passwords: Data<Passwords>,
    admin: AuthUser,
    now: Now,
    body: JsonBody<CreateUserRequest>,
) -> Result<HttpResponse, ApiError> {
    admin.require(Action::ManageUsers)?;
    let user = NewUser::try_from(body.parse()?)?;
    let hash = passwords.hash(user.password.clone()).await?;
    let created = db.run(move |conn| service::create(conn, Some(&admin), user, hash, now.0)).await?;
    Ok(responses::created(format!("/api/v1/users/{}", created.id), &created))
}

/// One account.
#[utoipa::path(tag = "users", security(("bearer" = [])), params(("id" = i32, Path, description = "The user's id")), responses(
    (status = 200, description = "The account", body = UserResponse),
    (status = 401, description = "Missing, invalid or expired token", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json")))]
#[get("/users/{id}")]
pub async fn get_user(db: Data<Db>, admin: AuthUser, id: Path<String>) -> Result<Json<UserResponse>, ApiError> {
    admin.require(Action::ManageUsers)?;
    let id = user_id(&id)?;
    Ok(Json(db.run(move |conn| service::get(conn, id)).await?))
}

/// Change an account. A new password ends every login of the account.
#[utoipa::path(tag = "users", security(("bearer" = [])), params(("id" = i32, Path, description = "The user's id")),
    request_body = UpdateUserRequest, responses(
    (status = 200, description = "The changed account", body = UserResponse),
    (status = 400, description = "Body is not JSON", body = Problem, content_type = "application/problem+json"),
    (status = 401, description = "Missing, invalid or expired token", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "The email is taken, or this would demote the last admin", body = Problem, content_type = "application/problem+json"),
    (status = 415, description = "Body is not application/json", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid field", body = Problem, content_type = "application/problem+json")))]
#[patch("/users/{id}")]
pub async fn update_user(
    db: Data<Db>,
    passwords: Data<Passwords>,
    admin: AuthUser,
    id: Path<String>,
    now: Now,
    body: JsonBody<UpdateUserRequest>,
) -> Result<Json<UserResponse>, ApiError> {
    admin.require(Action::ManageUsers)?;
    let id = user_id(&id)?;
    db.run(move |conn| service::get(conn, id)).await?;
    let update = UserUpdate::try_from(body.parse()?)?;
    let hash = match &update.password {
        Some(password) => Some(passwords.hash(password.clone()).await?),
        None => None,
    };
    Ok(Json(db.run(move |conn| service::update(conn, &admin, id, update, hash, now.0)).await?))
}

/// Delete an account. Its logins end at once.
#[utoipa::path(tag = "users", security(("bearer" = [])), params(("id" = i32, Path, description = "The user's id")), responses(
    (status = 204, description = "Deleted"),
    (status = 401, description = "Missing, invalid or expired token", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "The last admin cannot be deleted", body = Problem, content_type = "application/problem+json")))]
#[delete("/users/{id}")]
pub async fn delete_user(db: Data<Db>, admin: AuthUser, id: Path<String>, now: Now) -> Result<HttpResponse, ApiError> {
    admin.require(Action::ManageUsers)?;
    let id = user_id(&id)?;
    db.run(move |conn| service::delete(conn, &admin, id, now.0)).await?;
    Ok(responses::no_content())
}
