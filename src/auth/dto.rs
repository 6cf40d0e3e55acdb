//! Request and response bodies of `/auth`.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::users::dto::UserResponse;

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"email": "reni.erina@warta.example", "password": "a long passphrase"}))]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
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
    pub current_password: String,
    /// At least 10 characters.
    #[schema(min_length = 10, max_length = 1024)]
    pub new_password: String,
}
