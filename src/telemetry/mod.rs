//! Logging with `tracing` (text or JSON) and the middleware that gives every request an id, a log
//! line with its method, path, status and latency, and a place in `/metrics`.

mod access_log;
mod batch_writer;

use std::io::IsTerminal;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::{Method, Uri};
use actix_web::middleware::Next;
use actix_web::web::Data;
use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;
use crate::metrics::Metrics;
use crate::routes;

/// Keeps the log writer's thread running; dropping it writes out every line still queued. Hold
/// it until the process is about to exit.
#[must_use = "logging stops when the guard is dropped"]
pub struct LogGuard {
    _writer: Option<batch_writer::BatchWriterGuard>,
}

/// Installs the global subscriber; a second call (as in tests) is harmless. Lines are formatted on
/// the request's thread into a shared buffer that a thread of its own writes out in batches
/// (`batch_writer`), so a request never waits for the terminal or the journal and pays no system
/// call for its access-log line.
pub fn init(level: &str, format: LogFormat) -> LogGuard {
    let filter = EnvFilter::try_new(level).unwrap_or_else(|_| EnvFilter::new("info"));
    let (writer, guard) = batch_writer::BatchWriter::new(std::io::stderr());
    // Colours only on a terminal: a file or the journal gets plain text.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(writer.clone());
    let writer_for_access_log = writer;
    let installed = match format {
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
        LogFormat::Text => builder.try_init(),
    };
    if installed.is_ok() {
        access_log::install(writer_for_access_log, format);
    }
    // A second subscriber is not installed; its writer thread is not needed.
    LogGuard { _writer: installed.is_ok().then_some(guard) }
}

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// An incoming `X-Request-Id` is kept when it is short and printable (so a proxy's id follows the
/// request through), else a new one is made: a random prefix per process and a counter, which is
/// unique without a system call per request.
fn request_id(req: &ServiceRequest) -> HeaderValue {
    // Hex, so the prefix never holds the dash that separates it from the counter.
    static PREFIX: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| format!("{:08x}", rand::random::<u32>()));
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    if let Some(given) = req
        .headers()
        .get(&REQUEST_ID)
        .filter(|v| !v.is_empty() && v.len() <= 128 && v.as_bytes().iter().all(u8::is_ascii_graphic))
    {
        return given.clone();
    }
    // Written into a buffer on the stack: the header value is the only allocation.
    let mut id = [0u8; 32];
    let prefix = PREFIX.as_bytes();
    id[..prefix.len()].copy_from_slice(prefix);
    id[prefix.len()] = b'-';
    let mut len = prefix.len() + 1;
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let digits = (64 - n.leading_zeros()).div_ceil(4).max(1) as usize;
    for i in 0..digits {
        id[len + i] = b"0123456789abcdef"[((n >> (4 * (digits - 1 - i))) & 0xf) as usize];
    }
    len += digits;
    HeaderValue::from_bytes(&id[..len]).unwrap_or(HeaderValue::from_static("-"))
}

/// The request a task is answering: what its log lines name.
#[derive(Clone)]
pub struct RequestContext {
    id: HeaderValue,
    method: Method,
    uri: Uri,
}

tokio::task_local! {
    static REQUEST: RequestContext;
}

/// A `request` span naming the request the current task answers (id, method, path), or no span
/// outside a request. Not every request gets a span up front: the access line needs none, and a
/// span for each request cost more than the rest of a cached read. Code that logs while answering
/// enters this first; `Db::run` carries it onto the blocking thread, so every event in database work
/// has it.
pub fn request_span() -> tracing::Span {
    REQUEST
        .try_with(|request| {
            tracing::info_span!(
                "request",
                request_id = %request.id.to_str().unwrap_or("-"),
                method = %request.method.as_str(),
                path = %request.uri.path()
            )
        })
        .unwrap_or_else(|_| tracing::Span::none())
}

/// Middleware: request id, access log and metrics.
pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody + 'static>, actix_web::Error> {
    let started = Instant::now();
    let request = RequestContext { id: request_id(&req), method: req.method().clone(), uri: req.uri().clone() };
    let route = routes::label(req.match_info().as_str());
    let metrics = req.app_data::<Data<Metrics>>().cloned();
    let mut response = REQUEST.scope(request.clone(), next.call(req)).await?;
    let status = response.status().as_u16();
    let elapsed = started.elapsed();
    if let Some(metrics) = metrics {
        metrics.record(request.method.as_str(), route, status, elapsed);
    }
    access_log::record(&request, status, elapsed);
    response.headers_mut().insert(REQUEST_ID, request.id);
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_request_ids_are_the_prefix_and_a_hex_counter() {
        let req = actix_web::test::TestRequest::default().to_srv_request();
        let first = request_id(&req);
        let second = request_id(&req);
        let (a, b) = (first.to_str().expect("ascii"), second.to_str().expect("ascii"));
        let (prefix, n) = a.split_once('-').expect("a dash");
        assert_eq!(prefix.len(), 8);
        assert!(prefix.bytes().all(|b| b.is_ascii_hexdigit()), "{a}");
        // Other tests running at the same time may take ids in between: later, not necessarily next.
        let (second_prefix, m) = b.split_once('-').expect("a dash");
        assert_eq!(second_prefix, prefix);
        assert!(u64::from_str_radix(m, 16).expect("hex") > u64::from_str_radix(n, 16).expect("hex"), "{a} then {b}");
        let given = actix_web::test::TestRequest::default().insert_header(("x-request-id", "abc-1")).to_srv_request();
        assert_eq!(request_id(&given), "abc-1");
    }
}
