//! Recording and reading the audit log.

use chrono::NaiveDateTime;

use crate::audit::change::{Change, Resource};
use crate::audit::dto::{AuditEntry, AuditQuery};
use crate::audit::repo::{self, NewAuditRow};
use crate::caller::AuthUser;
use crate::db::DbConn;
use crate::domain::ids::{ArticleId, UserId};
use crate::domain::pagination::{int_param, PageParams, PageQuery, Paginated};
use crate::domain::validation::FieldError;
use crate::error::ApiError;

/// Who made a write, as the log keeps it: the account's id and its email at the time (the entry
/// outlives the account).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub id: UserId,
    pub email: String,
}

impl From<&AuthUser> for Actor {
    fn from(user: &AuthUser) -> Self {
        Actor { id: user.id, email: user.email.clone() }
    }
}

/// Records a write by `actor` (an [`Actor`], or the `&AuthUser` making the request), inside the
/// caller's transaction. For articles, `versions` is the version before and after (`None` where
/// there is none).
pub fn record(
    conn: &mut DbConn,
    actor: impl Into<Actor>,
    at: NaiveDateTime,
    change: Change,
    resource: Resource,
    resource_id: i32,
    versions: Option<(Option<i32>, Option<i32>)>,
) -> Result<(), ApiError> {
    let actor = actor.into();
    insert(conn, at, Some(actor.id), &actor.email, change, resource, resource_id, versions)
}

/// What the audit log names as the actor of a write made on the server's command line
/// (`warta user create`, the first admin from `WARTA_ADMIN_*`), where no account is logged in.
pub const OPERATOR: &str = "(operator)";

/// Records a write made by the operator rather than through the API.
pub fn record_by_operator(
    conn: &mut DbConn,
    at: NaiveDateTime,
    change: Change,
    resource: Resource,
    resource_id: i32,
) -> Result<(), ApiError> {
    insert(conn, at, None, OPERATOR, change, resource, resource_id, None)
}

#[allow(clippy::too_many_arguments)] // one audit row's columns, named at the two call sites above
fn insert(
    conn: &mut DbConn,
    at: NaiveDateTime,
    user_id: Option<UserId>,
    user_email: &str,
    change: Change,
    resource: Resource,
    resource_id: i32,
    versions: Option<(Option<i32>, Option<i32>)>,
) -> Result<(), ApiError> {
    let (version_before, version_after) = versions.unwrap_or((None, None));
    repo::insert(
        conn,
        &NewAuditRow {
            at,
            user_id,
            user_email,
            action: change,
            resource,
            resource_id,
            article_id: (resource == Resource::Article).then_some(ArticleId(resource_id)),
            version_before,
            version_after,
        },
    )?;
    Ok(())
}

fn positive_id(name: &str, raw: Option<&str>) -> Result<Option<i32>, ApiError> {
    match int_param(name, raw)? {
        None => Ok(None),
        Some(id) if (1..=i64::from(i32::MAX)).contains(&id) => Ok(Some(id as i32)),
        Some(_) => Err(FieldError::new(name, "must be a positive id").into()),
    }
}

pub fn list(conn: &mut DbConn, query: &AuditQuery) -> Result<Paginated<AuditEntry>, ApiError> {
    let page = PageParams::parse(&PageQuery { page: query.page.clone(), per_page: query.per_page.clone() })?;
    let user = positive_id("user", query.user.as_deref())?.map(UserId);
    let article = positive_id("article", query.article.as_deref())?.map(ArticleId);
    let (rows, total) = repo::page(conn, user, article, page.limit(), page.offset())?;
    Ok(Paginated { data: rows.into_iter().map(AuditEntry::from).collect(), meta: page.meta(total) })
}
