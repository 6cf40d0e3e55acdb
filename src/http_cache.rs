//! HTTP caching of anonymous reads. Every anonymous `GET` of content or feeds gets an `ETag` that
//! validates its exact body, `Cache-Control: public`, and a 304 when `If-None-Match` matches; the
//! rendered answers are kept in a bounded in-process cache (`moka`, weighed in bytes) for a few
//! seconds within one content epoch: a committed content write or the arrival of the next scheduled
//! publication moves the epoch on, so no reader sees a stale answer after a write. Authenticated
//! answers are `private, no-store`.

use std::sync::Arc;
use std::time::Duration;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, ContentEncoding, HeaderMap, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web::{Bytes, Data};
use actix_web::HttpResponse;
use sha2::{Digest, Sha256};

use crate::articles;
use crate::clock::Now;
use crate::content_epoch::{ContentEpoch, Observed};
use crate::db::Db;
use crate::routes;

/// Headers of a cached answer that are part of the representation.
const KEPT_HEADERS: [header::HeaderName; 2] = [header::CONTENT_TYPE, header::LINK];

/// What an entry costs beyond the bytes it holds: the cache's own bookkeeping (its hash table
/// slot, access-order and expiry nodes, reference counts) and this type's fixed-size parts,
/// rounded up. Measured, not guessed: see the cache-bound test.
const ENTRY_OVERHEAD: usize = 512;

/// An answer as it is replayed: body, validator and the headers that belong to it.
struct Representation {
    body: Bytes,
    etag: HeaderValue,
    headers: Vec<(header::HeaderName, HeaderValue)>,
}

struct Entry {
    /// The content epoch the answer was rendered at; served only while it is current.
    epoch: u64,
    representation: Representation,
    /// The body compressed at a high level, made once per encoding a reader asked for.
    compressed: Vec<(ContentEncoding, Bytes)>,
}

impl Entry {
    /// Every byte the entry keeps, its key included.
    fn weight(&self, key: &str) -> usize {
        let r = &self.representation;
        let headers: usize = r.headers.iter().map(|(name, value)| name.as_str().len() + value.len()).sum();
        let compressed: usize = self.compressed.iter().map(|(_, body)| body.len()).sum();
        key.len() + r.body.len() + r.etag.len() + headers + compressed + ENTRY_OVERHEAD
    }

    fn compressed(&self, encoding: ContentEncoding) -> Option<&Bytes> {
        self.compressed.iter().find(|(e, _)| *e == encoding).map(|(_, body)| body)
    }

    /// A copy with the body compressed in `encoding` too.
    fn with_compressed(&self, encoding: ContentEncoding) -> Option<Entry> {
        let body = compress(encoding, &self.representation.body)?;
        let Representation { body: identity, etag, headers } = &self.representation;
        let representation = Representation { body: identity.clone(), etag: etag.clone(), headers: headers.clone() };
        let mut compressed = self.compressed.clone();
        compressed.push((encoding, body));
        Some(Entry { epoch: self.epoch, representation, compressed })
    }
}

/// Bodies shorter than this are left to the `Compress` middleware: compressing them gains little.
const MIN_COMPRESSED: usize = 1024;

/// The levels for cached answers, which are compressed once per epoch and sent many times
/// (`Compress` uses brotli 3 and gzip 1 for answers made per request). Measured on real answers
/// (README, performance; `examples/compression_levels.rs`): brotli 6 is 3-12% smaller than 3 and
/// gzip 6 17-45% smaller than 1; brotli 9 and 11 gain 1% and 10% more for 10x and 50x the time
/// (up to half a second for a full RSS feed, on the worker thread), gzip 9 nothing over 6.
const BROTLI_QUALITY: u32 = 6;
const GZIP_LEVEL: u32 = 6;

fn compress(encoding: ContentEncoding, body: &[u8]) -> Option<Bytes> {
    use std::io::Write;
    let out = match encoding {
        ContentEncoding::Brotli => {
            let mut writer =
                brotli::CompressorWriter::new(Vec::with_capacity(body.len() / 4), 4096, BROTLI_QUALITY, 22);
            writer.write_all(body).ok()?;
            writer.flush().ok()?;
            writer.into_inner()
        }
        ContentEncoding::Gzip => {
            let mut writer =
                flate2::write::GzEncoder::new(Vec::with_capacity(body.len() / 3), flate2::Compression::new(GZIP_LEVEL));
            writer.write_all(body).ok()?;
            writer.finish().ok()?
        }
        _ => return None,
    };
    Some(Bytes::from(out))
}

/// The encoding to send a cached answer in: brotli or gzip as the request prefers them, `None` for
/// anything else (the answer goes out as it is, and `Compress` applies to it as to any answer).
fn preferred_encoding(req: &actix_web::HttpRequest) -> Option<ContentEncoding> {
    use actix_web::http::header::{AcceptEncoding, Encoding, Header};
    static SUPPORTED: std::sync::LazyLock<[Encoding; 3]> =
        std::sync::LazyLock::new(|| [Encoding::brotli(), Encoding::gzip(), Encoding::identity()]);
    let accepted = AcceptEncoding::parse(req).ok()?;
    match accepted.negotiate(SUPPORTED.iter())? {
        Encoding::Known(encoding @ (ContentEncoding::Brotli | ContentEncoding::Gzip)) => Some(encoding),
        _ => None,
    }
}

pub struct ResponseCache {
    cache_control: HeaderValue,
    epoch: Arc<ContentEpoch>,
    /// `None` when the cache is turned off (a TTL of 0).
    entries: Option<moka::sync::Cache<String, Arc<Entry>>>,
    /// Larger answers are not kept: one answer may take at most a sixteenth of the cache.
    max_entry: usize,
}

impl ResponseCache {
    pub fn new(ttl: Duration, max_bytes: usize, max_age: u32, epoch: Arc<ContentEpoch>) -> ResponseCache {
        let cache_control = HeaderValue::from_str(&format!("public, max-age={max_age}, stale-while-revalidate=60"))
            .unwrap_or(HeaderValue::from_static("no-cache"));
        let entries = (!ttl.is_zero()).then(|| {
            moka::sync::Cache::builder()
                .max_capacity(max_bytes as u64)
                .weigher(|key: &String, entry: &Arc<Entry>| u32::try_from(entry.weight(key)).unwrap_or(u32::MAX))
                .time_to_live(ttl)
                .build()
        });
        ResponseCache { cache_control, epoch, entries, max_entry: max_bytes / 16 }
    }

    /// Bytes the cache holds by its weigher and its number of entries, once it has applied pending
    /// evictions (which it otherwise does in passing): for `/metrics`.
    pub fn usage(&self) -> (u64, u64) {
        self.entries.as_ref().map_or((0, 0), |entries| {
            entries.run_pending_tasks();
            (entries.weighted_size(), entries.entry_count())
        })
    }

    /// The entry kept for `key` at `epoch`, in the encoding the request prefers. Compressed on the
    /// first hit, not when filled: a request that only fills the cache (a cache-busting one) never
    /// pays for the slow levels.
    fn fresh(&self, req: &ServiceRequest, key: &str, epoch: u64) -> Option<(Arc<Entry>, Option<ContentEncoding>)> {
        let entry = self.lookup(key, epoch)?;
        Some(self.compressed_for(req.request(), key, entry))
    }

    fn lookup(&self, key: &str, epoch: u64) -> Option<Arc<Entry>> {
        self.entries.as_ref()?.get(key).filter(|entry| entry.epoch == epoch)
    }

    /// The entry with its body compressed as this request prefers, made now if not yet and kept
    /// (weighed anew) for the next readers.
    fn compressed_for(
        &self,
        req: &actix_web::HttpRequest,
        key: &str,
        entry: Arc<Entry>,
    ) -> (Arc<Entry>, Option<ContentEncoding>) {
        let encoding = preferred_encoding(req).filter(|_| entry.representation.body.len() >= MIN_COMPRESSED);
        let Some(encoding) = encoding else { return (entry, None) };
        if entry.compressed(encoding).is_some() {
            return (entry, Some(encoding));
        }
        match entry.with_compressed(encoding) {
            Some(richer) => {
                let richer = Arc::new(richer);
                self.store(key.to_owned(), richer.clone());
                (richer, Some(encoding))
            }
            None => (entry, None),
        }
    }

    fn store(&self, key: String, entry: Arc<Entry>) {
        let Some(entries) = &self.entries else { return };
        // An answer rendered before a write committed is not kept after it.
        if entry.weight(&key) > self.max_entry || self.epoch.current() != entry.epoch {
            return;
        }
        entries.insert(key, entry);
    }
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
    entry: &Entry,
    encoding: Option<ContentEncoding>,
) -> ServiceResponse<BoxBody> {
    let Representation { body, etag, headers } = &entry.representation;
    let fresh = not_modified(req.headers(), etag);
    let mut response = if fresh { HttpResponse::NotModified() } else { HttpResponse::Ok() };
    response
        .insert_header((header::ETAG, etag.clone()))
        .insert_header((header::CACHE_CONTROL, cache.cache_control.clone()))
        .insert_header((header::VARY, HeaderValue::from_static("Accept-Encoding, Authorization")));
    for (name, value) in headers {
        response.insert_header((name.clone(), value.clone()));
    }
    // A stored compressed body goes out as it is: `Compress` leaves an answer that has a
    // `Content-Encoding` alone, and `Vary: Accept-Encoding` is already set.
    let body = match encoding.and_then(|encoding| Some((encoding, entry.compressed(encoding)?))) {
        Some((encoding, compressed)) => {
            response.insert_header((header::CONTENT_ENCODING, encoding.to_header_value()));
            compressed
        }
        None => body,
    };
    let response = if fresh { response.finish() } else { response.body(body.clone()) };
    ServiceResponse::new(req, response)
}

/// Headers every answer gets from the middleware between the edge and the cache (CORS with any
/// origin); `None` when they depend on the request (a list of origins), and the edge then serves
/// nothing itself.
pub struct EdgeHeaders(pub Option<Vec<(header::HeaderName, HeaderValue)>>);

/// The outer middleware that answers a cached read before the rest of the stack runs: security
/// headers, CORS, compression and the cache middleware each cost a boxed future and header work
/// per request, which for the most frequent answer of all (a feed from the cache) is most of the
/// time it takes. It answers only what that stack would answer exactly so: an anonymous GET of
/// content without `Origin` (CORS would add to it), fresh in the cache at this epoch, that either
/// accepts no encoding or one the cache keeps compressed (`Compress` would encode any other).
/// Everything else, cache fills included, goes down the whole stack.
pub async fn serve_cached_first(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if let Some(response) = edge_hit(&req) {
        return Ok(response);
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

/// Whether the cache may answer the request at all: an anonymous GET of content.
fn cacheable(req: &ServiceRequest) -> bool {
    req.method() == Method::GET
        && !req.headers().contains_key(header::AUTHORIZATION)
        && routes::is_content(req.match_info().as_str())
}

fn cache_key(req: &ServiceRequest) -> String {
    format!("{}?{}", req.path(), req.query_string())
}

fn edge_hit(req: &ServiceRequest) -> Option<ServiceResponse<BoxBody>> {
    let cors = req.app_data::<Data<EdgeHeaders>>()?.0.as_ref()?;
    let headers = req.headers();
    if !cacheable(req) || headers.contains_key(header::ORIGIN) {
        return None;
    }
    let cache = req.app_data::<Data<ResponseCache>>()?;
    let Observed::Known(epoch) = cache.epoch.observe(Now::of(req.request())) else { return None };
    let (entry, encoding) = cache.fresh(req, &cache_key(req), epoch)?;
    if encoding.is_none() && headers.contains_key(header::ACCEPT_ENCODING) {
        return None;
    }
    let mut response = answer(req.request().clone(), cache, &entry, encoding);
    let out = response.headers_mut();
    crate::security::add_security_headers(out, false);
    for (name, value) in cors {
        if !out.contains_key(name) {
            out.insert(name.clone(), value.clone());
        }
    }
    Some(response)
}

/// The middleware.
pub async fn http_cache(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let cache = req.app_data::<Data<ResponseCache>>().cloned();
    let (Some(cache), true) = (cache, cacheable(&req)) else {
        return pass_through(req, next).await;
    };
    let key = cache_key(&req);
    let now = Now::of(req.request());
    let epoch = match cache.epoch.observe(now) {
        Observed::Known(epoch) => {
            if let Some((entry, encoding)) = cache.fresh(&req, &key, epoch) {
                return Ok(answer(req.request().clone(), &cache, &entry, encoding));
            }
            epoch
        }
        // Entries are served only once the next scheduled publication is known at this epoch.
        Observed::Unknown(epoch) => {
            if let (Some(db), Some(_)) = (req.app_data::<Data<Db>>().cloned(), &cache.entries) {
                if let Ok(next) = db.run(move |conn| Ok(articles::repo::next_scheduled(conn, now)?)).await {
                    cache.epoch.learn(epoch, next);
                }
            }
            epoch
        }
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
    let entry = Arc::new(Entry { epoch, representation, compressed: Vec::new() });
    cache.store(key, entry.clone());
    Ok(answer(request, &cache, &entry, None))
}

/// Everything that is not an anonymous read of content: marked private when authenticated or
/// not a read.
async fn pass_through(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let authenticated = req.headers().contains_key(header::AUTHORIZATION);
    let mut response = next.call(req).await?;
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
            assert!(routes::is_content(path), "{path}");
        }
        for path in ["/api/v1/auth/me", "/api/v1/users", "/api/v1/articlesx", "/healthz", "/docs/"] {
            assert!(!routes::is_content(path), "{path}");
        }
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

    fn entry(body: Vec<u8>, epoch: u64) -> Arc<Entry> {
        let representation = Representation { etag: etag_of(&body), body: Bytes::from(body), headers: Vec::new() };
        Arc::new(Entry { epoch, representation, compressed: Vec::new() })
    }

    #[test]
    fn the_cache_stays_within_its_bound() {
        let cache = ResponseCache::new(Duration::from_secs(60), 64 * 1024, 30, Default::default());
        for i in 0..1_000 {
            cache.store(format!("/k{i}"), entry(vec![b'x'; 500], 0));
        }
        let (bytes, entries) = cache.usage();
        assert!(bytes <= 64 * 1024, "{bytes}");
        assert!(bytes > 32 * 1024 && bytes >= entries * 500, "{bytes} {entries}");
    }

    #[test]
    fn answers_rendered_before_a_write_are_not_stored_nor_served_after_it() {
        let epoch = Arc::new(ContentEpoch::new());
        let cache = ResponseCache::new(Duration::from_secs(60), 1 << 20, 30, epoch.clone());
        cache.store("/new".into(), entry(b"new".to_vec(), 0));
        epoch.bump();
        cache.store("/old".into(), entry(b"old".to_vec(), 0));
        assert!(cache.lookup("/old", 1).is_none(), "rendered before the write");
        assert!(cache.lookup("/new", 1).is_none(), "stored before the write");
    }
}
