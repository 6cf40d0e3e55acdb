//! Request bodies of `/users`. Accounts are answered as [`UserResponse`], the shape login answers
//! use too, which therefore lives in `auth`.

use serde::Deserialize;
use utoipa::ToSchema;

use crate::domain::field::Field;
use crate::domain::ids::AuthorId;
use crate::domain::role::Role;

pub use crate::auth::dto::UserResponse;

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
            email: Field::Value(email),
            name: Field::Value(name),
            role: Field::Value(role),
            password: Field::Value(password),
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
