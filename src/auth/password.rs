//! Password hashing with argon2id at the OWASP parameters (19 MiB, 2 passes, 1 lane). Hashing is
//! slow on purpose, so it runs on the blocking pool and never holds a database connection.

use std::sync::Arc;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;

use crate::error::ApiError;

#[derive(Clone)]
pub struct Passwords {
    /// A hash of a random password, checked when the email is unknown so that an unknown email
    /// costs as much time as a wrong password and the two cannot be told apart.
    dummy_hash: String,
    /// One permit per core: each hash takes 19 MiB, so a burst of logins waits in line instead of
    /// running hundreds of hashes (and gigabytes) at once.
    running: Arc<Semaphore>,
}

fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

impl Passwords {
    pub fn new() -> anyhow::Result<Passwords> {
        let random = crate::auth::random_token();
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
        Ok(Passwords { dummy_hash: hash_now(&random)?, running: Arc::new(Semaphore::new(cores)) })
    }

    pub async fn hash(&self, password: String) -> Result<String, ApiError> {
        // Owned by the blocking task: a caller that goes away does not free the permit while the hash runs.
        let permit = self.running.clone().acquire_owned().await.map_err(|e| ApiError::Internal(e.into()))?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            hash_now(&password)
        })
        .await
        .map_err(|e| ApiError::Internal(e.into()))?
        .map_err(ApiError::Internal)
    }

    /// Checks `password` against `hash`, or against the dummy hash when there is no account.
    pub async fn verify(&self, password: String, hash: Option<String>) -> Result<bool, ApiError> {
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| self.dummy_hash.clone());
        let permit = self.running.clone().acquire_owned().await.map_err(|e| ApiError::Internal(e.into()))?;
        let matches = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            verify_now(&password, &hash)
        })
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
        Ok(known && matches)
    }
}

pub fn hash_now(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("password hashing failed: {e}"))
}

fn verify_now(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| argon2().verify_password(password.as_bytes(), &parsed).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_and_verify() {
        let hash = hash_now("kata sandi rahasia").expect("hash");
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
        assert!(verify_now("kata sandi rahasia", &hash));
        assert!(!verify_now("kata sandi salah!", &hash));
        assert!(!verify_now("anything", "not a hash"));
    }
}
