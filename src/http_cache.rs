//! HTTP caching of anonymous reads. Every anonymous `GET` of content or feeds gets an `ETag` that
//! validates its exact body, `Cache-Control: public`, and a 304 when `If-None-Match` matches; the
//! rendered answers are kept in a bounded in-process cache for a few seconds. Every successful
//! content write clears that cache at once, and so does the arrival of the next scheduled
//! publication, so no reader sees a stale list after a write; the trending cache and the view
//! beacon's article keys and the list totals are cleared with it. Authenticated answers are `private, no-store`.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web::{Bytes, Data};
use actix_web::HttpResponse;
use chrono::NaiveDateTime;
use sha2::{Digest, Sha256};

use crate::articles;
use crate::articles::service::Totals;
use crate::db::Db;
use crate::domain::time;
use crate::feeds::service::TrendingCache;
use crate::routes;
use crate::views::service::ArticleKeys;

/// Headers of a cached answer that are part of the representation.
const KEPT_HEADERS: [header::HeaderName; 2] = [header::CONTENT_TYPE, header::LINK];

/// An answer as it is replayed: body, validator and the headers that belong to it.
#[derive(Clone)]
struct Representation {
    body: Bytes,
    etag: HeaderValue,
    headers: Vec<(header::HeaderName, HeaderValue)>,
}

struct Entry {
    representation: Representation,
    stored: Instant,
}

#[derive(Default)]
struct Entries {
    map: HashMap<String, Entry>,
    /// Insertion order, for evicting the oldest first.
    order: VecDeque<String>,
    bytes: usize,
    /// When the next scheduled article becomes visible: `None` not known yet, `Some(None)` none is scheduled.
    next_publication: Option<Option<NaiveDateTime>>,
    /// Grows with every clear: an answer computed before a write must not be stored after it.
    generation: u64,
}

impl Entries {
    fn clear(&mut self) {
        self.map.clear();
        self.order.clear();
        self.bytes = 0;
        self.next_publication = None;
        self.generation += 1;
    }
}

pub struct ResponseCache {
    ttl: Duration,
    max_bytes: usize,
    cache_control: HeaderValue,
    entries: Mutex<Entries>,
}

impl ResponseCache {
    pub fn new(ttl: Duration, max_bytes: usize, max_age: u32) -> ResponseCache {
        let cache_control = HeaderValue::from_str(&format!("public, max-age={max_age}, stale-while-revalidate=60"))
            .unwrap_or(HeaderValue::from_static("no-cache"));
        ResponseCache { ttl, max_bytes, cache_control, entries: Mutex::new(Entries::default()) }
    }

    /// Forgets every stored answer.
    pub fn clear(&self) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.clear();
        }
    }

    fn lookup(&self, key: &str, now: NaiveDateTime) -> Option<Representation> {
        let mut entries = self.entries.lock().ok()?;
        if let Some(Some(at)) = entries.next_publication {
            if at <= now {
                entries.clear();
                return None;
            }
        }
        entries.map.get(key).filter(|e| e.stored.elapsed() < self.ttl).map(|e| e.representation.clone())
    }

    /// The current generation, and whether the next publication time must be looked up.
    fn state(&self) -> (u64, bool) {
        self.entries.lock().map(|e| (e.generation, e.next_publication.is_none())).unwrap_or((0, false))
    }

    fn store(&self, key: String, entry: Entry, generation: u64, next_publication: Option<Option<NaiveDateTime>>) {
        let size = entry.representation.body.len() + key.len();
        if self.ttl.is_zero() || size > self.max_bytes / 16 {
            return;
        }
        let Ok(mut entries) = self.entries.lock() else { return };
        if entries.generation != generation {
            return;
        }
        if let Some(next) = next_publication {
            entries.next_publication = Some(next);
        }
        while entries.bytes + size > self.max_bytes {
            let Some(oldest) = entries.order.pop_front() else { break };
            if let Some(old) = entries.map.remove(&oldest) {
                entries.bytes -= old.representation.body.len() + oldest.len();
            }
        }
        if let Some(old) = entries.map.insert(key.clone(), entry) {
            entries.bytes -= old.representation.body.len() + key.len();
            entries.order.retain(|k| k != &key);
        }
        entries.bytes += size;
        entries.order.push_back(key);
    }
}

/// Routes whose anonymous `GET`s are public content, by the route table.
fn is_content(path: &str) -> bool {
    routes::find(path).is_some_and(|route| route.kind == routes::Kind::Content)
}

/// Writes that change what readers see, judged by the route that answers the path as the router
/// sees it, so that a slug such as `views` or a percent-encoded path cannot pass for something
/// else. The view beacon, account and login calls change no content.
fn changes_content(method: &Method, path: &str) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) && is_content(path)
}

/// A weak validator of the body: the gzip, brotli and identity encodings of one body are the same
/// representation, so they share it, and any change of a byte of the body changes it.
fn etag_of(body: &[u8]) -> HeaderValue {
    let digest = Sha256::digest(body);
    HeaderValue::from_str(&format!("W/\"{}\"", hex::encode(&digest[..16])))
        .unwrap_or(HeaderValue::from_static("W/\"0\""))
}

/// Whether `If-None-Match` names this representation (weak comparison, lists and `*` included).
fn not_modified(request: &HeaderMap, etag: &HeaderValue) -> bool {
    let Some(etag) = etag.to_str().ok() else { return false };
    let opaque = |tag: &str| tag.trim().strip_prefix("W/").unwrap_or(tag.trim()).to_owned();
    let ours = opaque(etag);
    request
        .get_all(header::IF_NONE_MATCH)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|tag| tag.trim() == "*" || opaque(tag) == ours)
}

fn answer(
    req: actix_web::HttpRequest,
    cache: &ResponseCache,
    representation: Representation,
) -> ServiceResponse<BoxBody> {
    let Representation { body, etag, headers } = representation;
    let fresh = not_modified(req.headers(), &etag);
    let mut response = if fresh { HttpResponse::NotModified() } else { HttpResponse::Ok() };
    response
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, cache.cache_control.clone()))
        .insert_header((header::VARY, HeaderValue::from_static("Accept-Encoding, Authorization")));
    for (name, value) in headers {
        response.insert_header((name, value));
    }
    let response = if fresh { response.finish() } else { response.body(body) };
    ServiceResponse::new(req, response)
}

/// The middleware.
pub async fn http_cache(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let cache = req.app_data::<Data<ResponseCache>>().cloned();
    let anonymous = !req.headers().contains_key(header::AUTHORIZATION);
    let cacheable = anonymous && req.method() == Method::GET && is_content(req.match_info().as_str());
    let (Some(cache), true) = (cache, cacheable) else {
        return pass_through(req, next).await;
    };
    let key = format!("{}?{}", req.path(), req.query_string());
    let now = time::now();
    if let Some(representation) = cache.lookup(&key, now) {
        return Ok(answer(req.request().clone(), &cache, representation));
    }
    let (generation, unknown_next) = cache.state();
    let next_publication = match (unknown_next && !cache.ttl.is_zero(), req.app_data::<Data<Db>>().cloned()) {
        (true, Some(db)) => db.run(move |conn| Ok(articles::repo::next_scheduled(conn, now)?)).await.ok(),
        _ => None,
    };
    let response = next.call(req).await?;
    if response.status() != StatusCode::OK {
        return Ok(response.map_into_boxed_body());
    }
    let (request, response) = response.into_parts();
    let headers: Vec<_> = KEPT_HEADERS
        .iter()
        .filter_map(|name| response.headers().get(name).map(|v| (name.clone(), v.clone())))
        .collect();
    let body = actix_web::body::to_bytes(response.into_body())
        .await
        .map_err(|_| actix_web::error::ErrorInternalServerError("the answer could not be read"))?;
    let representation = Representation { etag: etag_of(&body), body, headers };
    cache.store(
        key,
        Entry { representation: representation.clone(), stored: Instant::now() },
        generation,
        next_publication,
    );
    Ok(answer(request, &cache, representation))
}

/// Everything that is not an anonymous read of content: marked private when authenticated, and
/// a successful content write clears the caches.
async fn pass_through(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let authenticated = req.headers().contains_key(header::AUTHORIZATION);
    let caches = (
        req.app_data::<Data<ResponseCache>>().cloned(),
        req.app_data::<Data<TrendingCache>>().cloned(),
        req.app_data::<Data<ArticleKeys>>().cloned(),
        req.app_data::<Data<Totals>>().cloned(),
    );
    let mut response = next.call(req).await?;
    let request = response.request();
    if changes_content(request.method(), request.match_info().as_str()) && response.status().is_success() {
        if let Some(cache) = &caches.0 {
            cache.clear();
        }
        if let Some(trending) = &caches.1 {
            trending.clear();
        }
        if let Some(keys) = &caches.2 {
            keys.clear();
        }
        if let Some(totals) = &caches.3 {
            totals.clear();
        }
    }
    if authenticated || !response.request().method().is_safe() {
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    }
    Ok(response.map_into_boxed_body())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_routes_and_writes_are_recognised() {
        for path in [
            "/api/v1/articles",
            "/api/v1/articles/x",
            "/api/v1/feeds/latest",
            "/api/v1/syndication/rss.xml",
            "/api/v1/tags",
        ] {
            assert!(is_content(path), "{path}");
        }
        for path in ["/api/v1/auth/me", "/api/v1/users", "/api/v1/articlesx", "/healthz", "/docs/"] {
            assert!(!is_content(path), "{path}");
        }
        assert!(changes_content(&Method::PATCH, "/api/v1/articles/views"));
        assert!(changes_content(&Method::DELETE, "/api/v1/categories/x"));
        assert!(!changes_content(&Method::POST, "/api/v1/articles/x/views"));
        assert!(!changes_content(&Method::GET, "/api/v1/articles"));
        assert!(!changes_content(&Method::POST, "/api/v1/users"));
        assert!(!changes_content(&Method::POST, "/api/v1/nope"), "no route answered");
    }

    #[test]
    fn if_none_match_compares_weakly() {
        let etag = etag_of(b"{}");
        let tag = etag.to_str().expect("ascii").trim_start_matches("W/").to_owned();
        for header in [tag.clone(), format!("W/{tag}"), format!("\"x\", {tag}"), "*".to_owned()] {
            let mut headers = HeaderMap::new();
            headers.insert(header::IF_NONE_MATCH, HeaderValue::from_str(&header).expect("valid"));
            assert!(not_modified(&headers, &etag), "{header}");
        }
        let mut other = HeaderMap::new();
        other.insert(header::IF_NONE_MATCH, HeaderValue::from_static("\"other\""));
        assert!(!not_modified(&other, &etag));
    }

    fn entry(body: Vec<u8>) -> Entry {
        let representation = Representation { etag: etag_of(&body), body: Bytes::from(body), headers: Vec::new() };
        Entry { representation, stored: Instant::now() }
    }

    #[test]
    fn the_cache_stays_within_its_bound() {
        let cache = ResponseCache::new(Duration::from_secs(60), 16 * 1024, 30);
        for i in 0..100 {
            cache.store(format!("/k{i}"), entry(vec![b'x'; 500]), 0, Some(None));
        }
        let entries = cache.entries.lock().expect("lock");
        assert!(entries.bytes <= 16 * 1024, "{}", entries.bytes);
        assert!(entries.map.contains_key("/k99") && !entries.map.contains_key("/k0"));
    }

    #[test]
    fn answers_computed_before_a_clear_are_not_stored() {
        let cache = ResponseCache::new(Duration::from_secs(60), 1 << 20, 30);
        let (generation, _) = cache.state();
        cache.clear();
        cache.store("/k".into(), entry(b"old".to_vec()), generation, Some(None));
        assert!(cache.lookup("/k", time::now()).is_none());
    }
}
