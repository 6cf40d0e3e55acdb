//! Deleting an article: editors only, on the version named in `If-Match`.

use chrono::NaiveDateTime;

use crate::articles::repo;
use crate::articles::service::read::can_read;
use crate::articles::service::Precondition;
use crate::audit::{self, Change as Audited, Resource};
use crate::auth::AuthUser;
use crate::db::{self, DbConn};
use crate::domain::ids::ArticleId;
use crate::domain::key::ItemKey;
use crate::domain::role::Action;
use crate::error::ApiError;

pub fn delete(
    conn: &mut DbConn,
    user: &AuthUser,
    key: &ItemKey,
    if_match: Option<Precondition>,
    now: NaiveDateTime,
) -> Result<ArticleId, ApiError> {
    db::write(conn, |conn| {
        let current = repo::find_by_key(conn, key)?.ok_or(ApiError::NotFound("article"))?;
        if !user.role.may(Action::EditAnyArticle) {
            return Err(if can_read(Some(user), &current, now) {
                ApiError::Forbidden
            } else {
                ApiError::NotFound("article")
            });
        }
        if_match.unwrap_or(Precondition::Missing).check(current.version)?;
        if repo::delete(conn, current.id, current.version)? == 0 {
            return Err(ApiError::PreconditionFailed);
        }
        repo::unindex(conn, current.id)?;
        audit::record(
            conn,
            user,
            now,
            Audited::Delete,
            Resource::Article,
            current.id.0,
            Some((Some(current.version), None)),
        )?;
        Ok(current.id)
    })
}
