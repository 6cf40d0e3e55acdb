//! Request and response bodies of `/users` (and the user inside login answers).

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::field::Field;
use crate::domain::ids::{AuthorId, UserId};
use crate::domain::role::Role;
use crate::users::repo::UserRow;

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
    pub author_id: Option<AuthorId>,
    #[serde(serialize_with = "crate::domain::time::serialize")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "crate::domain::time::serialize_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_login_at: Option<NaiveDateTime>,
}

impl UserResponse {
    pub fn from_row(row: UserRow) -> Result<Self, anyhow::Error> {
        let role =
            Role::parse(&row.role).ok_or_else(|| anyhow::anyhow!("user {} has unknown role {:?}", row.id, row.role))?;
        Ok(UserResponse {
            id: row.id,
            email: row.email,
            name: row.name,
            role,
            author_id: row.author_id,
            created_at: row.created_at,
            last_login_at: row.last_login_at,
        })
    }
}

/// A new account.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"email": "reni.erina@warta.example", "name": "Reni Erina", "role": "writer",
    "password": "a long passphrase", "author_id": 3}))]
pub struct CreateUserRequest {
    /// Unique ignoring ASCII case.
    #[serde(default)]
    #[schema(value_type = String, required = true, format = Email, max_length = 254)]
    pub email: Field<String>,
    #[serde(default)]
    #[schema(
        value_type = String,
        required = true,
        pattern = r"[^\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]",
        max_length = 200
    )]
    pub name: Field<String>,
    #[serde(default)]
    #[schema(value_type = Role, required = true)]
    pub role: Field<Role>,
    /// At least 10 characters.
    #[serde(default)]
    #[schema(value_type = String, required = true, min_length = 10, max_length = 1024)]
    pub password: Field<String>,
    /// The public byline this account writes as.
    #[serde(default)]
    #[schema(value_type = Option<AuthorId>)]
    pub author_id: Field<AuthorId>,
}

impl CreateUserRequest {
    /// A request made on the command line (no byline).
    pub fn new(email: String, name: String, role: Role, password: String) -> CreateUserRequest {
        CreateUserRequest {
            email: email.into(),
            name: name.into(),
            role: role.into(),
            password: password.into(),
            author_id: Field::Absent,
        }
    }
}

/// Changes to an account; absent fields stay as they are, `author_id: null` unlinks the byline.
/// Other fields cannot be `null`. A change that changes nothing is answered with the account as it
/// is, and leaves no audit entry.
#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateUserRequest {
    #[serde(default)]
    #[schema(value_type = String, format = Email, max_length = 254)]
    pub email: Field<String>,
    #[serde(default)]
    #[schema(
        value_type = String,
        pattern = r"[^\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]",
        max_length = 200
    )]
    pub name: Field<String>,
    /// Demoting the last admin is refused with 409.
    #[serde(default)]
    #[schema(value_type = Role)]
    pub role: Field<Role>,
    /// Sets a new password and ends every login of the account. At least 10 characters.
    #[serde(default)]
    #[schema(value_type = String, min_length = 10, max_length = 1024)]
    pub password: Field<String>,
    #[serde(default)]
    #[schema(value_type = Option<AuthorId>)]
    pub author_id: Field<AuthorId>,
}
