//! The access log: one line per answered request, in the shape `tracing_subscriber::fmt` gives
//! every other line (text or JSON), but formatted by hand straight into the log writer's buffer.
//! Through `tracing` the line cost a span, a subscriber dispatch, a `Debug` visit of each field and
//! a date formatted from scratch: at the default level that was a third of the time a cached read
//! takes. Here it is a few integer conversions, the date is formatted once a second per thread,
//! and nothing is allocated.

use std::cell::Cell;
use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::batch_writer::BatchWriter;
use super::RequestContext;
use crate::config::LogFormat;

/// The target the lines carry, and the one to filter on: `WARTA_LOG=info,warta::access=off`
/// keeps every other line and drops the access log.
pub const TARGET: &str = "warta::access";

static OUTPUT: OnceLock<(BatchWriter, LogFormat)> = OnceLock::new();

/// Sends access lines to `writer`; the first call wins, as with the global subscriber.
pub(super) fn install(writer: BatchWriter, format: LogFormat) {
    let _ = OUTPUT.set((writer, format));
}

/// Writes the line for one answered request, when the level filter lets `warta::access` lines
/// through at `info`.
pub(super) fn record(request: &RequestContext, status: u16, latency: Duration) {
    if !tracing::enabled!(target: TARGET, tracing::Level::INFO) {
        return;
    }
    let Some((writer, format)) = OUTPUT.get() else { return };
    let micros = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_micros();
    let latency_micros = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
    writer.append(|line| match format {
        LogFormat::Text => text_line(line, micros, request, status, latency_micros),
        LogFormat::Json => json_line(line, micros, request, status, latency_micros),
    });
}

/// `2026-12-03T15:45:56.839063Z  INFO request{request_id=… method=GET path=/…}: warta::access:
/// answered status=200 latency_ms=0.128`
fn text_line(line: &mut Vec<u8>, micros: u128, request: &RequestContext, status: u16, latency_micros: u64) {
    timestamp(line, micros);
    line.extend_from_slice(b"  INFO request{request_id=");
    printable(line, request.id.as_bytes());
    line.extend_from_slice(b" method=");
    line.extend_from_slice(request.method.as_str().as_bytes());
    line.extend_from_slice(b" path=");
    printable(line, request.uri.path().as_bytes());
    line.extend_from_slice(b"}: ");
    line.extend_from_slice(TARGET.as_bytes());
    line.extend_from_slice(b": answered status=");
    integer(line, status);
    line.extend_from_slice(b" latency_ms=");
    milliseconds(line, latency_micros);
    line.push(b'\n');
}

/// The JSON subscriber's shape: `{"timestamp":…,"level":"INFO","message":"answered","status":200,
/// "latency_ms":0.128,"target":"warta::access","span":{…},"spans":[{…}]}`.
fn json_line(line: &mut Vec<u8>, micros: u128, request: &RequestContext, status: u16, latency_micros: u64) {
    line.extend_from_slice(b"{\"timestamp\":\"");
    timestamp(line, micros);
    line.extend_from_slice(b"\",\"level\":\"INFO\",\"message\":\"answered\",\"status\":");
    integer(line, status);
    line.extend_from_slice(b",\"latency_ms\":");
    milliseconds(line, latency_micros);
    line.extend_from_slice(b",\"target\":\"warta::access\",\"span\":");
    let span_start = line.len();
    line.extend_from_slice(b"{\"method\":");
    json_string(line, request.method.as_str());
    line.extend_from_slice(b",\"path\":");
    json_string(line, request.uri.path());
    line.extend_from_slice(b",\"request_id\":");
    json_string(line, request.id.to_str().unwrap_or("-"));
    line.extend_from_slice(b",\"name\":\"request\"}");
    let span_end = line.len();
    line.extend_from_slice(b",\"spans\":[");
    line.extend_from_within(span_start..span_end);
    line.extend_from_slice(b"]}\n");
}

/// RFC 3339 in UTC with microseconds, as `tracing_subscriber` writes it. The part up to the
/// seconds changes once a second, so each thread keeps it formatted.
fn timestamp(line: &mut Vec<u8>, micros: u128) {
    const PREFIX: usize = "2026-12-03T15:45:56.".len();
    thread_local! {
        static SECOND: Cell<(u64, [u8; PREFIX])> = const { Cell::new((u64::MAX, [0; PREFIX])) };
    }
    let seconds = u64::try_from(micros / 1_000_000).unwrap_or(u64::MAX);
    let (cached, mut prefix) = SECOND.get();
    if cached != seconds {
        let date = i64::try_from(seconds).ok().and_then(|s| chrono::DateTime::from_timestamp(s, 0)).unwrap_or_default();
        let formatted = date.format("%Y-%m-%dT%H:%M:%S.").to_string();
        if formatted.len() == PREFIX {
            prefix.copy_from_slice(formatted.as_bytes());
            SECOND.set((seconds, prefix));
        } else {
            // Past the year 9999: not worth a cache.
            line.extend_from_slice(formatted.as_bytes());
            return fraction(line, micros);
        }
    }
    line.extend_from_slice(&prefix);
    fraction(line, micros);
}

fn fraction(line: &mut Vec<u8>, micros: u128) {
    let sub = u32::try_from(micros % 1_000_000).unwrap_or(0);
    padded(line, sub, 6);
    line.push(b'Z');
}

/// Milliseconds with three decimals, from whole microseconds.
fn milliseconds(line: &mut Vec<u8>, micros: u64) {
    integer(line, micros / 1000);
    line.push(b'.');
    padded(line, (micros % 1000) as u32, 3);
}

fn integer(line: &mut Vec<u8>, n: impl itoa::Integer) {
    line.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

/// `n` in `width` digits with leading zeros (`n` has at most `width` digits).
fn padded(line: &mut Vec<u8>, n: u32, width: usize) {
    let mut buffer = itoa::Buffer::new();
    let digits = buffer.format(n).as_bytes();
    line.extend(std::iter::repeat_n(b'0', width.saturating_sub(digits.len())));
    line.extend_from_slice(digits);
}

/// A text line stays one line: the HTTP parser already refuses control characters in paths and
/// request ids are checked printable, but the log does not depend on either.
fn printable(line: &mut Vec<u8>, text: &[u8]) {
    line.extend(text.iter().map(|&b| if b.is_ascii_control() { b'?' } else { b }));
}

fn json_string(line: &mut Vec<u8>, text: &str) {
    // Writing into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *line, text);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(id: &'static str, path: &'static str) -> RequestContext {
        RequestContext {
            id: actix_web::http::header::HeaderValue::from_static(id),
            method: actix_web::http::Method::GET,
            uri: actix_web::http::Uri::from_static(path),
        }
    }

    #[test]
    fn text_lines_have_the_shape_of_tracing_lines() {
        let mut line = Vec::new();
        text_line(&mut line, 1_764_776_756_000_042, &request("ab-1", "/api/v1/feeds/latest?limit=10"), 200, 1_234);
        assert_eq!(
            String::from_utf8(line).expect("utf-8"),
            "2025-12-03T15:45:56.000042Z  INFO request{request_id=ab-1 method=GET path=/api/v1/feeds/latest}: \
             warta::access: answered status=200 latency_ms=1.234\n"
        );
    }

    #[test]
    fn json_lines_are_json_with_the_request_as_their_span() {
        let mut line = Vec::new();
        json_line(&mut line, 1_764_776_756_999_999, &request("a\"b\\c", "/x%22y"), 404, 7);
        let value: serde_json::Value = serde_json::from_slice(&line).expect("JSON");
        assert_eq!(value["timestamp"], "2025-12-03T15:45:56.999999Z");
        assert_eq!(value["status"], 404);
        assert_eq!(value["latency_ms"], 0.007);
        assert_eq!(value["target"], TARGET);
        assert_eq!(value["span"]["request_id"], "a\"b\\c");
        assert_eq!(value["span"]["path"], "/x%22y");
        assert_eq!(value["spans"][0], value["span"]);
        assert_eq!(line.last(), Some(&b'\n'));
    }

    #[test]
    fn the_cached_second_moves_on() {
        let mut line = Vec::new();
        timestamp(&mut line, 59_999_999);
        timestamp(&mut line, 60_000_000);
        assert_eq!(String::from_utf8(line).expect("utf-8"), "1970-01-01T00:00:59.999999Z1970-01-01T00:01:00.000000Z");
    }
}
