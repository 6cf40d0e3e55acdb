//! Logging in and staying logged in: JWT access tokens, rotating refresh tokens with reuse
//! detection, login throttling, and the `AuthUser` extractor every protected handler takes.

pub mod account;
pub mod dto;
pub mod extractor;
pub mod handlers;
pub mod jwt;
pub mod password;
pub mod repo;
pub mod service;

pub use crate::caller::AuthUser;
pub use extractor::MaybeUser;

use base64::Engine;
use rand::RngCore;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::login)
        .service(handlers::refresh)
        .service(handlers::logout)
        .service(handlers::get_me)
        .service(handlers::change_password);
}

/// 256 random bits, URL-safe: refresh tokens and generated secrets.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}
