//! Access tokens: HS256 JWTs with `sub`, `role`, `exp`, `iat` and `iss`. The algorithm is pinned,
//! so a token claiming `none` or any other algorithm is refused.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use chrono::NaiveDateTime;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use sha2::Digest;

use crate::clock::Clock;
use crate::config::Settings;
use crate::domain::ids::UserId;
use crate::domain::role::Role;

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    /// The user id, as a string.
    pub sub: String,
    pub role: String,
    pub exp: i64,
    pub iat: i64,
    pub iss: String,
    /// The account's creation time in microseconds: the token names one account, not one id.
    /// Ids are never reused within one database, but after a restore from an older backup a new
    /// account can get the id of one created after that backup, whose tokens still circulate.
    /// Required: a token without it does not deserialize.
    pub acct: i64,
    /// The account's token epoch when the token was issued: a password change raises it and ends
    /// every older token of the account.
    pub epoch: i32,
    /// The login (session) the token belongs to: its refresh-token family. Logging out ends it, and
    /// with it the access tokens of that login only.
    pub sid: String,
}

/// Who a valid token speaks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenSubject {
    pub user: UserId,
    /// `Claims::acct`: compare with the account's `created_at`.
    pub account_created_micros: i64,
    /// `Claims::epoch`: compare with the account's `token_epoch`.
    pub epoch: i32,
    /// `Claims::sid`: the login, which must not have ended.
    pub session: String,
}

/// What an access token is issued for.
#[derive(Debug, Clone, Copy)]
pub struct Grant<'a> {
    pub user: UserId,
    pub role: Role,
    pub account_created: NaiveDateTime,
    pub epoch: i32,
    pub session: &'a str,
}

pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    issuer: String,
    pub ttl: Duration,
    clock: Clock,
    /// A digest of the secret, from which keys for other purposes are derived.
    secret_digest: [u8; 32],
}

impl JwtKeys {
    pub fn new(secret: &[u8], issuer: &str, ttl: Duration, clock: Clock) -> JwtKeys {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[issuer]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "sub"]);
        // Expiry is checked in `verify` against the app's clock, which tests move; the library
        // would read the system's.
        validation.validate_exp = false;
        validation.leeway = 0;
        JwtKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            issuer: issuer.to_owned(),
            ttl,
            clock,
            secret_digest: sha2::Sha256::digest(secret).into(),
        }
    }

    /// A key for `purpose`, the same on every instance that shares the secret and telling nothing
    /// of the secret or of the keys for other purposes.
    pub fn derived_key(&self, purpose: &str) -> [u8; 32] {
        let mut hash = sha2::Sha256::new();
        hash.update(purpose.as_bytes());
        hash.update([0]);
        hash.update(self.secret_digest);
        hash.finalize().into()
    }

    /// The keys from `WARTA_JWT_SECRET`, or (on SQLite) from a secret generated once and kept in
    /// the data folder. On PostgreSQL the secret must be set: every instance has to sign and check
    /// tokens with the same one, and they share no folder; a secret kept in the database would be
    /// readable by anyone who can read a backup.
    pub fn from_settings(settings: &Settings, clock: Clock) -> anyhow::Result<JwtKeys> {
        let stored;
        let secret = match (&settings.jwt_secret, settings.data_dir()) {
            (Some(secret), _) => secret.expose_secret(),
            (None, Some(dir)) => {
                stored = stored_secret(&dir.join("jwt-secret"))?;
                stored.as_str()
            }
            (None, None) => anyhow::bail!(
                "WARTA_JWT_SECRET must be set on PostgreSQL: every instance signs and checks tokens with it \
                 (at least 32 random bytes, for example `openssl rand -hex 32`)"
            ),
        };
        Ok(JwtKeys::new(secret.as_bytes(), &settings.jwt_issuer, settings.access_token_ttl, clock))
    }

    pub fn issue(&self, grant: Grant) -> anyhow::Result<String> {
        let now = self.clock.unix_seconds();
        let claims = Claims {
            sub: grant.user.to_string(),
            role: grant.role.as_str().into(),
            iat: now,
            exp: now + self.ttl.as_secs() as i64,
            iss: self.issuer.clone(),
            acct: grant.account_created.and_utc().timestamp_micros(),
            epoch: grant.epoch,
            sid: grant.session.to_owned(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).context("signing a token")
    }

    /// The user a valid token names; `None` for anything expired, tampered, foreign or malformed.
    pub fn verify(&self, token: &str) -> Option<TokenSubject> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation).ok()?;
        let now = self.clock.unix_seconds();
        // We issue and check our own tokens on one clock: an expired token is expired.
        if data.claims.exp < now {
            return None;
        }
        // Not issued in the future: a token dated ahead would outlive its `exp` - `iat` lifetime
        // in the eyes of anything that trusts `iat`. A little leeway, because instances sharing a
        // secret (several behind one balancer) do not share a clock: one a few seconds ahead of
        // another must not have its fresh tokens refused there.
        if data.claims.iat > now + IAT_LEEWAY_SECONDS {
            return None;
        }
        let user = canonical_id(&data.claims.sub).map(UserId)?;
        let Claims { acct, epoch, sid, .. } = data.claims;
        Some(TokenSubject { user, account_created_micros: acct, epoch, session: sid })
    }
}

/// How far in the future `iat` may be (seconds): clock differences between instances.
const IAT_LEEWAY_SECONDS: i64 = 60;

/// A user id exactly as we write it: `"1"`, never `"+1"`, `"01"`, `" 1"` or `"0"`. One id, one
/// spelling, so a token cannot be varied while still naming the same account.
fn canonical_id(sub: &str) -> Option<i32> {
    let id = sub.parse::<i32>().ok().filter(|&id| id > 0)?;
    (id.to_string() == sub).then_some(id)
}

/// Reads the generated secret, creating it (readable by the owner only) on first start.
fn stored_secret(path: &Path) -> anyhow::Result<String> {
    if let Ok(secret) = std::fs::read_to_string(path) {
        let secret = secret.trim().to_owned();
        anyhow::ensure!(secret.len() >= 32, "{} holds a secret shorter than 32 bytes", path.display());
        return Ok(secret);
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let secret = format!("{}{}", crate::auth::random_token(), crate::auth::random_token());
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).with_context(|| format!("creating {}", path.display()))?;
    file.write_all(secret.as_bytes())?;
    file.sync_all()?;
    tracing::warn!(
        path = %path.display(),
        "WARTA_JWT_SECRET is not set: generated a signing secret and stored it in the data folder. \
         Set WARTA_JWT_SECRET when running more than one instance."
    );
    Ok(secret)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_foreign_ones_are_refused() {
        let keys = JwtKeys::new(&[7; 32], "warta", Duration::from_secs(60), Clock::system());
        let created = chrono::DateTime::from_timestamp_micros(1_700_000_000_123_456).expect("time").naive_utc();
        let grant = Grant { user: UserId(5), role: Role::Editor, account_created: created, epoch: 3, session: "s1" };
        let token = keys.issue(grant).expect("token");
        let subject = TokenSubject {
            user: UserId(5),
            account_created_micros: 1_700_000_000_123_456,
            epoch: 3,
            session: "s1".into(),
        };
        assert_eq!(keys.verify(&token), Some(subject));
        let other = JwtKeys::new(&[8; 32], "warta", Duration::from_secs(60), Clock::system());
        assert_eq!(other.verify(&token), None);
        let other_issuer = JwtKeys::new(&[7; 32], "someone-else", Duration::from_secs(60), Clock::system());
        assert_eq!(other_issuer.verify(&token), None);
    }

    #[test]
    fn settings_never_print_their_secrets() {
        let settings = Settings::for_tests(crate::config::Database::Sqlite("warta.db".into()));
        let printed = format!("{settings:?}");
        assert!(!printed.contains("a-test-secret-that-is-at-least-32-bytes-long"), "{printed}");
        assert!(!printed.contains("admin-password-for-tests"), "{printed}");
        assert!(printed.contains("REDACTED"), "{printed}");
        let keys = JwtKeys::from_settings(&settings, Clock::system()).expect("keys");
        let grant = Grant {
            user: UserId(1),
            role: Role::Admin,
            account_created: Clock::system().now(),
            epoch: 0,
            session: "s",
        };
        assert!(keys.verify(&keys.issue(grant).expect("token")).is_some(), "the configured secret is used");
    }

    #[test]
    fn a_token_expires_when_the_clock_passes_its_lifetime() {
        let clock = Clock::system();
        let keys = JwtKeys::new(&[7; 32], "warta", Duration::from_secs(60), clock.clone());
        let grant = Grant { user: UserId(5), role: Role::Editor, account_created: clock.now(), epoch: 0, session: "s" };
        let token = keys.issue(grant).expect("token");
        clock.advance(Duration::from_secs(59));
        assert!(keys.verify(&token).is_some(), "still within its minute");
        clock.advance(Duration::from_secs(2));
        assert!(keys.verify(&token).is_none(), "past its minute");
    }

    #[test]
    fn only_the_canonical_spelling_of_an_id_is_a_subject() {
        assert_eq!(canonical_id("17"), Some(17));
        for bad in ["+17", "017", " 17", "17 ", "0", "-1", "", "1e1", "2147483648"] {
            assert_eq!(canonical_id(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn the_generated_secret_is_kept_and_private() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("jwt-secret");
        let first = stored_secret(&path).expect("created");
        let second = stored_secret(&path).expect("read back");
        assert_eq!(first, second);
        assert!(first.len() >= 32);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).expect("metadata").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
