//! Response bodies and query of `/audit`.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::audit::change::{Change, Resource};
use crate::audit::repo::AuditRow;
use crate::domain::ids::{ArticleId, UserId};

/// One write: editorial (articles, categories, authors, tags) or to an account.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": 981, "at": "2023-08-31T07:09:00Z", "user_id": 2, "user_email": "reni.erina@warta.example",
    "action": "update", "resource": "article", "resource_id": 42, "article_id": 42, "version_before": 3, "version_after": 4}))]
pub struct AuditEntry {
    pub id: i32,
    #[serde(serialize_with = "crate::domain::time::serialize")]
    #[schema(value_type = String, format = DateTime)]
    pub at: NaiveDateTime,
    /// `null` once the account is deleted (`user_email` keeps who it was), and for writes made on the
    /// server's command line, whose `user_email` is `(operator)`.
    #[schema(required = true)]
    pub user_id: Option<UserId>,
    pub user_email: String,
    #[schema(value_type = AuditAction)]
    pub action: Change,
    #[schema(value_type = AuditResource)]
    pub resource: Resource,
    pub resource_id: i32,
    #[schema(required = true)]
    pub article_id: Option<ArticleId>,
    /// The article's version before the write (`null` for a creation).
    #[schema(required = true)]
    pub version_before: Option<i32>,
    /// The article's version after the write (`null` for a deletion).
    #[schema(required = true)]
    pub version_after: Option<i32>,
}

// The two enums below are for the document only: they name, in the schema, what `Change` and
// `Resource` serialize as.
/// What a write did.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum AuditAction {
    Create,
    Update,
    Delete,
}

/// What kind of thing a write changed.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum AuditResource {
    Article,
    Category,
    Author,
    Tag,
    User,
    Media,
}

impl From<AuditRow> for AuditEntry {
    fn from(row: AuditRow) -> Self {
        AuditEntry {
            id: row.id,
            at: row.at,
            user_id: row.user_id,
            user_email: row.user_email,
            action: row.action,
            resource: row.resource,
            resource_id: row.resource_id,
            article_id: row.article_id,
            version_before: row.version_before,
            version_after: row.version_after,
        }
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct AuditQuery {
    #[param(value_type = Option<i64>, minimum = 1)]
    pub page: Option<String>,
    #[param(value_type = Option<i64>, minimum = 1, maximum = 100)]
    pub per_page: Option<String>,
    /// Only writes by this user id.
    #[param(value_type = Option<i32>, minimum = 1, maximum = 2147483647)]
    pub user: Option<String>,
    /// Only writes of this article id.
    #[param(value_type = Option<i32>, minimum = 1, maximum = 2147483647)]
    pub article: Option<String>,
}
