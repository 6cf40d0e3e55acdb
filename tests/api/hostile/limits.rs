//! Bodies, headers, paths and tag lists past every size and count limit: refused with a 4xx, nothing
//! written, and the server still answering.

use actix_web::http::Method;
use serde_json::{json, Value};

use super::{inventory, newsroom, report, still_answering, verdict, Expect, ARTICLES};
use crate::helpers::TestApp;
use crate::raw_http::{chunked, json_on_wire, wire};

use super::judge_raw;

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
