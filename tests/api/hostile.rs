//! Hostile input: bodies and headers over every limit, JSON nested or encoded to break parsers, NUL
//! bytes, numbers at the edges of 32 and 64 bits, SQL and FTS5 syntax, path traversal, Markdown and
//! HTML built to be slow, and script in every text that reaches HTML or a feed. Every answer must be
//! a 4xx problem or a correct 2xx, never a 5xx, and a refused write must leave nothing behind.

use std::io::{Read, Write};
use std::time::Duration;

use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
use actix_web::http::Method;
use serde_json::{json, Value};

use crate::helpers::{unique, TestApp, TestResponse};

const ARTICLES: &str = "/api/v1/articles";

/// How long one request may take, however hostile it is.
const PATIENCE: Duration = Duration::from_secs(20);

// ---------------------------------------------------------------------------------------------
// Shared setup and judgement

/// An editor, one each of the things an article names, and one published article. They are the
/// first of their kind, so each has id 1: an id that wraps around 32 bits would find them.
struct Newsroom {
    editor: String,
    category: i64,
    author: i64,
    tag: i64,
    article: i64,
}

fn id_of(value: &Value) -> i64 {
    value["id"].as_i64().unwrap_or_else(|| panic!("no id in {value}"))
}

async fn newsroom(app: &TestApp) -> Newsroom {
    let editor = app.token_for("editor").await;
    let category = id_of(&app.create_category(&editor, json!({"name": "Kriminal"})).await);
    let author = id_of(&app.create_author(&editor, json!({"name": "Tim Redaksi"})).await);
    let tag = id_of(&app.create_tag(&editor, json!({"name": "Keamanan"})).await);
    let written = json!({"title": "Pencurian data nasabah", "body": "Data nasabah dicuri.", "category_id": category,
        "author_ids": [author], "tags": ["Keamanan"], "status": "published"});
    let article = id_of(&app.create_article(&editor, written).await);
    Newsroom { editor, category, author, tag, article }
}

impl Newsroom {
    /// A valid article write with `fields` on top.
    fn article_with(&self, fields: Value) -> Value {
        let mut body = json!({"title": "Aman", "body": "Isi.", "category_id": self.category});
        if let (Some(base), Value::Object(extra)) = (body.as_object_mut(), fields) {
            base.extend(extra);
        }
        body
    }

    fn article_path(&self) -> String {
        format!("{ARTICLES}/{}", self.article)
    }
}

/// Every list a write could leave something in, with each item's id and the fields a write changes:
/// equal before and after a refused write means nothing was half-written.
async fn inventory(app: &TestApp, token: &str) -> Vec<(i64, Vec<Value>)> {
    let mut lists = Vec::new();
    for path in [
        "/api/v1/articles?status=any&per_page=100",
        "/api/v1/categories",
        "/api/v1/authors?per_page=100",
        "/api/v1/tags?per_page=100",
    ] {
        let list = app.get_as(token, path).await;
        list.assert_status(200);
        let body = list.json();
        let items: Vec<Value> = body["data"]
            .as_array()
            .expect("a list has data")
            .iter()
            .map(|item| {
                json!([item["id"], item["version"], item["title"], item["name"], item["tags"], item["parent_id"]])
            })
            .collect();
        let total = body["meta"]["total"].as_i64().unwrap_or(items.len() as i64);
        lists.push((total, items));
    }
    lists
}

/// What an answer must be.
#[derive(Debug, Clone, Copy)]
enum Expect {
    /// A success with this status.
    Success(u16),
    /// A problem document with this status.
    Problem(u16),
    /// A 422 problem naming exactly this field.
    Field(&'static str),
    /// A problem document with some 4xx status: the contract does not pin which.
    Refusal,
    /// Some 4xx, problem or not: the HTTP layer may refuse before the application sees the request.
    Rejected,
    /// This success, or a 4xx problem.
    SuccessOrRefusal(u16),
    /// This success, or any 4xx.
    SuccessOrRejected(u16),
}

fn excerpt(response: &TestResponse) -> String {
    response.text().chars().take(300).collect()
}

/// What is wrong with `response`, if anything. Besides the expectation, no error may carry
/// internal detail.
fn verdict(what: &str, response: &TestResponse, expected: Expect) -> Option<String> {
    let status = response.status;
    let body: Option<Value> = serde_json::from_slice(&response.body).ok();
    let problem = response.header("content-type").as_deref() == Some("application/problem+json")
        && body.as_ref().is_some_and(|b| b["status"] == status && b["title"].is_string() && b["detail"].is_string());
    let fields: Vec<&str> = body
        .as_ref()
        .and_then(|b| b["errors"].as_array())
        .map(|errors| errors.iter().filter_map(|e| e["field"].as_str()).collect())
        .unwrap_or_default();
    let client_error = (400..500).contains(&status);
    let met = match expected {
        Expect::Success(wanted) => status == wanted,
        Expect::Problem(wanted) => status == wanted && problem,
        Expect::Field(field) => status == 422 && problem && fields == [field],
        Expect::Refusal => client_error && problem,
        Expect::Rejected => client_error,
        Expect::SuccessOrRefusal(wanted) => status == wanted || (client_error && problem),
        Expect::SuccessOrRejected(wanted) => status == wanted || client_error,
    };
    let lower = response.text().to_lowercase();
    let leak = ["sqlite", "diesel", "panicked", "/work/", "src/", "stack backtrace"]
        .into_iter()
        .find(|leak| status >= 400 && lower.contains(leak));
    match (met, leak) {
        (true, None) => None,
        (true, Some(leak)) => Some(format!("{what}: the error shows internal detail ({leak}): {}", excerpt(response))),
        (false, _) => Some(format!("{what}: expected {expected:?}, got {status}: {}", excerpt(response))),
    }
}

#[track_caller]
fn report(failures: &[String]) {
    assert!(failures.is_empty(), "{} case(s) failed:\n{}", failures.len(), failures.join("\n"));
}

/// `None` while the server answers its health check.
async fn still_answering(app: &TestApp) -> Option<String> {
    let health = app.get("/healthz").await;
    (health.status != 200).then(|| format!("the server stopped answering: /healthz is {}", health.status))
}

// ---------------------------------------------------------------------------------------------
// Requests written byte for byte, for what a well-behaved client would not send

/// `request_line` and `headers` as HTTP/1.1 on the wire, with `Host` and `Connection: close`.
fn wire(app: &TestApp, request_line: &[u8], headers: &[String], body: &[u8]) -> Vec<u8> {
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
fn json_on_wire(app: &TestApp, method: &str, path: &str, token: &str, framing: &[String], body: &[u8]) -> Vec<u8> {
    let mut headers = vec![
        format!("Authorization: Bearer {token}"),
        "Content-Type: application/json".into(),
        "If-Match: \"1\"".into(),
    ];
    headers.extend_from_slice(framing);
    wire(app, format!("{method} {path} HTTP/1.1").as_bytes(), &headers, body)
}

fn chunked(body: &[u8]) -> Vec<u8> {
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

/// Sends bytes as they are and judges the answer; a connection closed without one is a failure.
async fn judge_raw(app: &TestApp, what: &str, request: Vec<u8>, expected: Expect) -> Option<String> {
    let address = app.address.trim_start_matches("http://").to_owned();
    let answer =
        actix_web::rt::task::spawn_blocking(move || exchange(&address, request)).await.expect("the exchange ran");
    match parse_answer(&answer) {
        Some(response) => verdict(what, &response, expected),
        None => Some(format!("{what}: expected {expected:?}, but the connection closed without an answer")),
    }
}

// ---------------------------------------------------------------------------------------------
// Size limits

/// A write sent on the wire: what it is, method, path, framing headers, body, and the answer due.
type Upload = (&'static str, &'static str, String, Vec<String>, Vec<u8>, Expect);

#[actix_web::test]
async fn bodies_over_the_size_limit_are_413_and_write_nothing() {
    let limit = 64 * 1024;
    let app = TestApp::spawn_with(|s| s.max_body_bytes = limit).await;
    let room = newsroom(&app).await;
    let before = inventory(&app, &room.editor).await;
    let article =
        |size: usize| serde_json::to_vec(&room.article_with(json!({"body": "kata ".repeat(size / 5)}))).expect("JSON");
    let length = |body: &[u8]| vec![format!("Content-Length: {}", body.len())];
    let big = article(100 * 1024);
    let category = serde_json::to_vec(&json!({"name": "Besar", "description": "x".repeat(70 * 1024)})).expect("JSON");
    let patch = serde_json::to_vec(&json!({"body": "kata ".repeat(20 * 1024)})).expect("JSON");
    let te = "Transfer-Encoding: chunked".to_owned();
    let cases: Vec<Upload> = vec![
        (
            "an article of 100 KiB with its length",
            "POST",
            ARTICLES.into(),
            length(&big),
            big.clone(),
            Expect::Problem(413),
        ),
        (
            "an article of 100 KiB in chunks",
            "POST",
            ARTICLES.into(),
            vec![te.clone()],
            chunked(&big),
            Expect::Problem(413),
        ),
        (
            "a category of 70 KiB",
            "POST",
            "/api/v1/categories".into(),
            length(&category),
            category,
            Expect::Problem(413),
        ),
        ("a PATCH of 100 KiB", "PATCH", room.article_path(), length(&patch), patch.clone(), Expect::Problem(413)),
        (
            "a PATCH of 100 KiB in chunks",
            "PATCH",
            room.article_path(),
            vec![te.clone()],
            chunked(&patch),
            Expect::Problem(413),
        ),
        (
            "a declared length of 10 MB with a small body",
            "POST",
            ARTICLES.into(),
            vec!["Content-Length: 10000000".into()],
            article(100),
            Expect::Problem(413),
        ),
        (
            "a declared length of 2^64 - 1",
            "POST",
            ARTICLES.into(),
            vec!["Content-Length: 18446744073709551615".into()],
            article(100),
            Expect::Rejected,
        ),
        (
            "a declared length beyond 64 bits",
            "POST",
            ARTICLES.into(),
            vec!["Content-Length: 99999999999999999999999".into()],
            article(100),
            Expect::Rejected,
        ),
        (
            "a negative declared length",
            "POST",
            ARTICLES.into(),
            vec!["Content-Length: -1".into()],
            big.clone(),
            Expect::Rejected,
        ),
        (
            "a small declared length with a chunked body over the limit",
            "POST",
            ARTICLES.into(),
            vec!["Content-Length: 10".into(), te.clone()],
            chunked(&big),
            Expect::Rejected,
        ),
        (
            "two different declared lengths",
            "POST",
            ARTICLES.into(),
            vec!["Content-Length: 10".into(), format!("Content-Length: {}", big.len())],
            big.clone(),
            Expect::Rejected,
        ),
    ];
    let mut failures = Vec::new();
    for (what, method, path, framing, body, expected) in cases {
        let request = json_on_wire(&app, method, &path, &room.editor, &framing, &body);
        failures.extend(judge_raw(&app, what, request, expected).await);
        if inventory(&app, &room.editor).await != before {
            failures.push(format!("{what}: something was written"));
        }
        failures.extend(still_answering(&app).await);
    }
    let fits =
        app.post(Some(&room.editor), ARTICLES, &room.article_with(json!({"body": "kata ".repeat(12 * 1024)}))).await;
    failures.extend(verdict("an article of 60 KiB, under the limit", &fits, Expect::Success(201)));
    report(&failures);
}

#[actix_web::test]
async fn a_ten_megabyte_markdown_body_is_413_at_the_default_limit() {
    let app = TestApp::spawn().await;
    let room = newsroom(&app).await;
    let before = inventory(&app, &room.editor).await;
    let markdown = "Paragraf *panjang* sekali.\n\n".repeat(10 * 1024 * 1024 / 28);
    let body = serde_json::to_vec(&room.article_with(json!({"body": markdown}))).expect("JSON");
    assert!(body.len() > 10_000_000, "the body is 10 MB");
    let mut failures = Vec::new();
    let declared =
        json_on_wire(&app, "POST", ARTICLES, &room.editor, &[format!("Content-Length: {}", body.len())], &body);
    failures.extend(judge_raw(&app, "10 MB with its length", declared, Expect::Problem(413)).await);
    let streamed =
        json_on_wire(&app, "POST", ARTICLES, &room.editor, &["Transfer-Encoding: chunked".into()], &chunked(&body));
    failures.extend(judge_raw(&app, "10 MB in chunks", streamed, Expect::Problem(413)).await);
    let sent = app.send_raw(Method::POST, ARTICLES, Some(&room.editor), Some("application/json"), body).await;
    failures.extend(verdict("10 MB from an ordinary client", &sent, Expect::Problem(413)));
    if inventory(&app, &room.editor).await != before {
        failures.push("a 10 MB body wrote something".into());
    }
    failures.extend(still_answering(&app).await);
    report(&failures);
}

#[actix_web::test]
async fn oversized_and_numerous_headers_are_refused_and_the_server_keeps_answering() {
    let app = TestApp::spawn().await;
    let room = newsroom(&app).await;
    let before = inventory(&app, &room.editor).await;
    let kib = |n: usize| "a".repeat(n * 1024);
    let views = format!("POST {ARTICLES}/{}/views HTTP/1.1", room.article);
    let categories = "GET /api/v1/categories HTTP/1.1".to_owned();
    let many: Vec<String> = (0..200).map(|i| format!("X-Header-{i}: nilai-{i}")).collect();
    let etags = (0..10_000).map(|i| format!("\"{i}\"")).collect::<Vec<_>>().join(", ");
    let addresses =
        (0..5_000).map(|i| format!("10.{}.{}.{}", i / 65_536, (i / 256) % 256, i % 256)).collect::<Vec<_>>();
    let cases: Vec<(&str, String, Vec<String>, Expect)> = vec![
        (
            "a 64 KiB header value",
            categories.clone(),
            vec![format!("X-Padding: {}", kib(64))],
            Expect::SuccessOrRejected(200),
        ),
        (
            "a 64 KiB bearer token",
            "GET /api/v1/auth/me HTTP/1.1".into(),
            vec![format!("Authorization: Bearer {}", kib(64))],
            Expect::Rejected,
        ),
        ("200 headers", categories.clone(), many, Expect::Rejected),
        ("a 200 KiB header value", categories.clone(), vec![format!("X-Padding: {}", kib(200))], Expect::Rejected),
        (
            "ten 20 KiB headers",
            categories.clone(),
            (0..10).map(|i| format!("X-Pad-{i}: {}", kib(20))).collect(),
            Expect::Rejected,
        ),
        (
            "10,000 tags in If-None-Match",
            categories.clone(),
            vec![format!("If-None-Match: {etags}")],
            Expect::SuccessOrRejected(200),
        ),
        (
            "a 64 KiB cookie",
            categories.clone(),
            vec![format!("Cookie: sesi={}", kib(64))],
            Expect::SuccessOrRejected(200),
        ),
        (
            "a 64 KiB Accept-Encoding",
            categories.clone(),
            vec![format!("Accept-Encoding: {}", kib(64))],
            Expect::SuccessOrRejected(200),
        ),
        (
            "a 64 KiB Origin",
            categories.clone(),
            vec![format!("Origin: https://{}.example", kib(64))],
            Expect::SuccessOrRejected(200),
        ),
        (
            "5,000 addresses in X-Forwarded-For",
            views.clone(),
            vec![format!("X-Forwarded-For: {}", addresses.join(", "))],
            Expect::SuccessOrRejected(202),
        ),
        (
            "a 64 KiB User-Agent",
            views,
            vec![format!("User-Agent: Mozilla/5.0 {}", kib(64))],
            Expect::SuccessOrRejected(202),
        ),
        ("a 100 KiB path", format!("GET {ARTICLES}/{} HTTP/1.1", kib(100)), Vec::new(), Expect::Rejected),
        ("a 200 KiB query string", format!("GET {ARTICLES}?q={} HTTP/1.1", kib(200)), Vec::new(), Expect::Rejected),
        (
            "a 64 KiB Content-Type on a write",
            "POST /api/v1/categories HTTP/1.1".into(),
            vec![
                format!("Authorization: Bearer {}", room.editor),
                format!("Content-Type: application/json; {}", kib(64)),
                "Content-Length: 2".into(),
            ],
            Expect::SuccessOrRejected(201),
        ),
    ];
    let mut failures = Vec::new();
    for (what, request_line, headers, expected) in cases {
        let body = if request_line.starts_with("POST /api/v1/categories") { b"{}".as_slice() } else { &[] };
        let request = wire(&app, request_line.as_bytes(), &headers, body);
        failures.extend(judge_raw(&app, what, request, expected).await);
        failures.extend(still_answering(&app).await);
    }
    if inventory(&app, &room.editor).await != before {
        failures.push("a request with hostile headers wrote something".into());
    }
    report(&failures);
}

// ---------------------------------------------------------------------------------------------
// Bodies that are hard to parse

/// An article write whose title is `raw`, bytes as they are.
fn with_raw_title(raw: &[u8], category: i64) -> Vec<u8> {
    let mut body = b"{\"title\": \"".to_vec();
    body.extend_from_slice(raw);
    body.extend_from_slice(format!("\", \"body\": \"b\", \"category_id\": {category}}}").as_bytes());
    body
}

#[actix_web::test]
async fn deeply_nested_and_badly_encoded_json_is_refused_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let room = newsroom(&app).await;
    let before = inventory(&app, &room.editor).await;
    let nested = |depth: usize| format!("{}\"x\"{}", "[".repeat(depth), "]".repeat(depth));
    let article_with = |field: &str, raw: String| {
        format!("{{\"title\": \"a\", \"body\": \"b\", \"category_id\": {}, \"{field}\": {raw}}}", room.category)
            .into_bytes()
    };
    let title = |raw: &[u8]| with_raw_title(raw, room.category);
    let many_keys = {
        let keys: Vec<String> = (0..50_000).map(|i| format!("\"k{i}\": {i}")).collect();
        format!("{{{}, \"body\": \"b\", \"category_id\": {}}}", keys.join(","), room.category).into_bytes()
    };
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(r#"{"title": "a", "body": "b", "category_id": 1}"#.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let cases: Vec<(&str, Vec<u8>, Expect)> = vec![
        ("100,000 open brackets", "[".repeat(100_000).into_bytes(), Expect::Problem(400)),
        ("100,000 balanced brackets", nested(100_000).into_bytes(), Expect::Problem(400)),
        (
            "100,000 nested objects",
            format!("{}1{}", "{\"a\":".repeat(100_000), "}".repeat(100_000)).into_bytes(),
            Expect::Problem(400),
        ),
        ("100,000 open braces", "{".repeat(100_000).into_bytes(), Expect::Problem(400)),
        (
            "a title nested 100,000 deep",
            format!("{{\"title\": {}", "[".repeat(100_000)).into_bytes(),
            Expect::Problem(400),
        ),
        ("tags nested 10,000 deep", article_with("tags", nested(10_000)), Expect::Problem(400)),
        ("a title nested 100 deep", article_with("title", nested(100)), Expect::Field("title")),
        ("50,000 unknown keys and no title", many_keys, Expect::Field("title")),
        ("invalid UTF-8 in the title", title(&[b'a', 0xFF, 0xFE, b'b']), Expect::Problem(400)),
        ("an overlong encoding of '/'", title(&[0xC0, 0xAF]), Expect::Problem(400)),
        ("a surrogate encoded as UTF-8", title(&[0xED, 0xA0, 0x80]), Expect::Problem(400)),
        ("a truncated three-byte character", title(&[b'a', 0xE2, 0x82]), Expect::Problem(400)),
        ("a code point beyond U+10FFFF", title(&[0xF4, 0x90, 0x80, 0x80]), Expect::Problem(400)),
        ("Latin-1 instead of UTF-8", title(b"B\xE9dah"), Expect::Problem(400)),
        ("a lone surrogate escape", title(br"\ud800"), Expect::Problem(400)),
        ("a reversed surrogate pair", title(br"\udc00\ud800"), Expect::Problem(400)),
        ("a raw NUL byte in a string", title(b"a\0b"), Expect::Problem(400)),
        ("a raw control character in a string", title(b"a\x1bb"), Expect::Problem(400)),
        ("a body in UTF-16", utf16, Expect::Problem(400)),
        ("a number too large for a double", article_with("category_id", "1e400".into()), Expect::Refusal),
        (
            "200,000 tag names",
            article_with("tags", format!("[{}]", vec!["\"t\""; 200_000].join(","))),
            Expect::Field("tags"),
        ),
        (
            "200,000 numbers as tags",
            article_with("tags", format!("[{}]", vec!["1"; 200_000].join(","))),
            Expect::Field("tags[0]"),
        ),
        ("a NUL byte after the JSON", [title(b"a"), b"\0".to_vec()].concat(), Expect::Problem(400)),
    ];
    let mut failures = Vec::new();
    for (what, body, expected) in cases {
        let response = app.send_raw(Method::POST, ARTICLES, Some(&room.editor), Some("application/json"), body).await;
        failures.extend(verdict(what, &response, expected));
        if inventory(&app, &room.editor).await != before {
            failures.push(format!("{what}: something was written"));
        }
    }
    failures.extend(still_answering(&app).await);
    report(&failures);
}

#[actix_web::test]
async fn nul_characters_in_text_fields_are_422_on_that_field_and_write_nothing() {
    let app = TestApp::spawn().await;
    let room = newsroom(&app).await;
    let admin = app.admin_token().await;
    let before = inventory(&app, &room.editor).await;
    let nul = "Ada\u{0}NUL";
    let cover = |field: &str| {
        let mut cover = json!({"url": "https://img.warta.example/a.jpg", "caption": "Ilustrasi"});
        cover[field] = json!(if field == "url" { "https://img.warta.example/\u{0}.jpg" } else { nul });
        room.article_with(json!({"cover_image": cover}))
    };
    let article = room.article_path();
    let tag = format!("/api/v1/tags/{}", room.tag);
    let category = format!("/api/v1/categories/{}", room.category);
    let author = format!("/api/v1/authors/{}", room.author);
    let user = json!({"email": "baru@warta.test", "name": "Baru", "role": "writer", "password": "sebuah kata sandi"});
    let with = |mut base: Value, field: &str, value: &str| {
        base[field] = json!(value);
        base
    };
    let cases: Vec<(&str, Method, String, Value, Expect)> = vec![
        (
            "an article title",
            Method::POST,
            ARTICLES.into(),
            room.article_with(json!({"title": nul})),
            Expect::Field("title"),
        ),
        (
            "an article title that is only NUL",
            Method::POST,
            ARTICLES.into(),
            room.article_with(json!({"title": "\u{0}"})),
            Expect::Field("title"),
        ),
        (
            "an excerpt",
            Method::POST,
            ARTICLES.into(),
            room.article_with(json!({"excerpt": nul})),
            Expect::Field("excerpt"),
        ),
        (
            "a Markdown body",
            Method::POST,
            ARTICLES.into(),
            room.article_with(json!({"body": nul})),
            Expect::Field("body"),
        ),
        (
            "an HTML body",
            Method::POST,
            ARTICLES.into(),
            room.article_with(json!({"body": nul, "body_format": "html"})),
            Expect::Field("body"),
        ),
        (
            "an article slug",
            Method::POST,
            ARTICLES.into(),
            room.article_with(json!({"slug": "ada\u{0}nul"})),
            Expect::Field("slug"),
        ),
        ("a cover caption", Method::POST, ARTICLES.into(), cover("caption"), Expect::Field("cover_image.caption")),
        ("a cover credit", Method::POST, ARTICLES.into(), cover("credit"), Expect::Field("cover_image.credit")),
        ("a cover alt", Method::POST, ARTICLES.into(), cover("alt"), Expect::Field("cover_image.alt")),
        ("a cover URL", Method::POST, ARTICLES.into(), cover("url"), Expect::Field("cover_image.url")),
        (
            "a tag name",
            Method::POST,
            ARTICLES.into(),
            room.article_with(json!({"tags": [nul]})),
            Expect::Field("tags[0]"),
        ),
        (
            "a second tag name",
            Method::POST,
            ARTICLES.into(),
            room.article_with(json!({"tags": ["Tag baru", nul]})),
            Expect::Field("tags[1]"),
        ),
        ("a category name", Method::POST, "/api/v1/categories".into(), json!({"name": nul}), Expect::Field("name")),
        (
            "a category description",
            Method::POST,
            "/api/v1/categories".into(),
            json!({"name": "Baru", "description": nul}),
            Expect::Field("description"),
        ),
        (
            "a category slug",
            Method::POST,
            "/api/v1/categories".into(),
            json!({"name": "Baru", "slug": "a\u{0}"}),
            Expect::Field("slug"),
        ),
        ("an author name", Method::POST, "/api/v1/authors".into(), json!({"name": nul}), Expect::Field("name")),
        (
            "an author title",
            Method::POST,
            "/api/v1/authors".into(),
            json!({"name": "Baru", "title": nul}),
            Expect::Field("title"),
        ),
        (
            "an author bio",
            Method::POST,
            "/api/v1/authors".into(),
            json!({"name": "Baru", "bio": nul}),
            Expect::Field("bio"),
        ),
        (
            "an avatar URL",
            Method::POST,
            "/api/v1/authors".into(),
            json!({"name": "Baru", "avatar_url": "https://a.example/\u{0}"}),
            Expect::Field("avatar_url"),
        ),
        ("a tag", Method::POST, "/api/v1/tags".into(), json!({"name": nul}), Expect::Field("name")),
        (
            "a tag slug",
            Method::POST,
            "/api/v1/tags".into(),
            json!({"name": "Baru", "slug": "a\u{0}b"}),
            Expect::Field("slug"),
        ),
        ("a user name", Method::POST, "/api/v1/users".into(), with(user.clone(), "name", nul), Expect::Field("name")),
        (
            "a user email",
            Method::POST,
            "/api/v1/users".into(),
            with(user, "email", "ada\u{0}@warta.test"),
            Expect::Field("email"),
        ),
        ("a title in a PATCH", Method::PATCH, article.clone(), json!({"title": nul}), Expect::Field("title")),
        ("tags in a PATCH", Method::PATCH, article, json!({"tags": ["Keamanan", nul]}), Expect::Field("tags[1]")),
        ("a tag rename", Method::PATCH, tag, json!({"name": nul}), Expect::Field("name")),
        ("a category rename", Method::PATCH, category, json!({"name": nul}), Expect::Field("name")),
        ("an author rename", Method::PATCH, author, json!({"name": nul}), Expect::Field("name")),
    ];
    let mut failures = Vec::new();
    for (what, method, path, body, expected) in cases {
        let token = if path.starts_with("/api/v1/users") { &admin } else { &room.editor };
        let response = app.request_with(method, &path, Some(token), &[("If-Match", "\"1\"")], Some(&body)).await;
        failures.extend(verdict(what, &response, expected));
        if inventory(&app, &room.editor).await != before {
            failures.push(format!("{what}: something was written"));
        }
    }
    let login = app.post(None, "/api/v1/auth/login", &json!({"email": "admin@warta.test\u{0}", "password": nul})).await;
    failures.extend(verdict("a login with NUL", &login, Expect::Refusal));
    report(&failures);
}

/// Keys that must name nothing under every item path.
const UNDECODABLE_KEYS: [&str; 8] =
    ["%FF", "%C0%AF", "%ED%A0%80", "a%E2%82", "%F4%90%80%80", "%00", "a%00b", "%FF%FE%00"];

#[actix_web::test]
async fn invalid_utf8_and_nul_bytes_in_paths_and_queries_are_never_server_errors() {
    let app = TestApp::spawn().await;
    let room = newsroom(&app).await;
    let admin = app.admin_token().await;
    let before = inventory(&app, &room.editor).await;
    let mut failures = Vec::new();
    for key in UNDECODABLE_KEYS {
        for resource in ["articles", "categories", "authors", "tags"] {
            let path = format!("/api/v1/{resource}/{key}");
            failures.extend(verdict(&format!("GET {path}"), &app.get(&path).await, Expect::Problem(404)));
            let deleted =
                app.request_with(Method::DELETE, &path, Some(&room.editor), &[("If-Match", "\"1\"")], None).await;
            failures.extend(verdict(&format!("DELETE {path}"), &deleted, Expect::Problem(404)));
        }
        let patched = app.patch_article(&room.editor, key, 1, &json!({"title": "Diubah"})).await;
        failures.extend(verdict(&format!("PATCH article {key}"), &patched, Expect::Problem(404)));
        let viewed = app.post(None, &format!("{ARTICLES}/{key}/views"), &json!({})).await;
        failures.extend(verdict(&format!("a view of {key}"), &viewed, Expect::Problem(404)));
        let related = app.get(&format!("{ARTICLES}/{key}/related")).await;
        failures.extend(verdict(&format!("articles related to {key}"), &related, Expect::Problem(404)));
        let account = app.get_as(&admin, &format!("/api/v1/users/{key}")).await;
        failures.extend(verdict(&format!("user {key}"), &account, Expect::Problem(404)));
    }
    let queries: [(&str, Expect); 14] = [
        ("/api/v1/articles?q=%FF", Expect::SuccessOrRefusal(200)),
        ("/api/v1/articles?q=%00", Expect::Success(200)),
        ("/api/v1/articles?q=data%00nasabah", Expect::Success(200)),
        ("/api/v1/articles?category=%FF", Expect::SuccessOrRefusal(200)),
        ("/api/v1/articles?tag=%00", Expect::Success(200)),
        ("/api/v1/articles?author=a%00b", Expect::Success(200)),
        ("/api/v1/articles?sort=%00", Expect::Field("sort")),
        ("/api/v1/articles?page=%FF", Expect::Problem(400)),
        ("/api/v1/articles?%FF=1", Expect::SuccessOrRefusal(200)),
        ("/api/v1/feeds/latest?category=%00", Expect::Success(200)),
        ("/api/v1/feeds/latest?cursor=%00", Expect::Problem(400)),
        ("/api/v1/feeds/trending?window=%00", Expect::Field("window")),
        ("/api/v1/syndication/rss.xml?category=%00", Expect::Problem(404)),
        ("/api/v1/syndication/feed.json?category=%FF", Expect::Refusal),
    ];
    for (path, expected) in queries {
        failures.extend(verdict(path, &app.get(path).await, expected));
    }
    let raw_lines: [(&str, &[u8]); 5] = [
        ("a NUL byte in the path", b"GET /api/v1/articles/a\0b HTTP/1.1"),
        ("a raw 0xFF byte in the path", b"GET /api/v1/articles/\xFF\xFE HTTP/1.1"),
        ("a NUL byte in the query", b"GET /api/v1/articles?q=a\0b HTTP/1.1"),
        ("a broken percent escape", b"GET /api/v1/articles/%zz%2 HTTP/1.1"),
        ("raw UTF-8 in the path", "GET /api/v1/articles/bédah HTTP/1.1".as_bytes()),
    ];
    for (what, line) in raw_lines {
        failures.extend(judge_raw(&app, what, wire(&app, line, &[], b""), Expect::Rejected).await);
    }
    if inventory(&app, &room.editor).await != before {
        failures.push("a request with an undecodable path wrote something".into());
    }
    failures.extend(still_answering(&app).await);
    report(&failures);
}

// ---------------------------------------------------------------------------------------------
// Numbers at the edges

#[actix_web::test]
async fn huge_negative_and_malformed_ids_in_paths_are_404_and_never_wrap_around() {
    let app = TestApp::spawn().await;
    let room = newsroom(&app).await;
    let admin = app.admin_token().await;
    let before = inventory(&app, &room.editor).await;
    // 4294967297 and 18446744073709551617 are 1 modulo 2^32 and 2^64: a truncating parse finds id 1.
    let keys = [
        "99999999999999999999",
        "-1",
        "0",
        "1e10",
        "1e0",
        "2147483648",
        "4294967297",
        "18446744073709551617",
        "-2147483648",
        "-4294967295",
        "+1",
        "1.0",
        "0x1",
        "%201",
        "1%20",
        "%D9%A1",
        "%EF%BC%91",
    ];
    let mut failures = Vec::new();
    for key in keys {
        for resource in ["articles", "categories", "authors", "tags"] {
            let path = format!("/api/v1/{resource}/{key}");
            failures.extend(verdict(&format!("GET {path}"), &app.get(&path).await, Expect::Problem(404)));
            failures.extend(verdict(
                &format!("GET {path} as an editor"),
                &app.get_as(&room.editor, &path).await,
                Expect::Problem(404),
            ));
            let deleted =
                app.request_with(Method::DELETE, &path, Some(&room.editor), &[("If-Match", "\"1\"")], None).await;
            failures.extend(verdict(&format!("DELETE {path}"), &deleted, Expect::Problem(404)));
        }
        let patched = app.patch_article(&room.editor, key, 1, &json!({"title": "Diubah"})).await;
        failures.extend(verdict(&format!("PATCH article {key}"), &patched, Expect::Problem(404)));
        let renamed = app.patch(Some(&room.editor), &format!("/api/v1/tags/{key}"), &json!({"name": "Diubah"})).await;
        failures.extend(verdict(&format!("PATCH tag {key}"), &renamed, Expect::Problem(404)));
        let viewed = app.post(None, &format!("{ARTICLES}/{key}/views"), &json!({})).await;
        failures.extend(verdict(&format!("a view of article {key}"), &viewed, Expect::Problem(404)));
        let account = app.get_as(&admin, &format!("/api/v1/users/{key}")).await;
        failures.extend(verdict(&format!("user {key}"), &account, Expect::Problem(404)));
    }
    if inventory(&app, &room.editor).await != before {
        failures.push("a write to an id that names nothing changed something".into());
    }
    report(&failures);
}

/// A cursor of the latest feed, as the API encodes one, around `raw` (`micros:id`).
fn cursor_of(raw: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
}

#[actix_web::test]
async fn paging_and_feed_parameters_at_the_edges_of_64_bits_are_refused_in_the_contracts_terms() {
    let app = TestApp::spawn().await;
    let room = newsroom(&app).await;
    let admin = app.admin_token().await;
    let related = format!("{ARTICLES}/{}/related", room.article);
    let latest = "/api/v1/feeds/latest";
    let cases: Vec<(String, Expect)> = vec![
        (format!("{ARTICLES}?page=-1"), Expect::Field("page")),
        (format!("{ARTICLES}?per_page=1e3"), Expect::Problem(400)),
        (format!("{ARTICLES}?page=9223372036854775808"), Expect::Problem(400)),
        (format!("{ARTICLES}?page=-9223372036854775809"), Expect::Problem(400)),
        (format!("{ARTICLES}?page=-9223372036854775808"), Expect::Field("page")),
        (format!("{ARTICLES}?per_page=-9223372036854775808"), Expect::Field("per_page")),
        (format!("{ARTICLES}?per_page=9223372036854775807"), Expect::Field("per_page")),
        (format!("{ARTICLES}?per_page=4294967297"), Expect::Field("per_page")),
        (format!("{ARTICLES}?page=9223372036854775807&per_page=100"), Expect::Success(200)),
        (format!("{ARTICLES}?page=92233720368547759&per_page=100"), Expect::Success(200)),
        (format!("{ARTICLES}?page=1%00"), Expect::Problem(400)),
        (format!("{ARTICLES}?page=%EF%BC%91"), Expect::Problem(400)),
        (format!("{ARTICLES}?page=0x10"), Expect::Problem(400)),
        (format!("{ARTICLES}?page=%201"), Expect::Problem(400)),
        (format!("{ARTICLES}?page=1&page=2"), Expect::SuccessOrRefusal(200)),
        (format!("{ARTICLES}?page={}", "9".repeat(10_000)), Expect::Problem(400)),
        ("/api/v1/authors?page=-1".into(), Expect::Field("page")),
        ("/api/v1/authors?per_page=1e3".into(), Expect::Problem(400)),
        ("/api/v1/users?page=9223372036854775808".into(), Expect::Problem(400)),
        ("/api/v1/audit?article=9223372036854775808".into(), Expect::Problem(400)),
        ("/api/v1/audit?article=-1".into(), Expect::Field("article")),
        ("/api/v1/audit?article=4294967297".into(), Expect::SuccessOrRefusal(200)),
        ("/api/v1/audit?user=99999999999999999999".into(), Expect::Problem(400)),
        (format!("{latest}?limit=1e1"), Expect::Problem(400)),
        (format!("{latest}?limit=-9223372036854775808"), Expect::Field("limit")),
        (format!("{latest}?limit=9223372036854775808"), Expect::Problem(400)),
        (format!("{latest}?cursor={}", cursor_of("9223372036854775807:1")), Expect::Problem(400)),
        (format!("{latest}?cursor={}", cursor_of("-9223372036854775808:1")), Expect::Problem(400)),
        (format!("{latest}?cursor={}", cursor_of("99999999999999999999:1")), Expect::Problem(400)),
        (format!("{latest}?cursor={}", cursor_of("0:2147483648")), Expect::Problem(400)),
        (format!("{latest}?cursor={}", cursor_of("0:-1")), Expect::Problem(400)),
        (format!("{latest}?cursor={}", cursor_of("0:0")), Expect::Problem(400)),
        (format!("{latest}?cursor={}", cursor_of("1e300:1")), Expect::Problem(400)),
        (format!("{latest}?cursor={}", "A".repeat(60_000)), Expect::Problem(400)),
        (format!("{latest}?cursor={}", cursor_of("0:1")), Expect::Success(200)),
        ("/api/v1/feeds/trending?window=1e10".into(), Expect::Field("window")),
        ("/api/v1/feeds/trending?window=-1h".into(), Expect::Field("window")),
        ("/api/v1/feeds/trending?window=9223372036854775807h".into(), Expect::Field("window")),
        ("/api/v1/feeds/trending?limit=1e300".into(), Expect::Problem(400)),
        (format!("{related}?limit=-1"), Expect::Field("limit")),
        (format!("{related}?limit=9223372036854775808"), Expect::Problem(400)),
    ];
    let mut failures = Vec::new();
    for (path, expected) in cases {
        let what: String = path.chars().take(120).collect();
        failures.extend(verdict(&what, &app.get_as(&admin, &path).await, expected));
    }
    failures.extend(still_answering(&app).await);
    report(&failures);
}

#[actix_web::test]
async fn out_of_range_numbers_in_bodies_are_422_on_the_field_and_write_nothing() {
    let app = TestApp::spawn().await;
    let room = newsroom(&app).await;
    let before = inventory(&app, &room.editor).await;
    let categories = "/api/v1/categories";
    let article = |fields: Value| (ARTICLES, room.article_with(fields));
    let category = |fields: Value| {
        let mut body = json!({"name": "Aman"});
        if let (Some(base), Value::Object(extra)) = (body.as_object_mut(), fields) {
            base.extend(extra);
        }
        (categories, body)
    };
    let far = (1..=100_000).collect::<Vec<i64>>();
    let cases: Vec<(&str, (&str, Value), Expect)> = vec![
        ("category_id 1e300", article(json!({"category_id": 1e300})), Expect::Field("category_id")),
        ("category_id -5", article(json!({"category_id": -5})), Expect::Field("category_id")),
        ("category_id 0", article(json!({"category_id": 0})), Expect::Field("category_id")),
        ("category_id 2^31", article(json!({"category_id": 2_147_483_648_i64})), Expect::Field("category_id")),
        ("category_id 2^32 + 1", article(json!({"category_id": 4_294_967_297_i64})), Expect::Field("category_id")),
        (
            "category_id 2^64 + 1",
            article(json!({"category_id": 18_446_744_073_709_551_617_f64})),
            Expect::Field("category_id"),
        ),
        ("category_id i64::MIN", article(json!({"category_id": i64::MIN})), Expect::Field("category_id")),
        ("category_id \"1\"", article(json!({"category_id": "1"})), Expect::Field("category_id")),
        ("category_id 1.5", article(json!({"category_id": 1.5})), Expect::Field("category_id")),
        ("category_id 1.0", article(json!({"category_id": 1.0})), Expect::Field("category_id")),
        ("category_id null", article(json!({"category_id": null})), Expect::Field("category_id")),
        ("category_id true", article(json!({"category_id": true})), Expect::Field("category_id")),
        ("category_id [1]", article(json!({"category_id": [1]})), Expect::Field("category_id")),
        ("author_ids [1e300]", article(json!({"author_ids": [1e300]})), Expect::Field("author_ids[0]")),
        ("author_ids [2^32 + 1]", article(json!({"author_ids": [4_294_967_297_i64]})), Expect::Field("author_ids[0]")),
        ("author_ids [-1]", article(json!({"author_ids": [-1]})), Expect::Field("author_ids[0]")),
        ("author_ids \"1\"", article(json!({"author_ids": "1"})), Expect::Field("author_ids")),
        ("100,000 author ids", article(json!({"author_ids": far})), Expect::Field("author_ids")),
        (
            "published_at in year 275760",
            article(json!({"published_at": "+275760-09-13T00:00:00Z"})),
            Expect::Field("published_at"),
        ),
        ("published_at 1e300", article(json!({"published_at": 1e300})), Expect::Field("published_at")),
        (
            "published_at at the epoch's minimum",
            article(json!({"published_at": "-262144-01-01T00:00:00Z"})),
            Expect::Field("published_at"),
        ),
        ("parent_id 1e300", category(json!({"parent_id": 1e300})), Expect::Field("parent_id")),
        ("parent_id -5", category(json!({"parent_id": -5})), Expect::Field("parent_id")),
        ("parent_id 2^31", category(json!({"parent_id": 2_147_483_648_i64})), Expect::Field("parent_id")),
        ("parent_id 2^32 + 1", category(json!({"parent_id": 4_294_967_297_i64})), Expect::Field("parent_id")),
        ("parent_id \"1\"", category(json!({"parent_id": "1"})), Expect::Field("parent_id")),
        ("position 2^31", category(json!({"position": 2_147_483_648_i64})), Expect::Field("position")),
        ("position -2^31 - 1", category(json!({"position": -2_147_483_649_i64})), Expect::Field("position")),
        ("position 1e300", category(json!({"position": 1e300})), Expect::Field("position")),
        ("position \"0\"", category(json!({"position": "0"})), Expect::Field("position")),
    ];
    let mut failures = Vec::new();
    for (what, (path, body), expected) in cases {
        failures.extend(verdict(what, &app.post(Some(&room.editor), path, &body).await, expected));
        if inventory(&app, &room.editor).await != before {
            failures.push(format!("{what}: something was written"));
        }
    }
    report(&failures);
}

#[actix_web::test]
async fn hostile_versions_in_preconditions_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let room = newsroom(&app).await;
    let before = inventory(&app, &room.editor).await;
    let path = room.article_path();
    let stale_list = (2..10_002).map(|v| format!("\"{v}\"")).collect::<Vec<_>>().join(", ");
    let headers = [
        ("a version beyond 64 bits", "\"99999999999999999999\"".to_owned(), 412),
        ("a version that is 1 modulo 2^32", "\"4294967297\"".into(), 412),
        ("a negative version", "\"-1\"".into(), 412),
        ("a version in exponent form", "\"1e0\"".into(), 412),
        ("a version in hex", "\"0x1\"".into(), 412),
        ("a version with a space", "\" 1\"".into(), 412),
        ("an empty weak tag", "W/\"\"".into(), 412),
        ("a lone quote", "\"".into(), 412),
        ("an unterminated tag", "\"1".into(), 412),
        ("10,000 stale versions", stale_list, 412),
        ("a wildcard", "*".into(), 428),
    ];
    let mut failures = Vec::new();
    for (what, if_match, status) in headers {
        let headers = [("If-Match", if_match.as_str())];
        let patched = app
            .request_with(Method::PATCH, &path, Some(&room.editor), &headers, Some(&json!({"title": "Diubah"})))
            .await;
        failures.extend(verdict(&format!("PATCH with {what}"), &patched, Expect::Problem(status)));
        let deleted = app.request_with(Method::DELETE, &path, Some(&room.editor), &headers, None).await;
        failures.extend(verdict(&format!("DELETE with {what}"), &deleted, Expect::Problem(status)));
    }
    let bodies = [
        ("a body version of 1e300", json!({"title": "Diubah", "version": 1e300}), Expect::Refusal),
        (
            "a body version beyond 64 bits",
            json!({"title": "Diubah", "version": 99_999_999_999_999_999_999_f64}),
            Expect::Refusal,
        ),
        (
            "a body version that is 1 modulo 2^32",
            json!({"title": "Diubah", "version": 4_294_967_297_i64}),
            Expect::Problem(412),
        ),
        ("a negative body version", json!({"title": "Diubah", "version": -1}), Expect::Problem(412)),
        ("a body version as text", json!({"title": "Diubah", "version": "1"}), Expect::Refusal),
    ];
    for (what, body, expected) in bodies {
        failures.extend(verdict(what, &app.patch(Some(&room.editor), &path, &body).await, expected));
    }
    if inventory(&app, &room.editor).await != before {
        failures.push("a refused precondition changed the article".into());
    }
    report(&failures);
}

// ---------------------------------------------------------------------------------------------
// SQL, FTS5 and paths

/// The titles a list answer holds.
fn listed_titles(response: &TestResponse) -> Vec<String> {
    serde_json::from_slice::<Value>(&response.body)
        .ok()
        .and_then(|body| body["data"].as_array().cloned())
        .unwrap_or_default()
        .iter()
        .filter_map(|item| item["title"].as_str().map(str::to_owned))
        .collect()
}

#[actix_web::test]
async fn sql_and_fts5_syntax_in_queries_and_slugs_is_never_a_server_error() {
    let app = TestApp::spawn().await;
    let room = newsroom(&app).await;
    let before = inventory(&app, &room.editor).await;
    let title = "Pencurian data nasabah";
    let long_words = (0..2_000).map(|i| format!("kata{i}")).collect::<Vec<_>>().join(" ");
    let searches: Vec<(&str, String)> = vec![
        ("a classic injection", "' OR 1=1 --".into()),
        ("a statement after a quote", "data'; DROP TABLE articles; --".into()),
        ("a union", "data\" UNION SELECT password_hash FROM users --".into()),
        ("an unbalanced quote", "\"unbalanced".into()),
        ("an open NEAR", "NEAR(".into()),
        ("NEAR with a distance", "NEAR(data nasabah, -1)".into()),
        ("a star", "*".into()),
        ("a prefix star", "data*".into()),
        ("a column filter", "title:x".into()),
        ("a column list", "{title body}: data".into()),
        ("two operators", "a AND OR b".into()),
        ("a caret", "^".into()),
        ("an open bracket", "(".into()),
        ("a closing bracket", ")".into()),
        ("a lone NOT", "NOT".into()),
        ("LIKE wildcards", "%_%".into()),
        ("a backslash", "\\".into()),
        ("10,000 letters", "a".repeat(10_000)),
        ("10,000 quotes", "\"".repeat(10_000)),
        ("2,000 open NEARs", "NEAR(".repeat(2_000)),
        ("5,000 ORs", "OR ".repeat(5_000)),
        ("2,000 different words", long_words),
        ("10,000 combining marks", format!("data{}", "\u{301}".repeat(10_000))),
    ];
    let mut failures = Vec::new();
    for (what, q) in searches {
        let query = serde_urlencoded::to_string([("q", q.as_str())]).expect("encodable");
        let response = app.get(&format!("{ARTICLES}?{query}")).await;
        failures.extend(verdict(&format!("q with {what}"), &response, Expect::Success(200)));
        let found = listed_titles(&response);
        if found.iter().any(|t| t != title) {
            failures.push(format!("q with {what}: found what does not exist: {found:?}"));
        }
    }
    let repeated = "nasabah ".repeat(1_500);
    let query = serde_urlencoded::to_string([("q", repeated.as_str())]).expect("encodable");
    if listed_titles(&app.get(&format!("{ARTICLES}?{query}")).await) != [title] {
        failures.push("a 12,000-character query of one repeated word does not find the article".into());
    }
    let filters = ["category", "author", "tag", "sort", "status"];
    for value in ["' OR 1=1 --", "%", "_", "kriminal' --", "keamanan%"] {
        for filter in filters {
            let query = serde_urlencoded::to_string([(filter, value)]).expect("encodable");
            let response = app.get_as(&room.editor, &format!("{ARTICLES}?{query}")).await;
            let expected =
                if matches!(filter, "sort" | "status") { Expect::Field(filter) } else { Expect::Success(200) };
            failures.extend(verdict(&format!("{filter}={value}"), &response, expected));
            if matches!(expected, Expect::Success(_)) && !listed_titles(&response).is_empty() {
                failures.push(format!("{filter}={value} matched articles: {:?}", listed_titles(&response)));
            }
        }
    }
    let slugs = [
        "'%20OR%201=1%20--",
        "1%20OR%201=1",
        "1;DROP%20TABLE%20articles",
        "%25",
        "_",
        "pencurian-data-nasaba_",
        "pencurian%25",
    ];
    for slug in slugs {
        for resource in ["articles", "categories", "authors", "tags"] {
            let path = format!("/api/v1/{resource}/{slug}");
            failures.extend(verdict(&path, &app.get(&path).await, Expect::Problem(404)));
        }
    }
    if inventory(&app, &room.editor).await != before {
        failures.push("a search changed the data".into());
    }
    if listed_titles(&app.get(ARTICLES).await) != [title] {
        failures.push("the article is no longer listed".into());
    }
    report(&failures);
}

#[actix_web::test]
async fn path_traversal_in_slugs_is_404() {
    let app = TestApp::spawn().await;
    let room = newsroom(&app).await;
    let keys = [
        "..%2F..%2Fetc%2Fpasswd",
        "%2e%2e",
        "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "..%5C..%5Cwindows%5Cwin.ini",
        "%252e%252e%252fetc%252fpasswd",
        "....%2F%2F....%2F%2Fetc%2Fpasswd",
        "..%c0%af..%c0%afetc%c0%afpasswd",
        "..",
        ".",
        "..;",
        "%2Fetc%2Fpasswd",
        "file:%2F%2F%2Fetc%2Fpasswd",
    ];
    let mut failures = Vec::new();
    for key in keys {
        for resource in ["articles", "categories", "authors", "tags"] {
            let path = format!("/api/v1/{resource}/{key}");
            failures.extend(verdict(&path, &app.get(&path).await, Expect::Problem(404)));
        }
        for feed in ["rss.xml", "feed.json"] {
            let path = format!("/api/v1/syndication/{feed}?category={key}");
            failures.extend(verdict(&path, &app.get(&path).await, Expect::Problem(404)));
        }
        let path = format!("/api/v1/feeds/latest?category={key}");
        let latest = app.get(&path).await;
        failures.extend(verdict(&path, &latest, Expect::Success(200)));
        if !listed_titles(&latest).is_empty() {
            failures.push(format!("{path}: a category that does not exist has articles"));
        }
    }
    let literal =
        ["/api/v1/articles/../../etc/passwd", "/api/v1/../../../etc/passwd", "/api/v1/tags/../../../../etc/passwd"];
    for path in literal {
        failures.extend(verdict(path, &app.get(path).await, Expect::Problem(404)));
    }
    for path in
        ["/docs/../../../../etc/passwd", "/docs/..%2F..%2F..%2F..%2Fetc%2Fpasswd", "/docs/%2e%2e/%2e%2e/Cargo.toml"]
    {
        let response = app.get(path).await;
        let text = response.text();
        if response.status >= 500 || text.contains("root:") || text.contains("[package]") {
            failures.push(format!("{path}: {} {}", response.status, excerpt(&response)));
        }
    }
    failures.extend(verdict("the article itself", &app.get(&room.article_path()).await, Expect::Success(200)));
    report(&failures);
}

// ---------------------------------------------------------------------------------------------
// Tags

#[actix_web::test]
async fn thousands_of_tags_or_overlong_tag_names_are_422_and_create_no_tag() {
    let app = TestApp::spawn().await;
    let room = newsroom(&app).await;
    let before = inventory(&app, &room.editor).await;
    let names = |n: usize| (0..n).map(|i| format!("Tag {i}")).collect::<Vec<_>>();
    let mut thirty = names(29);
    thirty.push("x".repeat(101));
    let article = room.article_path();
    let cases: Vec<(&str, Method, String, Value, Expect)> = vec![
        (
            "5,000 tag names",
            Method::POST,
            ARTICLES.into(),
            room.article_with(json!({"tags": names(5_000)})),
            Expect::Field("tags"),
        ),
        (
            "31 tag names",
            Method::POST,
            ARTICLES.into(),
            room.article_with(json!({"tags": names(31)})),
            Expect::Field("tags"),
        ),
        (
            "5,000 copies of one name",
            Method::POST,
            ARTICLES.into(),
            room.article_with(json!({"tags": vec!["Sama"; 5_000]})),
            Expect::Field("tags"),
        ),
        (
            "29 good names and one of 101 characters",
            Method::POST,
            ARTICLES.into(),
            room.article_with(json!({"tags": thirty})),
            Expect::Field("tags[29]"),
        ),
        (
            "a name of 10,000 characters",
            Method::POST,
            ARTICLES.into(),
            room.article_with(json!({"tags": ["x".repeat(10_000)]})),
            Expect::Field("tags[0]"),
        ),
        (
            "a name of 101 emoji",
            Method::POST,
            ARTICLES.into(),
            room.article_with(json!({"tags": ["🎉".repeat(101)]})),
            Expect::Field("tags[0]"),
        ),
        (
            "a blank name",
            Method::POST,
            ARTICLES.into(),
            room.article_with(json!({"tags": ["Baru", "   "]})),
            Expect::Field("tags[1]"),
        ),
        (
            "a name that is not text",
            Method::POST,
            ARTICLES.into(),
            room.article_with(json!({"tags": ["Baru", 5]})),
            Expect::Field("tags[1]"),
        ),
        (
            "5,000 tag names in a PATCH",
            Method::PATCH,
            article.clone(),
            json!({"tags": names(5_000)}),
            Expect::Field("tags"),
        ),
        (
            "a long name in a PATCH",
            Method::PATCH,
            article,
            json!({"tags": ["Baru", "y".repeat(101)]}),
            Expect::Field("tags[1]"),
        ),
        (
            "a tag of 101 characters",
            Method::POST,
            "/api/v1/tags".into(),
            json!({"name": "z".repeat(101)}),
            Expect::Field("name"),
        ),
        (
            "a tag of 10,000 characters",
            Method::POST,
            "/api/v1/tags".into(),
            json!({"name": "z".repeat(10_000)}),
            Expect::Field("name"),
        ),
        (
            "a rename to 10,000 characters",
            Method::PATCH,
            format!("/api/v1/tags/{}", room.tag),
            json!({"name": "z".repeat(10_000)}),
            Expect::Field("name"),
        ),
    ];
    let mut failures = Vec::new();
    for (what, method, path, body, expected) in cases {
        let response = app.request_with(method, &path, Some(&room.editor), &[("If-Match", "\"1\"")], Some(&body)).await;
        failures.extend(verdict(what, &response, expected));
        if inventory(&app, &room.editor).await != before {
            failures.push(format!("{what}: something was written"));
        }
    }
    // The limits count characters, not bytes: thirty names of 100 two-byte letters fit.
    let longest: Vec<String> = (0..30).map(|i| format!("{i:02}{}", "é".repeat(98))).collect();
    let created = app.post(Some(&room.editor), ARTICLES, &room.article_with(json!({"tags": longest.clone()}))).await;
    failures.extend(verdict("thirty tags of 100 characters", &created, Expect::Success(201)));
    let kept: Vec<String> = serde_json::from_slice::<Value>(&created.body)
        .ok()
        .and_then(|a| a["tags"].as_array().cloned())
        .unwrap_or_default()
        .iter()
        .filter_map(|t| t["name"].as_str().map(str::to_owned))
        .collect();
    if kept != longest {
        failures.push(format!("thirty tags of 100 characters came back as {kept:?}"));
    }
    report(&failures);
}

// ---------------------------------------------------------------------------------------------
// Bodies that are slow to render

/// Markdown tables: a header of `columns`, then `rows` rows of `cells` cells each.
fn table(columns: usize, rows: usize, cells: usize) -> String {
    let mut out = format!("|{}\n|{}\n", "kolom|".repeat(columns), "---|".repeat(columns));
    for _ in 0..rows {
        out.push('|');
        out.push_str(&"isi|".repeat(cells));
        out.push('\n');
    }
    out
}

fn slow_bodies() -> Vec<(&'static str, &'static str, String)> {
    let backticks: Vec<String> = (1..=300).map(|n| "`".repeat(n)).collect();
    vec![
        ("50,000 nested blockquotes", "markdown", format!("{} dalam", ">".repeat(50_000))),
        ("50,000 spaced blockquotes", "markdown", format!("{}dalam", "> ".repeat(50_000))),
        ("10,000 nested list levels", "markdown", format!("{}daftar", "- ".repeat(10_000))),
        ("10,000 nested ordered lists", "markdown", format!("{}daftar", "1. ".repeat(10_000))),
        ("100,000 emphasis openers", "markdown", "*a ".repeat(100_000)),
        ("100,000 asterisks between letters", "markdown", "a*".repeat(100_000)),
        ("100,000 alternating markers", "markdown", "*_".repeat(50_000)),
        ("50,000 asterisks on each side of a word", "markdown", format!("{0}kata{0}", "*".repeat(50_000))),
        ("25,000 nested emphases", "markdown", format!("{}kata{}", "*a ".repeat(25_000), " b*".repeat(25_000))),
        ("50,000 nested brackets", "markdown", format!("{}a{}", "[".repeat(50_000), "]".repeat(50_000))),
        ("30,000 unclosed link destinations", "markdown", "[a](".repeat(30_000)),
        ("300 backtick runs of every length", "markdown", backticks.join(" a ")),
        ("100,000 footnote references", "markdown", format!("{}\n\n[^a]: Catatan.", "[^a]".repeat(100_000))),
        ("a table of 100 columns and 2,000 rows", "markdown", table(100, 2_000, 100)),
        ("a table of 5,000 columns and 5,000 short rows", "markdown", table(5_000, 5_000, 1)),
        ("a line of 900,000 characters", "markdown", "x".repeat(900_000)),
        ("180,000 words on one line", "markdown", "kata ".repeat(180_000)),
        ("100,000 less-than signs", "markdown", "<".repeat(100_000)),
        ("50,000 nested divs", "html", "<div>".repeat(50_000)),
        ("25,000 unclosed links", "html", "<a href=\"https://a.example/\">".repeat(25_000)),
        ("20,000 nested tables", "html", "<table>".repeat(20_000)),
        ("25,000 misnested bold and italic", "html", "<b><i>".repeat(25_000)),
        ("100,000 less-than signs as HTML", "html", "<".repeat(100_000)),
    ]
}

/// The nesting depth and element count of sanitized HTML, read with html5ever's tokenizer (the
/// answer is serialized by the server's parser, so every element it opens is closed again).
fn html_shape(html: &str) -> (usize, usize) {
    use html5ever::tendril::StrTendril;
    use html5ever::tokenizer::{BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts};
    use std::cell::Cell;

    const VOID: [&str; 14] =
        ["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr", "param"];
    #[derive(Default)]
    struct Shape {
        open: Cell<usize>,
        deepest: Cell<usize>,
        elements: Cell<usize>,
    }
    impl TokenSink for Shape {
        type Handle = ();
        fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
            if let Token::TagToken(tag) = token {
                let void = VOID.contains(&&*tag.name);
                match tag.kind {
                    TagKind::StartTag => {
                        self.elements.set(self.elements.get() + 1);
                        if !void {
                            self.open.set(self.open.get() + 1);
                            self.deepest.set(self.deepest.get().max(self.open.get()));
                        }
                    }
                    TagKind::EndTag if !void => self.open.set(self.open.get().saturating_sub(1)),
                    TagKind::EndTag => {}
                }
            }
            TokenSinkResult::Continue
        }
    }
    let tokenizer = Tokenizer::new(Shape::default(), TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    (tokenizer.sink.deepest.get(), tokenizer.sink.elements.get())
}

/// A POST on a connection of its own: an unoptimized build may take longer than the server's
/// keep-alive over a hostile body, and a pooled connection left idle that long is closed under
/// the client's feet.
async fn post_alone(app: &TestApp, token: &str, path: &str, body: &Value) -> TestResponse {
    let client = awc::Client::builder().disable_redirects().timeout(Duration::from_secs(120)).finish();
    let request = client.post(app.url(path)).insert_header(("Authorization", format!("Bearer {token}")));
    let mut response = request.send_json(body).await.expect("the request was sent");
    let body = response.body().limit(64 * 1024 * 1024).await.expect("the body was read").to_vec();
    TestResponse { status: response.status().as_u16(), headers: response.headers().clone(), body }
}

/// Every body built to be slow to render is stored (with `body_html` under 2 MB and nested at most
/// 100 deep) or refused with a 422 on `body`, and a write sent beside each one succeeds. What is
/// asserted is the work (sizes, depths, statuses), not the time: the render is bounded by
/// construction (see `bench/render.sh` for the time).
#[actix_web::test]
async fn markdown_and_html_that_are_slow_to_render_are_stored_within_the_limits_or_refused_on_body() {
    let app = TestApp::spawn().await;
    let room = newsroom(&app).await;
    let (existing, _) = inventory(&app, &room.editor).await[0].clone();
    let mut created = 0;
    let mut failures = Vec::new();
    for (what, format, body) in slow_bodies() {
        let request = room.article_with(json!({"title": what, "body": body, "body_format": format}));
        let beside = json!({"name": format!("Beside {}", unique())});
        let (response, write) = futures_util::future::join(
            post_alone(&app, &room.editor, ARTICLES, &request),
            post_alone(&app, &room.editor, "/api/v1/tags", &beside),
        )
        .await;
        failures.extend(verdict(&format!("a tag written beside {what}"), &write, Expect::Success(201)));
        if response.status != 201 {
            failures.extend(verdict(what, &response, Expect::Field("body")));
            continue;
        }
        created += 1;
        let article = response.json();
        if article["body"] != body.as_str() {
            failures.push(format!("{what}: the body was not kept as written"));
        }
        let html = article["body_html"].as_str().unwrap_or_default();
        let (depth, _) = html_shape(html);
        if html.len() > 2 * 1024 * 1024 || depth > 100 {
            failures.push(format!("{what}: stored {} bytes of body_html nested {depth} deep", html.len()));
        }
        for danger in dangers(html) {
            failures.push(format!("{what}: {danger}"));
        }
    }
    let (total, _) = inventory(&app, &room.editor).await[0].clone();
    if total != existing + created {
        failures.push(format!("{created} articles were created; the total went from {existing} to {total}"));
    }
    failures.extend(still_answering(&app).await);
    report(&failures);
}

/// Bodies that nest past 100 levels however the nesting is written (self-closed or unclosed tags,
/// stray end tags, re-opened formatting, Markdown list markers and indentation) are a 422 on
/// `body` in both formats, and 100 levels are fine.
#[actix_web::test]
async fn bodies_nested_past_a_hundred_levels_are_422_on_body_however_the_nesting_is_written() {
    let app = TestApp::spawn().await;
    let room = newsroom(&app).await;
    let (existing, _) = inventory(&app, &room.editor).await[0].clone();
    let formatting: String = (0..60).map(|i| format!("<b title={i}>")).collect();
    let indented: String = (0..150).map(|i| format!("{}- a\n", "  ".repeat(i))).collect();
    let cases = [
        ("self-closed divs", "html", "<div/>".repeat(101)),
        ("divs with stray end tags", "html", "<div></x>".repeat(101)),
        ("stray paragraph ends", "html", "</p><div>".repeat(101)),
        ("misnested bold and italic", "html", "<b><i>".repeat(51)),
        ("re-opened formatting", "html", format!("<div>{formatting}</div>{}x", "<div>".repeat(50))),
        ("nested table cells", "html", "<table><tr><td>".repeat(40)),
        ("ordered list markers", "markdown", format!("{}daftar", "1. ".repeat(101))),
        ("mixed list markers", "markdown", format!("{}daftar", "- 1. * ".repeat(40))),
        ("indented list items", "markdown", indented),
        ("raw divs in markdown", "markdown", "<div>".repeat(101)),
        ("quote markers", "markdown", format!("{}kutipan", ">".repeat(101))),
    ];
    let mut failures = Vec::new();
    for (what, format, body) in cases {
        let request = room.article_with(json!({"title": what, "body": body, "body_format": format}));
        let response = app.post(Some(&room.editor), ARTICLES, &request).await;
        failures.extend(verdict(what, &response, Expect::Field("body")));
    }
    let (total, _) = inventory(&app, &room.editor).await[0].clone();
    if total != existing {
        failures.push(format!("refused bodies changed the article total from {existing} to {total}"));
    }
    let fine = room.article_with(json!({"title": "Seratus", "body": "<div>".repeat(100), "body_format": "html"}));
    failures.extend(verdict(
        "100 nested divs",
        &app.post(Some(&room.editor), ARTICLES, &fine).await,
        Expect::Success(201),
    ));
    report(&failures);
}

/// 1 MB of footnote references would render to 20 MB: a 422 on `body`, nothing stored.
#[actix_web::test]
async fn a_body_that_would_render_past_two_megabytes_is_422_on_body() {
    let app = TestApp::spawn().await;
    let room = newsroom(&app).await;
    let body = format!("{}\n\n[^a]: Catatan.", "[^a]".repeat(250_000));
    let request = room.article_with(json!({"title": "Bom catatan", "body": body}));
    let response = app.post(Some(&room.editor), ARTICLES, &request).await;
    assert_eq!(response.error_fields(), ["body"], "{}", response.text());
    assert!(response.text().contains("2 MB"), "{}", response.text());
    let patch = json!({"body": format!("{}\n\n[^a]: Catatan.", "[^a]".repeat(250_000))});
    let before = app.get_as(&room.editor, &room.article_path()).await.json();
    let changed = app.patch_article(&room.editor, &room.article.to_string(), 1, &patch).await;
    assert_eq!(changed.error_fields(), ["body"], "{}", changed.text());
    let after = app.get_as(&room.editor, &room.article_path()).await.json();
    assert_eq!((&before["version"], &before["body_html"]), (&after["version"], &after["body_html"]));
}

/// Rendering and sanitizing happen before the write transaction: while another connection holds
/// the database's write lock, a body refused for its rendering is answered 422 at once (were it
/// rendered inside the transaction, it would wait for the lock and end in a 503).
#[actix_web::test]
async fn a_body_refused_for_its_rendering_is_refused_while_another_holds_the_write_lock() {
    use diesel::connection::SimpleConnection;
    use diesel::Connection;

    let app = TestApp::spawn().await;
    let room = newsroom(&app).await;
    let mut holder = diesel::sqlite::SqliteConnection::establish(&app.db_path.to_string_lossy()).expect("opens");
    holder.batch_execute("BEGIN IMMEDIATE").expect("takes the write lock");
    let deep = room.article_with(json!({"title": "Dalam", "body": "<div/>".repeat(5_000), "body_format": "html"}));
    let created = app.post(Some(&room.editor), ARTICLES, &deep).await;
    let changed = app
        .patch_article(&room.editor, &room.article.to_string(), 1, &json!({"body": "1. ".repeat(5_000) + "x"}))
        .await;
    holder.batch_execute("ROLLBACK").expect("lets go of the lock");
    let mut failures = Vec::new();
    failures.extend(verdict("a deep body created under a held lock", &created, Expect::Field("body")));
    failures.extend(verdict("a deep body patched in under a held lock", &changed, Expect::Field("body")));
    report(&failures);
}

// ---------------------------------------------------------------------------------------------
// Script in every text that reaches HTML or a feed

/// Every start tag in `html` with its attributes, names lowercased and values as written.
fn elements(html: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        rest = &rest[open + 1..];
        if !rest.starts_with(|c: char| c.is_ascii_alphabetic()) {
            continue;
        }
        let name_end = rest.find(|c: char| c.is_whitespace() || c == '>' || c == '/').unwrap_or(rest.len());
        let name = rest[..name_end].to_ascii_lowercase();
        rest = &rest[name_end..];
        let mut attributes = Vec::new();
        loop {
            rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '/');
            if rest.is_empty() || rest.starts_with('>') {
                break;
            }
            // Only an `=` can start here besides a name; it is ASCII, so one byte is a whole character.
            let end =
                rest.find(|c: char| c.is_whitespace() || matches!(c, '=' | '>' | '/')).unwrap_or(rest.len()).max(1);
            let attribute = rest[..end].to_ascii_lowercase();
            rest = rest[end..].trim_start();
            let mut value = "";
            if let Some(after) = rest.strip_prefix('=') {
                let after = after.trim_start();
                let quote = after.chars().next().filter(|c| matches!(c, '"' | '\''));
                let inner = if quote.is_some() { &after[1..] } else { after };
                let stop = match quote {
                    Some(q) => inner.find(q),
                    None => inner.find(|c: char| c.is_whitespace() || c == '>'),
                }
                .unwrap_or(inner.len());
                value = &inner[..stop];
                rest = &inner[(stop + usize::from(quote.is_some())).min(inner.len())..];
            }
            attributes.push((attribute, value.to_owned()));
        }
        found.push((name, attributes));
    }
    found
}

const UNSAFE_ELEMENTS: [&str; 18] = [
    "script", "style", "object", "embed", "form", "svg", "math", "meta", "base", "link", "input", "button", "textarea",
    "frame", "frameset", "noscript", "template", "body",
];

/// What in sanitized HTML could run script, restyle the page or load what it should not.
fn dangers(html: &str) -> Vec<String> {
    let lower = html.to_lowercase();
    let mut found: Vec<String> =
        ["<script", "<style"].iter().filter(|n| lower.contains(*n)).map(|n| format!("{n} in {html:.300}")).collect();
    for (element, attributes) in elements(html) {
        if UNSAFE_ELEMENTS.contains(&element.as_str()) {
            found.push(format!("a <{element}> element"));
        }
        for (name, value) in attributes {
            let squeezed: String = value
                .replace("&amp;", "&")
                .chars()
                .filter(|c| !c.is_whitespace() && !c.is_control())
                .collect::<String>()
                .to_lowercase();
            if name.starts_with("on") || name == "style" || name == "srcdoc" || name == "formaction" {
                found.push(format!("a {name}= attribute on <{element}>"));
            } else if ["javascript:", "vbscript:", "data:text/html"].iter().any(|s| squeezed.contains(s)) {
                found.push(format!("{name}={value:?} on <{element}>"));
            }
        }
    }
    found
}

/// Attacks on whatever renders these texts: HTML, XML, JSON, templates. Each is distinct ignoring
/// case (tags are), at most 100 characters (the longest tag name).
const XSS: [&str; 27] = [
    "<script>alert(1)</script>",
    "\"><script>alert(2)</script>",
    "'><img src=x onerror=alert(3)>",
    "<img src=\"x\" onerror=\"alert(4)\">",
    "<svg/onload=alert(5)>",
    "javascript:alert(6)",
    "<a href=\"javascript:alert(7)\">klik</a>",
    "]]><script>alert(8)</script><![CDATA[",
    "<![CDATA[<script>alert(9)</script>]]>",
    "<!-- <script>alert(10)</script> -->",
    "&lt;script&gt;alert(11)&lt;/script&gt;",
    "&amp;&#x3C;script&#x3E;alert(12)&#60;",
    "<!DOCTYPE x [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>&xxe;",
    "</title></item></channel></rss><script>alert(14)</script>",
    "<?xml version=\"1.0\"?><x>alert(15)</x>",
    "<iframe src=\"javascript:alert(16)\"></iframe>",
    "<body onload=alert(17)>",
    "<div style=\"background:url(javascript:alert(18))\">gaya</div>",
    "{{constructor.constructor('alert(19)')()}}",
    "`${alert(20)}`",
    "\u{2028}</script><script>alert(21)</script>\u{2029}",
    "\"quotes\" 'apos' & <tags> “kutip” é 🎉 [Korea Utara]",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(23)>",
    "\\\"};alert(24);//",
    "<details open ontoggle=alert(25)>",
    "  <b>spasi</b>\t\n ",
    "<input autofocus onfocus=alert(27)>",
];

/// Text that XML forbids (control characters, the non-characters U+FFFE and U+FFFF) or that an XML
/// parser rewrites unless it is escaped (carriage returns). JSON carries all of it exactly.
const XML_HOSTILE: [&str; 5] = [
    "\u{1}\u{8}\u{1b}[31m<b>kontrol</b>\u{7f}",
    "\u{FFFE}\u{FFFF}<b>bukan karakter</b>",
    "baris\r\nbaru <b>CRLF</b>",
    "akhir baris\r",
    "tab\there\u{85}NEL\u{2028}",
];

/// What XML 1.0 can carry of `text`: the characters it forbids cannot appear, even as references.
fn xml_visible(text: &str) -> String {
    text.chars()
        .filter(|&c| matches!(c, '\t' | '\n' | '\r' | ' '..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..))
        .collect()
}

/// One payload planted in every text field of its own article, byline, category and tag.
struct Planted {
    payload: &'static str,
    article: Value,
    cover_url: String,
}

/// Creates, as an editor, a published article per payload; a payload refused with a 4xx problem
/// is fine only when XML cannot carry it. Returns the planted ones and the failures.
async fn plant_payloads(app: &TestApp, payloads: &[&'static str]) -> (Vec<Planted>, Vec<String>) {
    let editor = app.token_for("editor").await;
    let mut planted = Vec::new();
    let mut failures = Vec::new();
    for (i, &payload) in payloads.iter().enumerate() {
        let refusable = xml_visible(payload) != payload;
        let accepted = |what: &str, response: &TestResponse, failures: &mut Vec<String>| {
            if response.status == 201 {
                return Some(response.json());
            }
            let expected = if refusable { Expect::Refusal } else { Expect::Success(201) };
            failures.extend(verdict(&format!("{what} {payload:?}"), response, expected));
            None
        };
        let author = app.post(Some(&editor), "/api/v1/authors", &json!({"name": payload})).await;
        let category = app.post(Some(&editor), "/api/v1/categories", &json!({"name": payload})).await;
        let (Some(author), Some(category)) = (
            accepted("an author named", &author, &mut failures),
            accepted("a category named", &category, &mut failures),
        ) else {
            continue;
        };
        // Raw `"`, `<` and `>` are refused in URLs (422); what a URL may carry still has to be escaped.
        let cover_url = format!("https://img.warta.example/{i}.jpg?a=1&b='%22%3E%3Cscript%3Ealert({i})&c=]]&d=&amp;");
        let mut cover = json!({"url": cover_url, "credit": payload, "alt": payload});
        // Odd ones have no caption, so the feed falls back to the alt text.
        if i % 2 == 0 {
            cover["caption"] = json!(payload);
        }
        let request = json!({"title": payload, "excerpt": payload, "body": payload,
            "body_format": if i % 2 == 0 { "markdown" } else { "html" }, "cover_image": cover,
            "category_id": category["id"], "author_ids": [author["id"]], "tags": [payload], "status": "published"});
        let response = app.post(Some(&editor), ARTICLES, &request).await;
        if let Some(article) = accepted("an article with", &response, &mut failures) {
            planted.push(Planted { payload, article, cover_url });
        }
    }
    (planted, failures)
}

/// Compares what came back with what was sent.
fn same(failures: &mut Vec<String>, what: String, actual: Option<&str>, expected: &str) {
    if actual != Some(expected) {
        failures.push(format!("{what}: expected {expected:?}, got {actual:?}"));
    }
}

/// The element vocabulary of the RSS the server writes: anything else was injected.
const RSS_ELEMENTS: [&str; 17] = [
    "rss",
    "enclosure",
    "channel",
    "title",
    "link",
    "description",
    "language",
    "generator",
    "lastBuildDate",
    "item",
    "guid",
    "pubDate",
    "creator",
    "category",
    "encoded",
    "content",
    "credit",
];

/// Checks an RSS document: it parses, holds only the elements the server writes, has `items`
/// items, and each of `planted` comes back exactly (as far as XML can carry it).
fn rss_failures(what: &str, text: &str, items: usize, planted: &[&Planted], failures: &mut Vec<String>) {
    let doc = match roxmltree::Document::parse(text) {
        Ok(doc) => doc,
        Err(e) => return failures.push(format!("{what} does not parse: {e}")),
    };
    for node in doc.descendants().filter(|n| n.is_element()) {
        if !RSS_ELEMENTS.contains(&node.tag_name().name()) {
            failures.push(format!("{what}: an injected element <{}>", node.tag_name().name()));
        }
    }
    let texts = |node: roxmltree::Node, name: &str| -> Vec<String> {
        node.children()
            .filter(|n| n.is_element() && n.tag_name().name() == name)
            .map(|n| n.text().unwrap_or_default().to_owned())
            .collect()
    };
    let found: Vec<roxmltree::Node> = doc.descendants().filter(|n| n.has_tag_name("item")).collect();
    if found.len() != items {
        failures.push(format!("{what}: {} items instead of {items}", found.len()));
    }
    for planted in planted {
        let guid = format!("http://warta.test/api/v1/articles/{}", planted.article["id"]);
        let Some(item) = found.iter().find(|item| texts(**item, "guid") == [guid.as_str()]) else {
            failures.push(format!("{what}: no item for {:?}", planted.payload));
            continue;
        };
        let expected = xml_visible(planted.payload);
        let label = |field: &str| format!("{what}: {field} of {:?}", planted.payload);
        for field in ["title", "description", "creator"] {
            same(failures, label(field), texts(*item, field).first().map(String::as_str), &expected);
        }
        if texts(*item, "category") != [expected.clone(), expected.clone()] {
            failures.push(format!("{}: {:?}", label("category and tag"), texts(*item, "category")));
        }
        let html = planted.article["body_html"].as_str().unwrap_or_default();
        same(
            failures,
            label("content:encoded"),
            texts(*item, "encoded").first().map(String::as_str),
            &xml_visible(html),
        );
        let media = item.children().find(|n| n.tag_name().name() == "content");
        same(failures, label("media url"), media.and_then(|m| m.attribute("url")), &planted.cover_url);
        for (field, element) in [("media:description", "description"), ("media:credit", "credit")] {
            let found = media.map(|m| texts(m, element)).unwrap_or_default();
            same(failures, label(field), found.first().map(String::as_str), &expected);
        }
    }
    let channel = doc.descendants().find(|n| n.has_tag_name("channel"));
    if let ([planted], Some(channel)) = (planted, channel) {
        let title = format!("Warta — {}", xml_visible(planted.payload));
        same(
            failures,
            format!("{what}: the channel title"),
            texts(channel, "title").first().map(String::as_str),
            &title,
        );
    }
}

/// Plants `payloads` and checks the whole RSS feed and each payload's category feed.
async fn rss_round_trip(payloads: &[&'static str]) -> Vec<String> {
    let app = TestApp::spawn().await;
    let (planted, mut failures) = plant_payloads(&app, payloads).await;
    let rss = app.get("/api/v1/syndication/rss.xml").await;
    failures.extend(verdict("the RSS feed", &rss, Expect::Success(200)));
    // The whole feed must parse; each payload is then checked in its category's feed, so that one
    // text that breaks the document does not hide what the others do.
    rss_failures("the RSS feed", &rss.text(), planted.len(), &[], &mut failures);
    for planted in &planted {
        let slug = planted.article["category"]["slug"].as_str().unwrap_or_default();
        let one = app.get(&format!("/api/v1/syndication/rss.xml?category={slug}")).await;
        let what = format!("the RSS of category {:?}", planted.payload);
        failures.extend(verdict(&what, &one, Expect::Success(200)));
        rss_failures(&what, &one.text(), 1, &[planted], &mut failures);
    }
    failures
}

#[actix_web::test]
async fn script_in_every_text_field_round_trips_escaped_through_the_rss_feed() {
    report(&rss_round_trip(&XSS).await);
}

#[actix_web::test]
async fn text_xml_cannot_carry_as_is_never_breaks_or_alters_the_rss_feed() {
    report(&rss_round_trip(&XML_HOSTILE).await);
}

#[actix_web::test]
async fn script_in_every_text_field_round_trips_exactly_through_the_json_feed_and_the_api() {
    let app = TestApp::spawn().await;
    let payloads: Vec<&'static str> = XSS.into_iter().chain(XML_HOSTILE).collect();
    let (planted, mut failures) = plant_payloads(&app, &payloads).await;
    let feed = app.get("/api/v1/syndication/feed.json").await;
    failures.extend(verdict("the JSON feed", &feed, Expect::Success(200)));
    let feed: Value =
        serde_json::from_slice(&feed.body).unwrap_or_else(|e| panic!("the JSON feed does not parse: {e}"));
    let items = feed["items"].as_array().cloned().unwrap_or_default();
    for planted in &planted {
        let (payload, article) = (planted.payload, &planted.article);
        let label = |field: &str| format!("{field} of {payload:?}");
        let guid = format!("http://warta.test/api/v1/articles/{}", article["id"]);
        let Some(item) = items.iter().find(|item| item["id"] == guid.as_str()) else {
            failures.push(format!("JSON feed: no item for {payload:?}"));
            continue;
        };
        for field in ["title", "summary"] {
            same(&mut failures, label(&format!("JSON feed {field}")), item[field].as_str(), payload);
        }
        same(&mut failures, label("JSON feed author"), item["authors"][0]["name"].as_str(), payload);
        if item["tags"] != json!([payload, payload]) {
            failures.push(format!("{}: {}", label("JSON feed category and tag"), item["tags"]));
        }
        same(&mut failures, label("JSON feed image"), item["image"].as_str(), &planted.cover_url);
        let html = item["content_html"].as_str().unwrap_or_default();
        same(
            &mut failures,
            label("JSON feed content_html"),
            Some(html),
            article["body_html"].as_str().unwrap_or_default(),
        );
        failures.extend(dangers(html).into_iter().map(|d| format!("{}: {d}", label("JSON feed content_html"))));

        let read = app.get(&format!("{ARTICLES}/{}", article["id"])).await;
        failures.extend(verdict(&label("the article"), &read, Expect::Success(200)));
        let read = read.json();
        let texts = [
            ("title", &read["title"]),
            ("excerpt", &read["excerpt"]),
            ("body", &read["body"]),
            ("cover credit", &read["cover_image"]["credit"]),
            ("cover alt", &read["cover_image"]["alt"]),
            ("byline", &read["authors"][0]["name"]),
            ("category", &read["category"]["name"]),
            ("breadcrumb", &read["category"]["path"][0]["name"]),
            ("tag", &read["tags"][0]["name"]),
        ];
        for (field, value) in texts {
            same(&mut failures, label(&format!("article {field}")), value.as_str(), payload);
        }
        failures.extend(
            dangers(read["body_html"].as_str().unwrap_or_default())
                .into_iter()
                .map(|d| format!("{}: {d}", label("body_html"))),
        );
        for (resource, id) in [
            ("categories", &read["category"]["id"]),
            ("authors", &read["authors"][0]["id"]),
            ("tags", &read["tags"][0]["id"]),
        ] {
            let named = app.get(&format!("/api/v1/{resource}/{id}")).await.json();
            same(&mut failures, label(resource), named["name"].as_str(), payload);
        }
        let slug = article["category"]["slug"].as_str().unwrap_or_default();
        let one = app.get(&format!("/api/v1/syndication/feed.json?category={slug}")).await;
        match serde_json::from_slice::<Value>(&one.body) {
            Ok(one) => {
                same(&mut failures, label("JSON feed title"), one["title"].as_str(), &format!("Warta — {payload}"))
            }
            Err(e) => failures.push(format!("{}: {e}", label("the category's JSON feed does not parse"))),
        }
    }
    report(&failures);
}
