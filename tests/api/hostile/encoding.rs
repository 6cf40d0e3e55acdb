//! Bodies that are hard to parse (JSON nested or badly encoded), NUL characters in every text field,
//! and undecodable bytes in paths and queries.

use actix_web::http::Method;
use serde_json::{json, Value};

use super::{inventory, newsroom, report, still_answering, verdict, Expect, ARTICLES};
use crate::helpers::TestApp;
use crate::raw_http::wire;

use super::judge_raw;

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
