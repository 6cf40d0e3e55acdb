//! Request and response bodies of `/auth`.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::account::UserRow;
use crate::domain::field::Field;
use crate::domain::ids::{AuthorId, UserId};
use crate::domain::role::Role;
use crate::domain::validation::{new_password, FieldError, Violations, MAX_EMAIL_CHARS};
use crate::error::ApiError;

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"email": "reni.erina@warta.example", "password": "a long passphrase"}))]
pub struct LoginRequest {
    /// Compared ignoring ASCII case.
    #[serde(default)]
    #[schema(value_type = String, required = true, max_length = 254)]
    pub email: Field<String>,
    #[serde(default)]
    #[schema(value_type = String, required = true)]
    pub password: Field<String>,
}

/// A fresh pair of tokens. Send the access token as `Authorization: Bearer <token>`; trade the
/// refresh token for a new pair before the access token expires.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"access_token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIyIn0.c2ln",
    "token_type": "Bearer", "expires_in": 900, "refresh_token": "pU3d0cmFuZG9tLXJlZnJlc2gtdG9rZW4",
    "user": {"id": 2, "email": "reni.erina@warta.example", "name": "Reni Erina", "role": "writer",
    "author_id": 3, "created_at": "2023-08-01T02:00:00Z", "last_login_at": "2023-08-31T06:55:12Z"}}))]
pub struct TokenResponse {
    /// A JWT (HS256) naming the user and role.
    pub access_token: String,
    #[schema(value_type = TokenType)]
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    /// Single use: refreshing spends it and returns a new one. Presenting a spent one again ends the login.
    pub refresh_token: String,
    pub user: UserResponse,
}

// For the document only: the answer carries the constant text.
/// How to send the access token: always `Bearer`.
#[derive(ToSchema)]
pub enum TokenType {
    Bearer,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ChangePasswordRequest {
    #[serde(default)]
    #[schema(value_type = String, required = true)]
    pub current_password: Field<String>,
    /// At least 10 characters.
    #[serde(default)]
    #[schema(value_type = String, required = true, min_length = 10, max_length = 1024)]
    pub new_password: Field<String>,
}

/// Both values, or a 422 naming every field that is missing, `null` or of the wrong type.
fn both(v: Violations, first: Option<String>, second: Option<String>) -> Result<(String, String), ApiError> {
    v.into_result()?;
    match (first, second) {
        (Some(first), Some(second)) => Ok((first, second)),
        _ => Err(ApiError::Internal(anyhow::anyhow!("validation passed without values"))),
    }
}

impl LoginRequest {
    /// The email and password. An email longer than any address can be is refused here, before
    /// any lookup or hashing.
    pub fn validate(self) -> Result<(String, String), ApiError> {
        let mut v = Violations::new();
        let email = self.email.required("email", &mut v).filter(|email| {
            let fits = email.chars().count() <= MAX_EMAIL_CHARS;
            if !fits {
                v.push(FieldError::new("email", format!("must be at most {MAX_EMAIL_CHARS} characters")));
            }
            fits
        });
        let password = self.password.required("password", &mut v);
        both(v, email, password)
    }
}

impl ChangePasswordRequest {
    /// The current password and the new one, which must follow the password rules.
    pub fn validate(self) -> Result<(String, String), ApiError> {
        let mut v = Violations::new();
        let current = self.current_password.required("current_password", &mut v);
        let wanted = self
            .new_password
            .required("new_password", &mut v)
            .and_then(|wanted| v.check(new_password("new_password", &wanted)));
        both(v, current, wanted)
    }
}

/// An account that can log in. Passwords and their hashes are never returned.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": 2, "email": "reni.erina@warta.example", "name": "Reni Erina", "role": "writer",
    "author_id": 3, "created_at": "2023-08-01T02:00:00Z", "last_login_at": "2023-08-31T06:55:12Z"}))]
pub struct UserResponse {
    pub id: UserId,
    /// As it was entered; emails compare case-insensitively.
    pub email: String,
    pub name: String,
    pub role: Role,
    /// The public byline this account writes as, if any.
    #[schema(required = true)]
    pub author_id: Option<AuthorId>,
    #[serde(serialize_with = "crate::domain::time::serialize")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "crate::domain::time::serialize_opt")]
    #[schema(value_type = Option<String>, format = DateTime, required = true)]
    pub last_login_at: Option<NaiveDateTime>,
}

impl From<UserRow> for UserResponse {
    fn from(row: UserRow) -> Self {
        UserResponse {
            id: row.id,
            email: row.email,
            name: row.name,
            role: row.role,
            author_id: row.author_id,
            created_at: row.created_at,
            last_login_at: row.last_login_at,
        }
    }
}
