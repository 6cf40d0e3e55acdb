//! Requests written byte for byte on a socket of their own, for what a well-behaved client (awc)
//! would not send: broken framing, conflicting lengths, oversized heads. Answers are read back into
//! a `TestResponse`, so they are judged like any other.

use std::io::{Read, Write};
use std::time::Duration;

use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};

use crate::helpers::{TestApp, TestResponse};

/// How long one exchange may take, however hostile the request is.
const PATIENCE: Duration = Duration::from_secs(20);

/// `request_line` and `headers` as HTTP/1.1 on the wire, with `Host` and `Connection: close`.
pub fn wire(app: &TestApp, request_line: &[u8], headers: &[String], body: &[u8]) -> Vec<u8> {
    let host = format!("Host: {}", app.address.trim_start_matches("http://"));
    let mut out = request_line.to_vec();
    out.extend_from_slice(b"\r\n");
    for header in headers.iter().chain([host, "Connection: close".to_owned()].iter()) {
        out.extend_from_slice(header.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
    out
}

/// A JSON write on the wire, as `token`; `framing` holds `Content-Length` or `Transfer-Encoding`.
pub fn json_on_wire(app: &TestApp, method: &str, path: &str, token: &str, framing: &[String], body: &[u8]) -> Vec<u8> {
    let mut headers = vec![
        format!("Authorization: Bearer {token}"),
        "Content-Type: application/json".into(),
        "If-Match: \"1\"".into(),
    ];
    headers.extend_from_slice(framing);
    wire(app, format!("{method} {path} HTTP/1.1").as_bytes(), &headers, body)
}

/// `body` framed as `Transfer-Encoding: chunked`, in chunks of 16 KiB.
pub fn chunked(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + body.len() / 1000 + 16);
    for chunk in body.chunks(16 * 1024) {
        out.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        out.extend_from_slice(chunk);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"0\r\n\r\n");
    out
}

/// Writes and reads at once on a fresh connection: a server may answer, and close, before it has
/// read the whole request.
fn exchange(address: &str, request: Vec<u8>) -> Vec<u8> {
    let Ok(mut stream) = std::net::TcpStream::connect(address) else { return Vec::new() };
    let _ = stream.set_read_timeout(Some(PATIENCE));
    let writer = stream.try_clone().map(|mut writer| {
        let _ = writer.set_write_timeout(Some(PATIENCE));
        std::thread::spawn(move || {
            let _ = writer.write_all(&request);
        })
    });
    let mut answer = Vec::new();
    // A reset after the answer is fine: what arrived before it is kept.
    let _ = stream.read_to_end(&mut answer);
    if let Ok(writer) = writer {
        let _ = writer.join();
    }
    answer
}

fn dechunk(mut rest: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(line_end) = rest.windows(2).position(|w| w == b"\r\n") {
        let size = std::str::from_utf8(&rest[..line_end])
            .ok()
            .and_then(|line| usize::from_str_radix(line.split(';').next().unwrap_or("").trim(), 16).ok())
            .unwrap_or(0);
        rest = &rest[line_end + 2..];
        if size == 0 || size > rest.len() {
            break;
        }
        out.extend_from_slice(&rest[..size]);
        rest = rest.get(size + 2..).unwrap_or_default();
    }
    out
}

/// The first answer in `bytes`, or `None` when there is none.
fn parse_answer(bytes: &[u8]) -> Option<TestResponse> {
    let end = bytes.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&bytes[..end]).ok()?;
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let mut headers = HeaderMap::new();
    for (name, value) in lines.filter_map(|line| line.split_once(':')) {
        if let (Ok(name), Ok(value)) =
            (HeaderName::from_bytes(name.trim().as_bytes()), HeaderValue::from_str(value.trim()))
        {
            headers.append(name, value);
        }
    }
    let rest = &bytes[end + 4..];
    let chunked = headers.get("transfer-encoding").is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"chunked"));
    let length = headers.get("content-length").and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<usize>().ok());
    let body = match (chunked, length) {
        (true, _) => dechunk(rest),
        (false, Some(length)) => rest[..length.min(rest.len())].to_vec(),
        (false, None) => rest.to_vec(),
    };
    Some(TestResponse { status, headers, body })
}

/// Sends bytes as they are on a fresh connection and reads the first answer; `None` when the
/// connection closed without one.
pub async fn send(app: &TestApp, request: Vec<u8>) -> Option<TestResponse> {
    let address = app.address.trim_start_matches("http://").to_owned();
    let answer =
        actix_web::rt::task::spawn_blocking(move || exchange(&address, request)).await.expect("the exchange ran");
    parse_answer(&answer)
}
