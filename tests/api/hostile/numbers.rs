//! Numbers at the edges of 32 and 64 bits in paths, queries, bodies and preconditions: never wrapped
//! around, refused in the contract's terms.

use actix_web::http::Method;
use serde_json::{json, Value};

use super::{inventory, newsroom, report, still_answering, verdict, Expect, ARTICLES};
use crate::helpers::TestApp;

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
