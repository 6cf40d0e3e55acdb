//! Black-box tests of HTTP caching: validators, 304s and `Cache-Control` on anonymous reads,
//! private answers for authenticated callers, a server-side cache that never serves a stale list
//! after a write, and compression.

use std::time::Duration;

use actix_web::http::Method;
use chrono::Utc;
use serde_json::{json, Value};

use crate::feeds::{
    add_views, desk, fast_views, fetch, hours_from_now, items, numeric_id, path_of, read_with, slug, titles,
    wait_for_view_count, Desk, ARTICLES, CATEGORIES, LATEST, READER, TRENDING,
};
use crate::helpers::{TestApp, TestResponse};

const PUBLIC: &str = "public, max-age=30, stale-while-revalidate=60";
const PRIVATE: &str = "private, no-store";

/// Every kind of anonymous read of content, with the article `slug`.
fn public_reads(slug: &str) -> [(String, &'static str); 5] {
    [
        (path_of(slug), "an article"),
        (ARTICLES.to_owned(), "the article list"),
        (LATEST.to_owned(), "the latest feed"),
        (TRENDING.to_owned(), "the trending feed"),
        (CATEGORIES.to_owned(), "the categories"),
    ]
}

async fn get_with(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> TestResponse {
    app.request_with(Method::GET, path, None, headers, None).await
}

#[track_caller]
fn etag(response: &TestResponse, context: &str) -> String {
    response.header("etag").unwrap_or_else(|| panic!("{context}: an ETag; headers {:?}", response.headers))
}

/// The current validator of each path, read anonymously.
async fn etags(app: &TestApp, paths: &[String]) -> Vec<String> {
    let mut etags = Vec::new();
    for path in paths {
        let response = app.get(path).await;
        response.assert_status(200);
        etags.push(etag(&response, path));
    }
    etags
}

/// A desk with one published article, read by a person once (so trending lists it).
async fn newsroom_with_an_article(app: &TestApp) -> (Desk, Value) {
    let desk = desk(app).await;
    let article = desk.publish(app, json!({"title": "Korea Utara Luncurkan Rudal", "tags": ["Rudal"]})).await;
    assert_eq!(read_with(app, numeric_id(&article), &[("User-Agent", READER)]).await, 202);
    (desk, article)
}

#[actix_web::test]
async fn anonymous_reads_carry_a_validator_and_public_cache_headers() {
    let app = TestApp::spawn().await;
    let (_, article) = newsroom_with_an_article(&app).await;
    for (path, what) in public_reads(&slug(&article)) {
        let response = app.get(&path).await;
        response.assert_status(200);
        let tag = etag(&response, what);
        assert!(tag.starts_with('"') || tag.starts_with("W/\""), "{what}: a quoted ETag, not {tag}");
        assert_eq!(response.header("cache-control").as_deref(), Some(PUBLIC), "{what}: Cache-Control");
        let vary = response.header("vary").unwrap_or_default().to_ascii_lowercase();
        let varies: Vec<&str> = vary.split(',').map(str::trim).collect();
        for header in ["accept-encoding", "authorization"] {
            assert!(varies.contains(&header), "{what}: Vary names {header}: {vary:?}");
        }
        assert_eq!(etag(&app.get(&path).await, what), tag, "{what}: the same answer, the same validator");
    }
}

#[actix_web::test]
async fn a_matching_if_none_match_answers_304_with_the_same_headers_and_no_body() {
    // With the response cache and without it: a 304 must not depend on an answer being stored.
    for ttl in [None, Some(Duration::ZERO)] {
        let app = TestApp::spawn_with(|s| s.response_cache_ttl = ttl.unwrap_or(s.response_cache_ttl)).await;
        let (_, article) = newsroom_with_an_article(&app).await;
        for (path, what) in public_reads(&slug(&article)) {
            let what = format!("{what} (response cache {ttl:?})");
            let tag = etag(&app.get(&path).await, &what);
            let strong = tag.trim_start_matches("W/").to_owned();
            let weak = format!("W/{strong}");
            let forms = [
                (tag.clone(), "the ETag itself"),
                (strong.clone(), "the strong form"),
                (weak.clone(), "the weak form"),
                (format!("\"anders\", {strong}"), "a list naming it"),
                (format!("\"anders\", {weak}"), "a list naming its weak form"),
                ("*".to_owned(), "any representation"),
            ];
            for (if_none_match, form) in forms {
                let response = get_with(&app, &path, &[("If-None-Match", &if_none_match)]).await;
                assert_eq!(response.status, 304, "{what}, {form}: {}", response.text());
                assert_eq!(response.header("etag").as_deref(), Some(tag.as_str()), "{what}, {form}: the same ETag");
                assert_eq!(response.header("cache-control").as_deref(), Some(PUBLIC), "{what}, {form}");
                assert!(response.body.is_empty(), "{what}, {form}: a 304 has no body: {}", response.text());
            }
            let other = get_with(&app, &path, &[("If-None-Match", "\"anders\"")]).await;
            assert_eq!(other.status, 200, "{what}: another validator gets the full answer");
            assert!(!other.body.is_empty(), "{what}: the full answer has a body");
        }
    }
}

#[actix_web::test]
async fn authenticated_reads_are_private_and_an_articles_etag_is_its_version() {
    let app = TestApp::spawn().await;
    let (desk, article) = newsroom_with_an_article(&app).await;
    for (path, what) in public_reads(&slug(&article)) {
        // Read anonymously first, so a public answer is stored that must not be replayed.
        app.get(&path).await.assert_status(200);
        let response = app.get_as(&desk.editor, &path).await;
        response.assert_status(200);
        assert_eq!(response.header("cache-control").as_deref(), Some(PRIVATE), "{what} read by an editor");
    }
    let path = path_of(numeric_id(&article));
    assert_eq!(app.get_as(&desk.editor, &path).await.header("etag").as_deref(), Some("\"1\""), "version 1");
    let version = numeric_id(&article).to_string();
    let edited = app.patch_article(&desk.editor, &version, 1, &json!({"title": "Rudal Kedua"})).await;
    assert_eq!(edited.assert_status(200).header("etag").as_deref(), Some("\"2\""), "the PATCH answer");
    assert_eq!(edited.header("cache-control").as_deref(), Some(PRIVATE), "the PATCH answer");
    assert_eq!(app.get_as(&desk.editor, &path).await.header("etag").as_deref(), Some("\"2\""), "version 2");
}

#[actix_web::test]
async fn the_validator_changes_after_an_edit_and_after_renaming_what_the_article_names() {
    let app = TestApp::spawn().await;
    let (desk, article) = newsroom_with_an_article(&app).await;
    let paths = [path_of(slug(&article)), ARTICLES.to_owned(), LATEST.to_owned()];
    let mut before = etags(&app, &paths).await;
    desk.edit(&app, &article, &json!({"title": "Rudal Kedua"})).await;
    let renames = [
        ("an edit of the article", None, "Rudal Kedua"),
        ("a category rename", Some(format!("{CATEGORIES}/{}", desk.category)), "Kabar Terkini"),
        ("an author rename", Some(format!("/api/v1/authors/{}", desk.author)), "Reni E. Saputri"),
        ("a tag rename", Some("/api/v1/tags/rudal".to_owned()), "Peluru Kendali"),
    ];
    for (change, rename, name) in renames {
        if let Some(path) = rename {
            app.patch(Some(&desk.editor), &path, &json!({"name": name})).await.assert_status(200);
        }
        let after = etags(&app, &paths).await;
        for (n, path) in paths.iter().enumerate() {
            assert_ne!(before[n], after[n], "{path}: the ETag changes after {change}");
            let stale = get_with(&app, path, &[("If-None-Match", &before[n])]).await;
            assert_eq!(stale.status, 200, "{path}: the old validator no longer matches after {change}");
            assert!(stale.text().contains(name), "{path}: {name:?} is in the body after {change}: {}", stale.text());
        }
        before = after;
    }
}

#[actix_web::test]
async fn the_validator_changes_once_a_new_view_count_is_written() {
    let app = TestApp::spawn_with(fast_views).await;
    let desk = desk(&app).await;
    let article = numeric_id(&desk.publish(&app, json!({"title": "Dibaca"})).await);
    let path = path_of(article);
    let before = etag(&app.get(&path).await, "before the read");
    assert_eq!(read_with(&app, article, &[("User-Agent", READER)]).await, 202);
    wait_for_view_count(&app, article, 1).await;
    let after = app.get(&path).await;
    assert_ne!(etag(&after, "after the read"), before, "view_count changed: {}", after.text());
    let stale = get_with(&app, &path, &[("If-None-Match", &before)]).await;
    assert_eq!(stale.status, 200, "the old validator no longer matches");
    assert_eq!(stale.json()["view_count"], 1);
}

/// Reads every anonymous path once, so each answer is in the server's cache.
async fn warm(app: &TestApp, slugs: &[&str]) {
    let paths = [ARTICLES, LATEST, TRENDING, CATEGORIES].map(str::to_owned);
    for path in paths.into_iter().chain(slugs.iter().map(path_of)) {
        let response = app.get(&path).await;
        assert!(matches!(response.status, 200 | 404), "warming {path}: {}", response.text());
    }
}

/// Where a title must be found after a write.
#[derive(Clone, Copy, PartialEq)]
enum Listed {
    /// In the list, latest and trending.
    Everywhere,
    /// In the list and latest; unread, so not trending.
    Unread,
    Nowhere,
}

/// Asserts what an anonymous reader sees right after `step`: the article `slug` with `title`
/// (or 404 for `None`), and where each of `titles` is listed.
async fn assert_read_after(app: &TestApp, step: &str, slug: &str, title: Option<&str>, listed: &[(&str, Listed)]) {
    let article = app.get(&path_of(slug)).await;
    match title {
        Some(title) => assert_eq!(article.assert_status(200).json()["title"], title, "{step}: /articles/{slug}"),
        None => assert_eq!(article.status, 404, "{step}: /articles/{slug} is gone: {}", article.text()),
    }
    for feed in [ARTICLES, LATEST, TRENDING] {
        let titles = titles(&app.get(feed).await);
        for (wanted, where_) in listed {
            let expected = *where_ == Listed::Everywhere || (*where_ == Listed::Unread && feed != TRENDING);
            assert_eq!(titles.iter().any(|t| t == wanted), expected, "{step}: {wanted:?} in {feed}: {titles:?}");
        }
    }
}

async fn article_count(app: &TestApp) -> i64 {
    let categories = items(&app.get(CATEGORIES).await);
    categories[0]["article_count"].as_i64().unwrap_or_else(|| panic!("article_count: {categories:?}"))
}

#[actix_web::test]
async fn every_write_shows_in_the_very_next_anonymous_read() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let mut articles = Vec::new();
    for (title, hours) in [("Tetap", -4), ("Ditarik", -3), ("Dihapus", -2), ("Diubah", -1)] {
        let fields = json!({"title": title, "slug": title.to_lowercase(), "published_at": hours_from_now(hours)});
        articles.push(desk.publish(&app, fields).await);
    }
    add_views(&app, &articles.iter().map(|a| (a, 0, 1)).collect::<Vec<_>>());
    let [_, withdrawn, deleted, changed] = &articles[..] else { panic!("four articles") };
    let slugs = ["tetap", "ditarik", "dihapus", "diubah", "baru"];

    warm(&app, &slugs).await;
    desk.publish(&app, json!({"title": "Baru", "slug": "baru"})).await;
    assert_read_after(&app, "publish", "baru", Some("Baru"), &[("Baru", Listed::Unread)]).await;
    assert_eq!(article_count(&app).await, 5, "publish: the category counts it");

    warm(&app, &slugs).await;
    desk.edit(&app, withdrawn, &json!({"status": "draft"})).await;
    assert_read_after(&app, "unpublish", "ditarik", None, &[("Ditarik", Listed::Nowhere)]).await;
    assert_eq!(article_count(&app).await, 4, "unpublish: the category no longer counts it");

    warm(&app, &slugs).await;
    desk.delete(&app, deleted).await;
    assert_read_after(&app, "delete", "dihapus", None, &[("Dihapus", Listed::Nowhere)]).await;
    assert_eq!(article_count(&app).await, 3, "delete: the category no longer counts it");

    warm(&app, &slugs).await;
    desk.edit(&app, changed, &json!({"title": "Sudah Diubah"})).await;
    let listed = [("Sudah Diubah", Listed::Everywhere), ("Diubah", Listed::Nowhere)];
    assert_read_after(&app, "edit", "diubah", Some("Sudah Diubah"), &listed).await;
    assert_read_after(&app, "after all", "tetap", Some("Tetap"), &[("Tetap", Listed::Everywhere)]).await;
}

#[actix_web::test]
async fn a_scheduled_article_enters_the_latest_feed_at_its_time_even_when_the_feed_was_just_cached() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    desk.publish(&app, json!({"title": "Lama", "published_at": hours_from_now(-1)})).await;
    let due = app.clock.now().and_utc() + chrono::Duration::hours(1);
    let due_text = due.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let scheduled = desk.publish(&app, json!({"title": "Terjadwal", "published_at": due_text})).await;
    assert_eq!(scheduled["status"], "scheduled", "{scheduled}");
    assert_eq!(titles(&app.get(LATEST).await), ["Lama"], "not yet");
    assert_eq!(titles(&app.get(LATEST).await), ["Lama"], "not yet, from the cache");
    assert_eq!(app.get(&path_of("terjadwal")).await.status, 404, "not yet readable");

    let due_at = chrono::DateTime::parse_from_rfc3339(&due_text).expect("a time").with_timezone(&Utc);
    app.clock.advance((due_at - app.clock.now().and_utc()).to_std().unwrap_or_default() + Duration::from_secs(1));
    assert_eq!(titles(&app.get(LATEST).await), ["Terjadwal", "Lama"], "its time has come");
    assert_eq!(titles(&app.get(ARTICLES).await), ["Terjadwal", "Lama"], "listed too");
    assert_eq!(app.get(&path_of("terjadwal")).await.status, 200, "and readable");
}

#[actix_web::test]
async fn answers_are_compressed_with_gzip_or_brotli_when_asked() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    for n in 1..=5 {
        desk.publish(
            &app,
            json!({"title": format!("Berita {n}"), "body": "Isi berita yang cukup panjang. ".repeat(20)}),
        )
        .await;
    }
    let cases = [
        ("gzip", Some("gzip"), "gzip when asked"),
        ("br", Some("br"), "brotli when asked"),
        ("identity", None, "no compression when none is accepted"),
    ];
    for (accept, expected, why) in cases {
        let request = app.client.get(app.url(LATEST)).insert_header(("Accept-Encoding", accept)).no_decompress();
        let response = fetch(request, None).await;
        response.assert_status(200);
        assert_eq!(response.header("content-encoding").as_deref(), expected, "{why}");
        let readable = serde_json::from_slice::<Value>(&response.body).is_ok();
        assert_eq!(readable, expected.is_none(), "{why}: the body is compressed exactly when the header says so");
    }
}

/// Whether a write clears the caches is judged by the route that answered it: a category whose
/// slug is `views`, or a path with percent-encoded letters, is still a content write.
#[actix_web::test]
async fn writes_clear_the_caches_whatever_the_slug_or_encoding() {
    let app = TestApp::spawn().await;
    let editor = app.token_for("editor").await;
    let created = app.create_category(&editor, json!({"name": "Views"})).await;
    assert_eq!(created["slug"], "views");
    assert_eq!(app.get("/api/v1/categories/views").await.json()["name"], "Views", "now cached");
    app.patch(Some(&editor), "/api/v1/categories/views", &json!({"name": "Opini"})).await.assert_status(200);
    assert_eq!(app.get("/api/v1/categories/views").await.json()["name"], "Opini", "a write to /views cleared it");
    app.patch(Some(&editor), "/api/v1/c%61tegories/views", &json!({"name": "Opini Baru"})).await.assert_status(200);
    assert_eq!(app.get("/api/v1/categories/views").await.json()["name"], "Opini Baru", "an encoded path cleared it");
}

/// One content epoch decides what every cache may serve: it moves on with each committed content
/// write (whichever module made it), and never with logins, failed logins, refused writes or
/// counted reads, so that an attacker guessing passwords or a crowd of readers cannot empty the
/// caches.
#[actix_web::test]
async fn only_committed_content_writes_move_the_content_epoch() {
    let app = TestApp::spawn_with(fast_views).await;
    let desk = desk(&app).await;
    let article = numeric_id(&desk.publish(&app, json!({"title": "Dibaca"})).await);
    let epoch = app.metric("warta_content_epoch").await;
    for _ in 0..3 {
        app.login("nobody@example.com", "wrong password").await.assert_problem(401);
    }
    app.admin_token().await;
    app.post(Some(&desk.editor), CATEGORIES, &json!({"name": ""})).await.assert_problem(422);
    assert_eq!(read_with(&app, article, &[("User-Agent", READER)]).await, 202);
    wait_for_view_count(&app, article, 1).await;
    assert_eq!(app.metric("warta_content_epoch").await, epoch, "nothing readers see changed");
    app.create_category(&desk.editor, json!({"name": "Olahraga"})).await;
    assert_eq!(app.metric("warta_content_epoch").await, epoch + 1, "one committed write");
}

/// The response cache's memory bound holds whatever the requests: every byte of an entry (its key,
/// body, headers and a fixed overhead) counts against WARTA_RESPONSE_CACHE_MB, and cache-busting
/// query strings only evict older answers.
#[actix_web::test]
async fn cache_busting_reads_stay_within_the_response_cache_bound() {
    const BOUND: u64 = 1024 * 1024;
    let app = TestApp::spawn_with(|s| {
        s.response_cache_bytes = BOUND as usize;
        s.response_cache_ttl = Duration::from_secs(3600);
    })
    .await;
    let padding = "x".repeat(2_000);
    let mut smallest = u64::MAX;
    for i in 0..800 {
        let response = app.get(&format!("{LATEST}?pad={padding}&bust={i}")).await;
        response.assert_status(200);
        let key = format!("{LATEST}?pad={padding}&bust={i}").len();
        let headers: usize = ["content-type", "link", "etag"]
            .iter()
            .filter_map(|name| response.header(name).map(|value| name.len() + value.len()))
            .sum();
        smallest = smallest.min((key + response.body.len() + headers) as u64);
    }
    let bytes = app.metric("warta_response_cache_bytes").await;
    let entries = app.metric("warta_response_cache_entries").await;
    assert!(bytes <= BOUND, "{bytes} bytes held, bound {BOUND}");
    assert!(entries > 0 && entries < 800, "{entries} entries: older ones were evicted");
    assert!(bytes >= entries * smallest, "{bytes} bytes for {entries} entries of at least {smallest} bytes each");
}

/// A cached answer is compressed once, at a level too slow to run per request (brotli 6, gzip 6),
/// and that copy is what later readers get: smaller than the per-request compression of the answer
/// that filled the cache, the same JSON once decoded, and still varied by `Accept-Encoding`.
#[actix_web::test]
async fn cached_answers_are_sent_compressed_at_a_high_level() {
    use std::io::Read;
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    for n in 1..=10 {
        desk.publish(&app, json!({"title": format!("Berita penting nomor {n} hari ini"), "body": "Isi. ".repeat(20)}))
            .await;
    }
    let identity = app.get(LATEST).await;
    identity.assert_status(200);
    let expected: Value = identity.json();
    for encoding in ["br", "gzip"] {
        let read = || async {
            let request = app
                .client
                .get(app.url(&format!("{LATEST}?e={encoding}")))
                .insert_header(("Accept-Encoding", encoding))
                .no_decompress();
            let response = fetch(request, None).await;
            response.assert_status(200);
            assert_eq!(response.header("content-encoding").as_deref(), Some(encoding));
            assert!(response.header("vary").is_some_and(|v| v.contains("Accept-Encoding")), "{:?}", response.headers);
            response.body
        };
        let filled = read().await;
        let stored = read().await;
        assert_eq!(read().await, stored, "{encoding}: the stored copy is sent as it is");
        assert!(
            stored.len() < filled.len(),
            "{encoding}: {} bytes stored, {} compressed per request",
            stored.len(),
            filled.len()
        );
        let mut decoded = Vec::new();
        match encoding {
            "br" => brotli::Decompressor::new(&stored[..], 4096).read_to_end(&mut decoded),
            _ => flate2::read::GzDecoder::new(&stored[..]).read_to_end(&mut decoded),
        }
        .expect("decodes");
        assert_eq!(serde_json::from_slice::<Value>(&decoded).expect("json"), expected, "{encoding}");
    }
}

/// A write made by another process (here `warta seed --demo` on the same database; in production
/// also another instance) reaches this server's caches at its next poll of the database (four a
/// second), although its response cache would otherwise keep the empty feed for an hour.
#[actix_web::test]
async fn a_write_by_another_process_reaches_the_caches_long_before_they_expire() {
    let app = TestApp::spawn_with(|s| {
        s.response_cache_ttl = Duration::from_secs(3600);
        s.trending_cache = Duration::from_secs(3600);
    })
    .await;
    assert_eq!(titles(&app.get(LATEST).await), Vec::<String>::new(), "empty");
    assert_eq!(titles(&app.get(LATEST).await), Vec::<String>::new(), "empty, now from the cache");
    let seeded = std::process::Command::new(env!("CARGO_BIN_EXE_warta"))
        .args(["seed", "--demo"])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("WARTA_DATABASE_URL", app.database_url())
        .output()
        .expect("warta seed runs");
    assert!(seeded.status.success(), "{}", String::from_utf8_lossy(&seeded.stderr));
    // The server polls four times a second; the deadline is only a backstop.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while titles(&app.get(LATEST).await).is_empty() {
        assert!(std::time::Instant::now() < deadline, "the seeded articles never reached the cached feed");
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Cached reads are answered by the edge before the rest of the middleware runs; what they carry
/// must be exactly what the whole stack gives the read that filled the cache: the same headers
/// (apart from the date and the request id) and the same body once decoded.
#[actix_web::test]
async fn a_cached_answer_carries_what_the_whole_stack_gave_the_read_that_filled_it() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    for n in 0..12 {
        desk.publish(&app, json!({"title": format!("Berita panjang {n}"), "body": "Isi berita. ".repeat(40)})).await;
    }
    // Headers as their meaning: list values as sets of lower-case tokens (`Vary` may come in two
    // headers, the exposed headers in any order); framing and per-request values left out.
    let comparable =
        |response: &TestResponse| -> std::collections::BTreeMap<String, std::collections::BTreeSet<String>> {
            let mut headers = std::collections::BTreeMap::<String, std::collections::BTreeSet<String>>::new();
            for (name, value) in response.headers.iter() {
                if matches!(name.as_str(), "date" | "x-request-id" | "content-length" | "transfer-encoding") {
                    continue;
                }
                let value = value.to_str().unwrap_or("?");
                let tokens: Vec<String> = match name.as_str() {
                    "vary" | "access-control-expose-headers" => {
                        value.split(',').map(|t| t.trim().to_ascii_lowercase()).collect()
                    }
                    _ => vec![value.to_owned()],
                };
                headers.entry(name.to_string()).or_default().extend(tokens);
            }
            headers
        };
    let cases: [(&str, &[(&str, &str)]); 6] = [
        ("the client's default encodings", &[]),
        ("no encoding", &[("Accept-Encoding", "identity")]),
        ("gzip", &[("Accept-Encoding", "gzip")]),
        ("brotli", &[("Accept-Encoding", "br, gzip")]),
        ("an encoding the cache does not keep", &[("Accept-Encoding", "deflate")]),
        ("a browser on another site", &[("Origin", "https://pembaca.example"), ("Accept-Encoding", "gzip")]),
    ];
    for (n, (why, headers)) in cases.into_iter().enumerate() {
        // A fresh page of the feed per case, so the first read of each fills the cache.
        let path = format!("{LATEST}?limit={}", n + 2);
        let filled = get_with(&app, &path, headers).await;
        filled.assert_status(200);
        for _ in 0..2 {
            let cached = get_with(&app, &path, headers).await;
            cached.assert_status(200);
            assert_eq!(comparable(&cached), comparable(&filled), "{why}: headers");
            assert_eq!(cached.json(), filled.json(), "{why}: body");
        }
    }
    // A client that names no encoding at all (as load tools and some apps do): awc always names one.
    let path = format!("{LATEST}?limit=9");
    let bare = || crate::raw_http::wire(&app, format!("GET {path} HTTP/1.1").as_bytes(), &[], b"");
    let filled = crate::raw_http::send(&app, bare()).await.expect("an answer");
    filled.assert_status(200);
    for _ in 0..2 {
        let cached = crate::raw_http::send(&app, bare()).await.expect("an answer");
        cached.assert_status(200);
        assert_eq!(comparable(&cached), comparable(&filled), "no Accept-Encoding: headers");
        assert_eq!(cached.body, filled.body, "no Accept-Encoding: body");
    }
}
