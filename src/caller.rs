//! `AuthUser`: who makes a request, once a token proved it. Only the facts handlers and services
//! decide on (id, role, email): never the password hash or the token. The `auth` module proves it
//! (its extractor implements `FromRequest` for this type); everything else only reads it, so the
//! modules that need the caller (the audit log's reader included) need not depend on `auth`.

use crate::domain::ids::UserId;
use crate::domain::role::{Action, Role};
use crate::error::ApiError;

/// The authenticated caller. Taking it as a handler argument makes the route answer 401 to anyone
/// without a valid token. The role is read from the database on every request, so a demotion or a
/// deleted account takes effect at once rather than when the token expires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthUser {
    pub id: UserId,
    pub role: Role,
    /// As entered (what the audit log records as the actor).
    pub email: String,
}

impl AuthUser {
    /// 403 unless the permission matrix lets this user's role do `action`.
    pub fn require(&self, action: Action) -> Result<(), ApiError> {
        if self.role.may(action) {
            Ok(())
        } else {
            Err(ApiError::Forbidden)
        }
    }
}
