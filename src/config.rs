//! Settings from `WARTA_*` environment variables (and `.env`, loaded by the binary). Every value is
//! checked here, at start, so a bad one fails with a message naming the variable.

use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

/// A configuration value that cannot be used, named by its variable.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration: {var}: {message}")]
pub struct ConfigError {
    pub var: &'static str,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// Which browser origins may call the API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CorsOrigins {
    Any,
    List(Vec<String>),
}

/// Where the data lives, from `WARTA_DATABASE_URL`: a SQLite file (the default) or a PostgreSQL
/// database, which many instances can share.
#[derive(Clone)]
pub enum Database {
    Sqlite(PathBuf),
    /// The URL may carry a password: it is never printed whole.
    Postgres(SecretString),
}

impl Database {
    /// A `WARTA_DATABASE_URL`-style value: a SQLite path (or `sqlite://PATH`) or a PostgreSQL URL.
    pub fn parse(raw: &str) -> Result<Database, ConfigError> {
        database(raw)
    }

    /// For logs and messages: the file, or the PostgreSQL URL without its user and password.
    pub fn display(&self) -> String {
        match self {
            Database::Sqlite(path) => path.display().to_string(),
            Database::Postgres(url) => {
                let url = url.expose_secret();
                let (scheme, rest) = url.split_once("://").unwrap_or(("postgres", url));
                let host = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
                let host = host.split_once('?').map_or(host, |(host, _)| host);
                format!("{scheme}://{host}")
            }
        }
    }
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.display())
    }
}

/// Where media files are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediaStorage {
    /// A folder on this machine (`WARTA_MEDIA_DIR`).
    Folder(PathBuf),
    /// An S3-compatible bucket (`WARTA_MEDIA_S3_BUCKET`, `WARTA_MEDIA_S3_ENDPOINT`,
    /// `WARTA_MEDIA_S3_REGION`; credentials from `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`).
    Bucket { bucket: String, endpoint: Option<String>, region: Option<String> },
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub database: Database,
    pub bind: String,
    pub public_url: String,
    /// The site's name, the title of its syndication feeds.
    pub site_name: String,
    /// Where readers find an article on the site: `{slug}`, `{id}` and `{category}` are filled in.
    pub article_url: String,
    pub admin_email: Option<String>,
    /// Secrets print as `[REDACTED]` in `Debug` output (logs, panics) and are zeroed when dropped.
    pub admin_password: Option<SecretString>,
    pub jwt_secret: Option<SecretString>,
    /// When set, `/metrics` answers only `Authorization: Bearer <this>`.
    pub metrics_token: Option<SecretString>,
    pub jwt_issuer: String,
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
    pub timezone: chrono_tz::Tz,
    pub cors_origins: CorsOrigins,
    pub cache_max_age: u32,
    pub max_body_bytes: usize,
    /// How long a client may take to send a request head, and separately its body.
    pub request_timeout: Duration,
    /// Connections open at once, in total (past it new ones wait in the listen backlog).
    pub max_connections: usize,
    /// Connections open at once from one client address (an IPv6 /64); trusted proxies are exempt.
    pub max_connections_per_address: usize,
    pub trusted_proxies: Vec<IpAddr>,
    pub view_dedupe_seconds: u64,
    /// Reads of one article counted per client address within `view_dedupe_seconds`.
    pub view_reads_per_address: u32,
    /// How often buffered views are written to the database.
    pub view_flush_interval: Duration,
    /// How long a computed trending feed is reused.
    pub trending_cache: Duration,
    /// How long the total of a list query is reused (writes clear it at once).
    pub totals_cache: Duration,
    /// How long a rendered anonymous response is reused (0 turns the response cache off); writes
    /// clear it at once either way.
    pub response_cache_ttl: Duration,
    /// Memory bound of the response cache.
    pub response_cache_bytes: usize,
    pub login_window: Duration,
    /// Tests only (no variable sets it): hash new passwords with argon2's smallest parameters, so a
    /// test suite that logs in hundreds of times does not spend its time in argon2. Production
    /// always hashes at the OWASP parameters.
    pub fast_password_hashing: bool,
    pub db_pool_size: u32,
    pub workers: usize,
    pub log_level: String,
    pub log_format: LogFormat,
    /// Where the media library keeps its files.
    pub media_storage: MediaStorage,
    /// Where media files are served from (`WARTA_MEDIA_URL`), without a trailing slash.
    pub media_url: String,
    pub max_upload_bytes: u64,
}

impl Settings {
    /// Reads the process environment.
    pub fn from_env() -> Result<Settings, ConfigError> {
        Settings::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads settings through `lookup`, so tests can supply their own environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Settings, ConfigError> {
        let get = |name: &str| lookup(name).filter(|v| !v.is_empty());
        let bind = get("WARTA_BIND").unwrap_or_else(|| "127.0.0.1:8080".into());
        check_bind(&bind)?;
        let public_url = match get("WARTA_PUBLIC_URL") {
            Some(url) => public_url(&url)?,
            None => format!("http://{bind}"),
        };
        let article_url = get("WARTA_ARTICLE_URL").unwrap_or_else(|| format!("{public_url}/api/v1/articles/{{slug}}"));
        let absolute = article_url.starts_with("http://") || article_url.starts_with("https://");
        if !absolute || !(article_url.contains("{slug}") || article_url.contains("{id}")) {
            return Err(invalid("WARTA_ARTICLE_URL", "must be an absolute URL naming {slug} or {id}"));
        }
        let jwt_secret = get("WARTA_JWT_SECRET");
        if let Some(secret) = &jwt_secret {
            if secret.len() < 32 {
                return Err(invalid("WARTA_JWT_SECRET", "must be at least 32 bytes"));
            }
        }
        let metrics_token = get("WARTA_METRICS_TOKEN");
        if metrics_token.as_ref().is_some_and(|t| t.len() < 16 || !t.bytes().all(|b| b.is_ascii_graphic())) {
            return Err(invalid("WARTA_METRICS_TOKEN", "must be at least 16 printable characters, without spaces"));
        }
        let admin_email = get("WARTA_ADMIN_EMAIL");
        let admin_password = get("WARTA_ADMIN_PASSWORD");
        if let Some(password) = &admin_password {
            if password.chars().count() < 10 {
                return Err(invalid("WARTA_ADMIN_PASSWORD", "must be at least 10 characters"));
            }
        }
        if let Some(email) = &admin_email {
            crate::domain::validation::Email::parse("email", email)
                .map_err(|_| invalid("WARTA_ADMIN_EMAIL", "must be an email address"))?;
        }
        let timezone = match get("WARTA_TIMEZONE") {
            Some(tz) => tz
                .parse::<chrono_tz::Tz>()
                .map_err(|_| invalid("WARTA_TIMEZONE", "must be an IANA time zone such as Asia/Jakarta"))?,
            None => chrono_tz::Asia::Jakarta,
        };
        let log_level = get("WARTA_LOG").unwrap_or_else(|| "info".into());
        tracing_subscriber::EnvFilter::try_new(&log_level)
            .map_err(|e| invalid("WARTA_LOG", &format!("not a log filter: {e}")))?;
        let log_format = match get("WARTA_LOG_FORMAT").as_deref() {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(_) => return Err(invalid("WARTA_LOG_FORMAT", "must be `text` or `json`")),
        };
        Ok(Settings {
            database: database(get("WARTA_DATABASE_URL").as_deref().unwrap_or("data/warta.db"))?,
            bind,
            public_url: public_url.clone(),
            site_name: get("WARTA_SITE_NAME").unwrap_or_else(|| "Warta".into()),
            article_url,
            admin_email,
            admin_password: admin_password.map(SecretString::from),
            jwt_secret: jwt_secret.map(SecretString::from),
            metrics_token: metrics_token.map(SecretString::from),
            jwt_issuer: get("WARTA_JWT_ISSUER").unwrap_or_else(|| "warta".into()),
            access_token_ttl: Duration::from_secs(number(&get, "WARTA_ACCESS_TOKEN_TTL", 900, 1..=86_400)?),
            refresh_token_ttl: Duration::from_secs(number(
                &get,
                "WARTA_REFRESH_TOKEN_TTL",
                30 * 86_400,
                60..=366 * 86_400,
            )?),
            timezone,
            cors_origins: cors_origins(get("WARTA_CORS_ORIGINS").as_deref().unwrap_or("*"))?,
            cache_max_age: number(&get, "WARTA_CACHE_MAX_AGE", 30, 0..=31_536_000)? as u32,
            max_body_bytes: number(&get, "WARTA_MAX_BODY_BYTES", 1024 * 1024, 1024..=1024 * 1024 * 1024)? as usize,
            request_timeout: Duration::from_secs(number(&get, "WARTA_REQUEST_TIMEOUT_SECONDS", 10, 1..=3600)?),
            max_connections: number(&get, "WARTA_MAX_CONNECTIONS", 10_000, 1..=1_000_000)? as usize,
            max_connections_per_address: number(&get, "WARTA_MAX_CONNECTIONS_PER_ADDRESS", 100, 1..=1_000_000)?
                as usize,
            trusted_proxies: trusted_proxies(get("WARTA_TRUSTED_PROXIES").as_deref().unwrap_or(""))?,
            view_dedupe_seconds: number(&get, "WARTA_VIEW_DEDUPE_SECONDS", 1800, 0..=31_536_000)?,
            view_reads_per_address: number(&get, "WARTA_VIEW_READS_PER_ADDRESS", 10, 1..=1_000_000)? as u32,
            view_flush_interval: Duration::from_millis(number(&get, "WARTA_VIEW_FLUSH_MS", 1000, 10..=3_600_000)?),
            trending_cache: Duration::from_secs(number(&get, "WARTA_TRENDING_CACHE_SECONDS", 5, 0..=3600)?),
            totals_cache: Duration::from_secs(number(&get, "WARTA_TOTALS_CACHE_SECONDS", 30, 0..=3600)?),
            response_cache_ttl: Duration::from_secs(number(&get, "WARTA_RESPONSE_CACHE_SECONDS", 5, 0..=3600)?),
            response_cache_bytes: number(&get, "WARTA_RESPONSE_CACHE_MB", 64, 1..=65_536)? as usize * 1024 * 1024,
            login_window: Duration::from_secs(number(&get, "WARTA_LOGIN_WINDOW_SECONDS", 900, 1..=86_400)?),
            fast_password_hashing: false,
            db_pool_size: number(&get, "WARTA_DB_POOL_SIZE", 8, 1..=256)? as u32,
            workers: number(&get, "WARTA_WORKERS", default_workers() as u64, 1..=256)? as usize,
            log_level,
            log_format,
            media_storage: media_storage(&get)?,
            media_url: match get("WARTA_MEDIA_URL") {
                Some(url) => absolute_url("WARTA_MEDIA_URL", &url)?,
                None => format!("{public_url}/media"),
            },
            max_upload_bytes: number(&get, "WARTA_MAX_UPLOAD_BYTES", 20 * 1024 * 1024, 1024..=1024 * 1024 * 1024)?,
        })
    }

    /// Settings for a test server: a random port, the given database, a fixed admin and secret.
    pub fn for_tests(database: Database) -> Settings {
        let mut settings = Settings::from_lookup(|_| None).expect("the defaults are valid");
        settings.database = database;
        settings.bind = "127.0.0.1:0".into();
        settings.public_url = "http://warta.test".into();
        settings.media_url = "http://warta.test/media".into();
        settings.article_url = "http://warta.test/berita/{slug}".into();
        settings.admin_email = Some("admin@warta.test".into());
        settings.admin_password = Some(SecretString::from("admin-password-for-tests"));
        settings.jwt_secret = Some(SecretString::from("a-test-secret-that-is-at-least-32-bytes-long"));
        settings.workers = 2;
        settings.db_pool_size = 4;
        settings.fast_password_hashing = true;
        settings
    }

    /// The folder that holds the SQLite database and the generated secret; none on PostgreSQL,
    /// whose instances share nothing on disk.
    pub fn data_dir(&self) -> Option<PathBuf> {
        let Database::Sqlite(path) = &self.database else { return None };
        match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => Some(dir.to_owned()),
            _ => Some(PathBuf::from(".")),
        }
    }
}

fn invalid(var: &'static str, message: &str) -> ConfigError {
    ConfigError { var, message: message.to_owned() }
}

fn number(
    get: &impl Fn(&str) -> Option<String>,
    var: &'static str,
    default: u64,
    range: std::ops::RangeInclusive<u64>,
) -> Result<u64, ConfigError> {
    let Some(raw) = get(var) else { return Ok(default) };
    match raw.trim().parse::<u64>() {
        Ok(n) if range.contains(&n) => Ok(n),
        _ => Err(invalid(var, &format!("must be a whole number from {} to {}", range.start(), range.end()))),
    }
}

fn default_workers() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2)
}

fn check_bind(bind: &str) -> Result<(), ConfigError> {
    if bind.parse::<SocketAddr>().is_ok() || bind.to_socket_addrs().is_ok_and(|mut a| a.next().is_some()) {
        Ok(())
    } else {
        Err(invalid("WARTA_BIND", "must be host:port, such as 127.0.0.1:8080"))
    }
}

fn media_storage(get: &impl Fn(&str) -> Option<String>) -> Result<MediaStorage, ConfigError> {
    let Some(bucket) = get("WARTA_MEDIA_S3_BUCKET") else {
        return Ok(MediaStorage::Folder(PathBuf::from(get("WARTA_MEDIA_DIR").unwrap_or_else(|| "data/media".into()))));
    };
    // S3's rule for bucket names: 3-63 lowercase letters, digits, dots and hyphens.
    let valid = (3..=63).contains(&bucket.len())
        && bucket.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-');
    if !valid {
        return Err(invalid(
            "WARTA_MEDIA_S3_BUCKET",
            "must be an S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)",
        ));
    }
    let endpoint = match get("WARTA_MEDIA_S3_ENDPOINT") {
        Some(url) => Some(absolute_url("WARTA_MEDIA_S3_ENDPOINT", &url)?),
        None => None,
    };
    Ok(MediaStorage::Bucket { bucket, endpoint, region: get("WARTA_MEDIA_S3_REGION") })
}

fn public_url(raw: &str) -> Result<String, ConfigError> {
    absolute_url("WARTA_PUBLIC_URL", raw)
}

fn absolute_url(var: &'static str, raw: &str) -> Result<String, ConfigError> {
    let valid = (raw.starts_with("http://") || raw.starts_with("https://")) && !raw.contains(char::is_whitespace);
    if valid {
        Ok(raw.trim_end_matches('/').to_owned())
    } else {
        Err(invalid(var, "must be an absolute http(s) URL such as https://warta.example"))
    }
}

fn database(raw: &str) -> Result<Database, ConfigError> {
    if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
        return Ok(Database::Postgres(SecretString::from(raw.to_owned())));
    }
    let path = raw.strip_prefix("sqlite://").or_else(|| raw.strip_prefix("sqlite:")).unwrap_or(raw);
    if path.is_empty() || path == ":memory:" {
        // Every pooled connection would get its own empty in-memory database.
        return Err(invalid("WARTA_DATABASE_URL", "must be a file path such as data/warta.db"));
    }
    Ok(Database::Sqlite(PathBuf::from(path)))
}

fn cors_origins(raw: &str) -> Result<CorsOrigins, ConfigError> {
    if raw.trim() == "*" {
        return Ok(CorsOrigins::Any);
    }
    let origins: Vec<String> =
        raw.split(',').map(|o| o.trim().trim_end_matches('/').to_owned()).filter(|o| !o.is_empty()).collect();
    for origin in &origins {
        if !(origin.starts_with("http://") || origin.starts_with("https://")) || origin.contains(char::is_whitespace) {
            return Err(invalid(
                "WARTA_CORS_ORIGINS",
                "must be `*` or comma-separated origins such as https://warta.example",
            ));
        }
    }
    Ok(CorsOrigins::List(origins))
}

fn trusted_proxies(raw: &str) -> Result<Vec<IpAddr>, ConfigError> {
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<IpAddr>().map_err(|_| invalid("WARTA_TRUSTED_PROXIES", "must be comma-separated IP addresses"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(vars: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let env: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Settings::from_lookup(|name| env.get(name).cloned())
    }

    #[test]
    fn defaults_follow_the_contract() {
        let s = settings(&[]).expect("defaults are valid");
        assert!(matches!(s.database, Database::Sqlite(ref path) if path == &PathBuf::from("data/warta.db")));
        assert_eq!(s.bind, "127.0.0.1:8080");
        assert_eq!(s.jwt_issuer, "warta");
        assert_eq!(s.timezone, chrono_tz::Asia::Jakarta);
        assert_eq!(s.cors_origins, CorsOrigins::Any);
        assert_eq!(s.cache_max_age, 30);
        assert_eq!(s.max_body_bytes, 1_048_576);
        assert_eq!(s.view_dedupe_seconds, 1800);
        assert_eq!(s.request_timeout, Duration::from_secs(10));
        assert_eq!((s.max_connections, s.max_connections_per_address), (10_000, 100));
        assert_eq!(s.access_token_ttl, Duration::from_secs(900));
        // Reads reach view_count and trending within a second or two (the contract).
        assert_eq!(s.view_flush_interval, Duration::from_secs(1));
        assert!(s.trusted_proxies.is_empty());
        assert_eq!(s.data_dir(), Some(PathBuf::from("data")));
    }

    #[test]
    fn invalid_values_name_their_variable() {
        let cases = [
            ("WARTA_BIND", "nonsense"),
            ("WARTA_JWT_SECRET", "short"),
            ("WARTA_TIMEZONE", "Mars/Olympus"),
            ("WARTA_CACHE_MAX_AGE", "-1"),
            ("WARTA_MAX_BODY_BYTES", "lots"),
            ("WARTA_TRUSTED_PROXIES", "10.0.0.1,not-an-ip"),
            ("WARTA_CORS_ORIGINS", "ftp://x"),
            ("WARTA_LOG_FORMAT", "xml"),
            ("WARTA_DATABASE_URL", ":memory:"),
            ("WARTA_PUBLIC_URL", "warta.example"),
            ("WARTA_ADMIN_PASSWORD", "short"),
            ("WARTA_ACCESS_TOKEN_TTL", "0"),
            ("WARTA_REQUEST_TIMEOUT_SECONDS", "0"),
            ("WARTA_METRICS_TOKEN", "short"),
            ("WARTA_MAX_CONNECTIONS_PER_ADDRESS", "0"),
        ];
        for (var, value) in cases {
            let error = settings(&[(var, value)]).expect_err(var);
            assert_eq!(error.var, var);
            assert!(error.to_string().contains(var));
        }
    }

    #[test]
    fn a_postgres_url_chooses_postgres_and_is_never_shown_with_its_password() {
        let s = settings(&[("WARTA_DATABASE_URL", "postgres://warta:s3cret@db.internal:5432/warta?sslmode=require")])
            .expect("valid");
        assert!(matches!(s.database, Database::Postgres(_)));
        assert_eq!(s.database.display(), "postgres://db.internal:5432/warta");
        assert!(!format!("{s:?}").contains("s3cret"));
        assert_eq!(s.data_dir(), None, "instances on PostgreSQL share no folder");
    }

    #[test]
    fn lists_are_parsed() {
        let s = settings(&[
            ("WARTA_CORS_ORIGINS", "https://a.example, https://b.example/"),
            ("WARTA_TRUSTED_PROXIES", "127.0.0.1, ::1"),
            ("WARTA_DATABASE_URL", "sqlite:///tmp/w.db"),
        ])
        .expect("valid");
        assert_eq!(s.cors_origins, CorsOrigins::List(vec!["https://a.example".into(), "https://b.example".into()]));
        assert_eq!(s.trusted_proxies.len(), 2);
        assert!(matches!(s.database, Database::Sqlite(ref path) if path == &PathBuf::from("/tmp/w.db")));
    }
}
