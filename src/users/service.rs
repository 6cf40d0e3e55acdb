//! The rules of user accounts: unique emails, linked bylines that exist, and never fewer than one admin.

use chrono::NaiveDateTime;

use crate::audit::{self, Change, Resource};
use crate::auth::AuthUser;
use crate::authors::repo as authors;
use crate::db::{self, DbConn};
use crate::domain::ids::{AuthorId, UserId};
use crate::domain::pagination::{PageParams, Paginated};
use crate::domain::role::Role;
use crate::domain::validation::{new_password, required_text, Email, FieldError, Violations};
use crate::error::{is_unique_violation, ApiError};
use crate::users::dto::{CreateUserRequest, UpdateUserRequest, UserResponse};
use crate::users::repo::{self, NewUserRow, UserChanges};

/// A validated new account; the password is hashed by the caller, off the database connection.
#[derive(Debug)]
pub struct NewUser {
    pub email: Email,
    pub name: String,
    pub role: Role,
    pub password: String,
    pub author_id: Option<AuthorId>,
}

impl TryFrom<CreateUserRequest> for NewUser {
    type Error = ApiError;

    /// Every broken field is named at once.
    fn try_from(req: CreateUserRequest) -> Result<Self, ApiError> {
        let mut v = Violations::new();
        let email = req.email.required("email", &mut v).and_then(|e| v.check(Email::parse("email", &e)));
        let name = req.name.required("name", &mut v).and_then(|n| v.check(required_text("name", &n, 200)));
        let role = req.role.required("role", &mut v);
        let password = req.password.required("password", &mut v).and_then(|p| v.check(new_password("password", &p)));
        let author_id = req.author_id.nullable("author_id", &mut v).flatten();
        v.into_result()?;
        match (email, name, role, password) {
            (Some(email), Some(name), Some(role), Some(password)) => {
                Ok(NewUser { email, name, role, password, author_id })
            }
            _ => Err(ApiError::Internal(anyhow::anyhow!("validation passed without values"))),
        }
    }
}

/// A validated change to an account.
#[derive(Debug, Default)]
pub struct UserUpdate {
    pub email: Option<Email>,
    pub name: Option<String>,
    pub role: Option<Role>,
    pub password: Option<String>,
    pub author_id: Option<Option<AuthorId>>,
}

impl TryFrom<UpdateUserRequest> for UserUpdate {
    type Error = ApiError;

    /// Every broken field is named at once; `null` is refused except for `author_id`.
    fn try_from(req: UpdateUserRequest) -> Result<Self, ApiError> {
        let mut v = Violations::new();
        let update = UserUpdate {
            email: req.email.present("email", &mut v).and_then(|e| v.check(Email::parse("email", &e))),
            name: req.name.present("name", &mut v).and_then(|n| v.check(required_text("name", &n, 200))),
            role: req.role.present("role", &mut v),
            password: req.password.present("password", &mut v).and_then(|p| v.check(new_password("password", &p))),
            author_id: req.author_id.nullable("author_id", &mut v),
        };
        v.into_result()?;
        Ok(update)
    }
}

fn response(row: repo::UserRow) -> Result<UserResponse, ApiError> {
    Ok(UserResponse::from(row))
}

fn check_author(conn: &mut DbConn, author: Option<AuthorId>) -> Result<(), ApiError> {
    match author {
        Some(id) if !authors::exists(conn, id)? => Err(FieldError::new("author_id", "names no author").into()),
        _ => Ok(()),
    }
}

fn email_taken(e: diesel::result::Error) -> ApiError {
    if is_unique_violation(&e) {
        ApiError::Conflict("a user with this email already exists".into())
    } else {
        e.into()
    }
}

pub fn list(conn: &mut DbConn, page: PageParams) -> Result<Paginated<UserResponse>, ApiError> {
    let total = repo::count(conn)?;
    let rows = repo::page(conn, page.limit(), page.offset())?;
    Ok(Paginated { data: rows.into_iter().map(response).collect::<Result<_, _>>()?, meta: page.meta(total) })
}

pub fn get(conn: &mut DbConn, id: UserId) -> Result<UserResponse, ApiError> {
    response(repo::find(conn, id)?.ok_or(ApiError::NotFound("user"))?)
}

/// Creates an account; `actor` is `None` for the operator's command line.
pub fn create(
    conn: &mut DbConn,
    actor: Option<&AuthUser>,
    user: NewUser,
    password_hash: String,
    now: NaiveDateTime,
) -> Result<UserResponse, ApiError> {
    db::write(conn, |conn| {
        check_author(conn, user.author_id)?;
        let row = NewUserRow {
            email_key: user.email.key(),
            email: user.email.as_str().to_owned(),
            name: user.name,
            role: user.role,
            password_hash,
            author_id: user.author_id,
            created_at: now,
            updated_at: now,
        };
        let row = repo::insert(conn, &row).map_err(email_taken)?;
        match actor {
            Some(actor) => audit::record(conn, actor, now, Change::Create, Resource::User, row.id.0, None)?,
            None => audit::record_by_operator(conn, now, Change::Create, Resource::User, row.id.0)?,
        }
        response(row)
    })
}

pub fn update(
    conn: &mut DbConn,
    actor: &AuthUser,
    id: UserId,
    update: UserUpdate,
    password_hash: Option<String>,
    now: NaiveDateTime,
) -> Result<UserResponse, ApiError> {
    db::write(conn, |conn| {
        let current = repo::find(conn, id)?.ok_or(ApiError::NotFound("user"))?;
        // Only what differs from the stored account is a change; a request that changes nothing
        // answers the account as it is, with no write and no audit entry. A password always counts.
        let email = update.email.filter(|e| e.as_str() != current.email);
        let name = update.name.filter(|n| *n != current.name);
        let role = update.role.filter(|r| *r != current.role);
        let author_id = update.author_id.filter(|a| *a != current.author_id);
        if email.is_none() && name.is_none() && role.is_none() && author_id.is_none() && password_hash.is_none() {
            return response(current);
        }
        let demoted = current.role == Role::Admin && role.is_some_and(|r| r != Role::Admin);
        if demoted && repo::count_with_role(conn, Role::Admin)? <= 1 {
            return Err(ApiError::Conflict("the last admin cannot be demoted".into()));
        }
        if let Some(author) = author_id {
            check_author(conn, author)?;
        }
        let changes = UserChanges {
            email_key: email.as_ref().map(Email::key),
            email: email.map(|e| e.as_str().to_owned()),
            name,
            role,
            author_id,
            updated_at: Some(now),
            password_hash: password_hash.clone(),
            last_login_at: None,
        };
        let row = repo::update(conn, id, &changes).map_err(email_taken)?;
        if password_hash.is_some() {
            crate::auth::service::end_every_login(conn, id, now)?;
        }
        audit::record(conn, actor, now, Change::Update, Resource::User, id.0, None)?;
        response(row)
    })
}

pub fn delete(conn: &mut DbConn, actor: &AuthUser, id: UserId, now: NaiveDateTime) -> Result<(), ApiError> {
    db::write(conn, |conn| {
        let current = repo::find(conn, id)?.ok_or(ApiError::NotFound("user"))?;
        if current.role == Role::Admin && repo::count_with_role(conn, Role::Admin)? <= 1 {
            return Err(ApiError::Conflict("the last admin cannot be deleted".into()));
        }
        // Recorded first: the entry keeps the actor's email even when admins delete themselves.
        audit::record(conn, actor, now, Change::Delete, Resource::User, id.0, None)?;
        repo::delete(conn, id)?;
        Ok(())
    })
}

/// Creates the first admin when there is no account at all; returns whether it did.
pub fn create_first_admin(
    conn: &mut DbConn,
    email: &Email,
    password_hash: String,
    now: NaiveDateTime,
) -> Result<bool, ApiError> {
    db::write(conn, |conn| {
        if repo::count(conn)? > 0 {
            return Ok(false);
        }
        let row = repo::insert(
            conn,
            &NewUserRow {
                email: email.as_str().to_owned(),
                email_key: email.key(),
                name: "Administrator".into(),
                role: Role::Admin,
                password_hash,
                author_id: None,
                created_at: now,
                updated_at: now,
            },
        )?;
        audit::record_by_operator(conn, now, Change::Create, Resource::User, row.id.0)?;
        Ok(true)
    })
}

pub fn count(conn: &mut DbConn) -> Result<i64, ApiError> {
    Ok(repo::count(conn)?)
}
