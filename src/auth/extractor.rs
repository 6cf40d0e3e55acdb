//! Proving the caller: [`AuthUser`] (defined in `crate::caller`) from a bearer token whose account
//! still exists, whose token epoch is current and whose login has not ended.

use std::future::Future;
use std::pin::Pin;

use actix_web::http::header;
use actix_web::web::Data;
use actix_web::{dev::Payload, FromRequest, HttpRequest};

use crate::auth::account;
use crate::auth::jwt::JwtKeys;
use crate::caller::AuthUser;
use crate::db::Db;
use crate::error::ApiError;

fn bearer_token(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_owned())
}

/// Authenticates the request: `None` without an `Authorization` header, 401 with a bad one.
fn authenticate(req: &HttpRequest) -> Pin<Box<dyn Future<Output = Result<Option<AuthUser>, ApiError>>>> {
    let present = req.headers().contains_key(header::AUTHORIZATION);
    let token = bearer_token(req);
    let keys = req.app_data::<Data<JwtKeys>>().cloned();
    let db = req.app_data::<Data<Db>>().cloned();
    Box::pin(async move {
        if !present {
            return Ok(None);
        }
        let (Some(token), Some(keys), Some(db)) = (token, keys, db) else {
            return Err(ApiError::Unauthorized);
        };
        let subject = keys.verify(&token).ok_or(ApiError::Unauthorized)?;
        let id = subject.user;
        let session = subject.session.clone();
        let (row, open) = db
            .run(move |conn| {
                let Some(row) = account::find(conn, id)? else { return Ok((None, false)) };
                Ok((Some(row), crate::auth::repo::session_is_open(conn, id, &session)?))
            })
            .await?;
        let row = row.ok_or(ApiError::Unauthorized)?;
        // The id may now belong to an account created after the token's own was deleted; a password
        // change raised the epoch; the login was ended by a logout or a replayed refresh token.
        if row.created_at.and_utc().timestamp_micros() != subject.account_created_micros
            || row.token_epoch != subject.epoch
            || !open
        {
            return Err(ApiError::Unauthorized);
        }
        Ok(Some(AuthUser { id, role: row.role, email: row.email }))
    })
}

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let user = authenticate(req);
        Box::pin(async move { user.await?.ok_or(ApiError::Unauthorized) })
    }
}

/// The caller on routes open to anonymous readers: `None` without credentials. A token that is
/// present but invalid is still a 401, never silently anonymous.
#[derive(Debug, Clone)]
pub struct MaybeUser(pub Option<AuthUser>);

impl FromRequest for MaybeUser {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let user = authenticate(req);
        Box::pin(async move { Ok(MaybeUser(user.await?)) })
    }
}
