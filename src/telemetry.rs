//! Logging with `tracing` (text or JSON) and the middleware that gives every request an id, a log
//! line with its method, path, status and latency, and a place in `/metrics`.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web::Data;
use tracing::Instrument;
use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;
use crate::metrics::Metrics;

/// Installs the global subscriber; a second call (as in tests) is harmless.
pub fn init(level: &str, format: LogFormat) {
    let filter = EnvFilter::try_new(level).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// An incoming `X-Request-Id` is kept when it is short and printable (so a proxy's id follows the
/// request through), else a new one is made: a random prefix per process and a counter, which is
/// unique without a system call per request.
fn request_id(req: &ServiceRequest) -> String {
    static PREFIX: std::sync::LazyLock<String> =
        std::sync::LazyLock::new(|| crate::auth::random_token()[..8].to_owned());
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    req.headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 128 && v.bytes().all(|b| b.is_ascii_graphic()))
        .map(str::to_owned)
        .unwrap_or_else(|| format!("{}-{:x}", *PREFIX, NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)))
}

/// The metrics label of a path: its route pattern, from a fixed list so that a scan of random URLs
/// cannot grow the label set. Written out rather than asked of the router, whose pattern matching
/// runs a regular expression per route and was most of the cost of a view beacon.
pub fn route_label(path: &str) -> String {
    const ROOT: [&str; 5] = ["/healthz", "/readyz", "/metrics", "/openapi.json", "/docs"];
    const COLLECTIONS: [&str; 10] =
        ["articles", "categories", "authors", "tags", "users", "feeds", "syndication", "audit", "auth", "auth/me"];
    const ACTIONS: [&str; 2] = ["views", "related"];
    if ROOT.contains(&path) {
        return path.to_owned();
    }
    if path.starts_with("/docs/") {
        return "/docs/{_:.*}".to_owned();
    }
    let Some(rest) = path.strip_prefix("/api/v1/") else { return "unmatched".to_owned() };
    let segments: Vec<&str> = rest.split('/').collect();
    // An empty segment (`/articles/`, `//`) names no resource: no route matches it.
    if segments.iter().any(|s| s.is_empty()) {
        return "unmatched".to_owned();
    }
    let label = match segments.as_slice() {
        [collection] if COLLECTIONS.contains(collection) => format!("/api/v1/{collection}"),
        ["feeds" | "syndication" | "auth", name] => format!("/api/v1/{}/{name}", segments[0]),
        ["auth", "me", "password"] => "/api/v1/auth/me/password".to_owned(),
        ["users", _] => "/api/v1/users/{id}".to_owned(),
        [collection, _] if COLLECTIONS.contains(collection) => format!("/api/v1/{collection}/{{key}}"),
        ["articles", _, action] if ACTIONS.contains(action) => format!("/api/v1/articles/{{key}}/{action}"),
        _ => return "unmatched".to_owned(),
    };
    // Names under /feeds, /syndication and /auth come from the request: only real ones are labels.
    let known = [
        "/api/v1/feeds/latest",
        "/api/v1/feeds/trending",
        "/api/v1/syndication/rss.xml",
        "/api/v1/syndication/feed.json",
        "/api/v1/auth/login",
        "/api/v1/auth/refresh",
        "/api/v1/auth/logout",
        "/api/v1/auth/me",
    ];
    match segments.as_slice() {
        ["feeds" | "syndication" | "auth", _] if !known.contains(&label.as_str()) => "unmatched".to_owned(),
        _ => label,
    }
}

/// The methods a route answers (its `Allow` header), by its label; `None` for no route at all.
pub fn allowed_methods(label: &str) -> Option<&'static str> {
    let tail = label.strip_prefix("/api/v1/");
    Some(match tail {
        None if label == "unmatched" => return None,
        None => "GET, HEAD, OPTIONS",
        Some("articles" | "categories" | "authors" | "tags" | "users") => "GET, HEAD, POST, OPTIONS",
        Some("articles/{key}/views" | "auth/login" | "auth/refresh" | "auth/logout") => "POST, OPTIONS",
        Some("auth/me/password") => "PUT, OPTIONS",
        Some(t) if t.ends_with("{key}") || t.ends_with("{id}") => "GET, HEAD, PATCH, DELETE, OPTIONS",
        Some(_) => "GET, HEAD, OPTIONS",
    })
}

/// Middleware: request id, access log and metrics.
pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody + 'static>, actix_web::Error> {
    let started = Instant::now();
    let id = request_id(&req);
    let method = req.method().to_string();
    let path = req.path().to_owned();
    let route = route_label(req.path());
    let metrics = req.app_data::<Data<Metrics>>().cloned();
    let span = tracing::info_span!("request", request_id = %id, method = %method, path = %path);
    let mut response = next.call(req).instrument(span.clone()).await?;
    let status = response.status().as_u16();
    let elapsed = started.elapsed();
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    if let Some(metrics) = metrics {
        metrics.record(&method, &route, status, elapsed);
    }
    span.in_scope(|| tracing::info!(status, latency_ms = elapsed.as_secs_f64() * 1000.0, "answered"));
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::route_label;

    #[test]
    fn labels_are_route_patterns_from_a_fixed_set() {
        let cases = [
            ("/api/v1/articles", "/api/v1/articles"),
            ("/api/v1/articles/korea-utara", "/api/v1/articles/{key}"),
            ("/api/v1/articles/12/views", "/api/v1/articles/{key}/views"),
            ("/api/v1/articles/12/random", "unmatched"),
            ("/api/v1/users/3", "/api/v1/users/{id}"),
            ("/api/v1/feeds/latest", "/api/v1/feeds/latest"),
            ("/api/v1/feeds/whatever", "unmatched"),
            ("/api/v1/auth/me/password", "/api/v1/auth/me/password"),
            ("/healthz", "/healthz"),
            ("/docs/swagger-ui.css", "/docs/{_:.*}"),
            ("/wp-admin/install.php", "unmatched"),
            ("/api/v1/nope", "unmatched"),
        ];
        for (path, label) in cases {
            assert_eq!(route_label(path), label, "{path}");
        }
    }
}
