//! Black-box tests of authors (public bylines): creation, paging, changes, slugs, exact text, and
//! who may write.

use actix_web::http::Method;
use serde_json::{json, Value};

use crate::helpers::{TestApp, TestResponse};

const AUTHORS: &str = "/api/v1/authors";

fn item(key: impl std::fmt::Display) -> String {
    format!("{AUTHORS}/{key}")
}

fn id_of(author: &Value) -> i64 {
    author["id"].as_i64().expect("an author has a numeric id")
}

fn names(list: &Value) -> Vec<String> {
    list["data"]
        .as_array()
        .expect("data is an array")
        .iter()
        .map(|a| a["name"].as_str().expect("a name").to_owned())
        .collect()
}

#[track_caller]
fn assert_utc_timestamp(value: &Value) {
    let text = value.as_str().unwrap_or_else(|| panic!("not a string: {value}"));
    assert!(text.ends_with('Z'), "not UTC with a Z: {text}");
    chrono::DateTime::parse_from_rfc3339(text).unwrap_or_else(|e| panic!("not RFC 3339 ({e}): {text}"));
}

/// The target of the `Link` relation `rel`, if the header names it.
fn link(response: &TestResponse, rel: &str) -> Option<String> {
    let header = response.header("link")?;
    header.split(',').find(|part| part.contains(&format!("rel=\"{rel}\""))).map(|part| {
        let start = part.find('<').expect("a link opens with <") + 1;
        let end = part.find('>').expect("a link closes with >");
        part[start..end].to_owned()
    })
}

/// Creates five authors, in an order that is not alphabetical.
async fn five_authors(app: &TestApp, token: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for name in ["Dewi Lestari", "Budi Santoso", "Eko Prasetyo", "Agus Salim", "Citra Kirana"] {
        out.push(app.create_author(token, json!({"name": name})).await);
    }
    out
}

async fn send(app: &TestApp, token: &str, request: (Method, String, Option<&str>, &str)) -> TestResponse {
    let (method, path, content_type, body) = request;
    app.send_raw(method, &path, Some(token), content_type, body.as_bytes().to_vec()).await
}

#[actix_web::test]
async fn creating_an_author_with_every_field_answers_201_with_location() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    let request = json!({
        "name": "Reni Erina",
        "slug": "reni",
        "title": "Wartawan",
        "bio": "Meliput politik luar negeri sejak 2015.",
        "avatar_url": "https://cdn.warta.example/authors/reni.jpg",
    });

    let response = app.post(Some(&token), AUTHORS, &request).await;
    response.assert_status(201);
    let body = response.json();
    let id = id_of(&body);

    assert!(id > 0, "{body}");
    assert_eq!(body["slug"], "reni");
    assert_eq!(body["name"], "Reni Erina");
    assert_eq!(body["title"], "Wartawan");
    assert_eq!(body["bio"], "Meliput politik luar negeri sejak 2015.");
    assert_eq!(body["avatar_url"], "https://cdn.warta.example/authors/reni.jpg");
    assert_eq!(body["article_count"], 0);
    assert_utc_timestamp(&body["created_at"]);
    assert_utc_timestamp(&body["updated_at"]);
    let location = response.header("location").expect("a Location header");
    assert!(location.ends_with(&format!("/api/v1/authors/{id}")), "Location: {location}");
    let path = location.strip_prefix(&app.address).unwrap_or(&location);
    assert_eq!(app.get(path).await.assert_status(200).json(), body);
}

#[actix_web::test]
async fn an_author_needs_only_a_name() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;

    let body = app.create_author(&token, json!({"name": "Antara"})).await;

    assert_eq!(body["slug"], "antara");
    assert_eq!(body["title"], Value::Null);
    assert_eq!(body["bio"], Value::Null);
    assert_eq!(body["avatar_url"], Value::Null);
    assert_eq!(body["article_count"], 0);
}

#[actix_web::test]
async fn an_author_is_found_by_id_and_by_slug() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;
    let created = app.create_author(&token, json!({"name": "Reni Erina", "title": "Wartawan"})).await;

    let by_id = app.get(&item(id_of(&created))).await;
    by_id.assert_status(200);
    assert_eq!(by_id.json(), created);
    let by_slug = app.get(&item("reni-erina")).await;
    by_slug.assert_status(200);
    assert_eq!(by_slug.json(), created);
}

#[actix_web::test]
async fn the_list_is_paginated_with_meta_and_link_headers() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;
    five_authors(&app, &token).await;

    let first = app.get(&format!("{AUTHORS}?per_page=2")).await;
    first.assert_status(200);
    let body = first.json();
    assert_eq!(body["meta"], json!({"page": 1, "per_page": 2, "total": 5, "total_pages": 3}));
    assert_eq!(body["data"].as_array().map(Vec::len), Some(2));
    assert!(link(&first, "prev").is_none(), "page 1 has no prev: {:?}", first.header("link"));
    let next = link(&first, "next").expect("page 1 links to the next page");
    assert!(next.contains("page=2") && next.contains("per_page=2"), "next: {next}");

    let second = app.get(&next.replace(&app.address, "")).await;
    second.assert_status(200);
    assert_eq!(second.json()["meta"], json!({"page": 2, "per_page": 2, "total": 5, "total_pages": 3}));
    let prev = link(&second, "prev").expect("page 2 links to the previous page");
    assert!(prev.contains("page=1") && prev.contains("per_page=2"), "prev: {prev}");
    let next = link(&second, "next").expect("page 2 links to the next page");
    assert!(next.contains("page=3"), "next: {next}");

    let third = app.get(&next.replace(&app.address, "")).await;
    third.assert_status(200);
    assert_eq!(third.json()["data"].as_array().map(Vec::len), Some(1));
    assert!(link(&third, "next").is_none(), "the last page has no next: {:?}", third.header("link"));
    assert!(link(&third, "prev").is_some());

    let mut seen: Vec<String> = [body, second.json(), third.json()].iter().flat_map(names).collect();
    seen.sort();
    assert_eq!(
        seen,
        ["Agus Salim", "Budi Santoso", "Citra Kirana", "Dewi Lestari", "Eko Prasetyo"],
        "the pages hold every author exactly once"
    );
}

#[actix_web::test]
async fn the_list_defaults_to_20_per_page() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;
    five_authors(&app, &token).await;

    let response = app.get(AUTHORS).await;
    response.assert_status(200);
    let body = response.json();

    assert_eq!(body["meta"], json!({"page": 1, "per_page": 20, "total": 5, "total_pages": 1}));
    assert_eq!(body["data"].as_array().map(Vec::len), Some(5));
    assert!(link(&response, "next").is_none());
    assert!(link(&response, "prev").is_none());
    let first = &body["data"][0];
    for field in ["id", "slug", "name", "title", "bio", "avatar_url", "article_count", "created_at", "updated_at"] {
        assert!(first.get(field).is_some(), "list items carry {field}: {first}");
    }
}

#[actix_web::test]
async fn an_empty_list_has_zero_totals() {
    let app = TestApp::spawn().await;

    let response = app.get(AUTHORS).await;
    response.assert_status(200);

    assert_eq!(response.json(), json!({"data": [], "meta": {"page": 1, "per_page": 20, "total": 0, "total_pages": 0}}));
}

#[actix_web::test]
async fn a_page_beyond_the_end_is_empty_with_correct_meta() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;
    five_authors(&app, &token).await;

    for page in ["4", "10", "9223372036854775807"] {
        let response = app.get(&format!("{AUTHORS}?per_page=2&page={page}")).await;
        response.assert_status(200);
        let body = response.json();
        assert_eq!(body["data"], json!([]), "page {page}");
        assert_eq!(body["meta"]["total"], 5, "page {page}");
        assert_eq!(body["meta"]["total_pages"], 3, "page {page}");
        assert_eq!(body["meta"]["per_page"], 2, "page {page}");
        assert_eq!(body["meta"]["page"].to_string(), page);
        assert!(link(&response, "next").is_none(), "page {page}");
    }
}

#[actix_web::test]
async fn out_of_range_paging_parameters_are_unprocessable() {
    let app = TestApp::spawn().await;

    let cases = [
        ("per_page=0", "per_page"),
        ("per_page=101", "per_page"),
        ("per_page=1000", "per_page"),
        ("per_page=-5", "per_page"),
        ("page=0", "page"),
        ("page=-1", "page"),
    ];
    for (query, field) in cases {
        let response = app.get(&format!("{AUTHORS}?{query}")).await;
        assert_eq!(response.status, 422, "{query}: {}", response.text());
        assert_eq!(response.error_fields(), [field], "{query}");
    }
    app.get(&format!("{AUTHORS}?per_page=100")).await.assert_status(200);
    app.get(&format!("{AUTHORS}?per_page=1")).await.assert_status(200);
}

#[actix_web::test]
async fn paging_parameters_that_are_not_integers_are_bad_requests() {
    let app = TestApp::spawn().await;

    for query in
        ["per_page=abc", "page=1.5", "page=99999999999999999999", "per_page=99999999999999999999", "page=", "page=1e3"]
    {
        let response = app.get(&format!("{AUTHORS}?{query}")).await;
        assert_eq!(response.status, 400, "{query}: {}", response.text());
        response.assert_problem(400);
    }
}

#[actix_web::test]
async fn patch_with_null_clears_the_optional_fields() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;
    let created = app
        .create_author(
            &token,
            json!({"name": "Reni Erina", "title": "Wartawan", "bio": "Bio", "avatar_url": "https://a.example/r.jpg"}),
        )
        .await;

    let response =
        app.patch(Some(&token), &item(id_of(&created)), &json!({"title": null, "bio": null, "avatar_url": null})).await;
    response.assert_status(200);
    let body = response.json();

    assert_eq!(body["title"], Value::Null);
    assert_eq!(body["bio"], Value::Null);
    assert_eq!(body["avatar_url"], Value::Null);
    assert_eq!(body["name"], "Reni Erina", "absent fields stay");
    assert_eq!(app.get(&item(id_of(&created))).await.json(), body);
}

#[actix_web::test]
async fn patch_changes_only_the_fields_it_names() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;
    let created = app
        .create_author(
            &token,
            json!({"name": "Reni Erina", "title": "Wartawan", "bio": "Bio", "avatar_url": "https://a.example/r.jpg"}),
        )
        .await;

    let response = app.patch(Some(&token), &item("reni-erina"), &json!({"title": "Redaktur"})).await;
    response.assert_status(200);
    let body = response.json();

    assert_eq!(body["title"], "Redaktur");
    assert_eq!(body["bio"], "Bio");
    assert_eq!(body["avatar_url"], "https://a.example/r.jpg");
    assert_eq!(body["created_at"], created["created_at"]);
    assert_eq!(app.get(&item("reni-erina")).await.json()["title"], "Redaktur");
}

#[actix_web::test]
async fn renaming_an_author_keeps_the_slug() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;
    let created = app.create_author(&token, json!({"name": "Reni Erina"})).await;

    let response = app.patch(Some(&token), &item(id_of(&created)), &json!({"name": "Reni Erina Putri"})).await;
    response.assert_status(200);

    assert_eq!(response.json()["name"], "Reni Erina Putri");
    assert_eq!(response.json()["slug"], "reni-erina");
    assert_eq!(app.get(&item("reni-erina")).await.json()["name"], "Reni Erina Putri");
}

#[actix_web::test]
async fn an_author_slug_can_be_changed_but_not_to_a_taken_one() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;
    let reni = app.create_author(&token, json!({"name": "Reni Erina"})).await;
    app.create_author(&token, json!({"name": "Budi"})).await;

    let response = app.patch(Some(&token), &item(id_of(&reni)), &json!({"slug": "reni"})).await;
    response.assert_status(200);
    assert_eq!(response.json()["slug"], "reni");
    app.get(&item("reni")).await.assert_status(200);
    app.get(&item("reni-erina")).await.assert_problem(404);

    app.patch(Some(&token), &item(id_of(&reni)), &json!({"slug": "budi"})).await.assert_problem(409);
    assert_eq!(app.get(&item(id_of(&reni))).await.json()["slug"], "reni");
}

#[actix_web::test]
async fn an_avatar_url_must_be_absolute_http() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;
    let created = app.create_author(&token, json!({"name": "Reni", "avatar_url": "http://a.example/r.png"})).await;

    for url in [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "/relative.jpg",
        "data:image/png;base64,AAAA",
        "https://",
        "ftp://a.example/x",
    ] {
        let response = app.post(Some(&token), AUTHORS, &json!({"name": "Budi", "avatar_url": url})).await;
        assert_eq!(response.status, 422, "create, {url}: {}", response.text());
        assert_eq!(response.error_fields(), ["avatar_url"], "create, {url}");
        let response = app.patch(Some(&token), &item(id_of(&created)), &json!({"avatar_url": url})).await;
        assert_eq!(response.status, 422, "patch, {url}: {}", response.text());
        assert_eq!(response.error_fields(), ["avatar_url"], "patch, {url}");
    }
    assert_eq!(app.get(&item(id_of(&created))).await.json()["avatar_url"], "http://a.example/r.png");
    assert_eq!(app.get(AUTHORS).await.json()["meta"]["total"], 1);
}

#[actix_web::test]
async fn deleting_an_author_answers_204_and_it_is_gone() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;
    let created = app.create_author(&token, json!({"name": "Reni Erina"})).await;
    app.create_author(&token, json!({"name": "Budi"})).await;

    let response = app.delete(Some(&token), &item(id_of(&created))).await;
    response.assert_status(204);
    assert!(response.body.is_empty());

    app.get(&item(id_of(&created))).await.assert_problem(404);
    app.get(&item("reni-erina")).await.assert_problem(404);
    app.delete(Some(&token), &item(id_of(&created))).await.assert_problem(404);
    let list = app.get(AUTHORS).await.json();
    assert_eq!(names(&list), ["Budi"]);
    assert_eq!(list["meta"]["total"], 1);
    app.delete(Some(&token), &item("budi")).await.assert_status(204);
}

#[actix_web::test]
async fn unknown_authors_are_not_found() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;
    app.create_author(&token, json!({"name": "Reni"})).await;

    for key in ["999", "tidak-ada", "99999999999999999999", "0"] {
        let response = app.get(&item(key)).await;
        assert_eq!(response.status, 404, "GET {key}: {}", response.text());
        response.assert_problem(404);
        let response = app.patch(Some(&token), &item(key), &json!({"name": "X"})).await;
        assert_eq!(response.status, 404, "PATCH {key}: {}", response.text());
        let response = app.delete(Some(&token), &item(key)).await;
        assert_eq!(response.status, 404, "DELETE {key}: {}", response.text());
        response.assert_problem(404);
    }
}

#[actix_web::test]
async fn author_text_round_trips_unicode_exactly() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;
    let name = "  Ñoño “Reni” — é 🎉 [Jakarta] ";
    let title = "Wartawan ‘senior’ — 🇮🇩";
    let bio = "Meliput “Korea Utara”, Jong-un's kunjungan 30/8.\n\n\tBaris   kedua ✓ ";

    let created = app.create_author(&token, json!({"name": name, "title": title, "bio": bio})).await;
    assert_eq!(created["slug"], "nono-reni-e-jakarta");

    let fetched = app.get(&item(id_of(&created))).await.json();
    assert_eq!(fetched["name"], name);
    assert_eq!(fetched["title"], title);
    assert_eq!(fetched["bio"], bio);
    assert_eq!(app.get(AUTHORS).await.json()["data"][0]["name"], name);
}

#[actix_web::test]
async fn a_given_slug_that_is_taken_is_a_conflict() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;
    app.create_author(&token, json!({"name": "Reni Erina", "slug": "reni"})).await;

    app.post(Some(&token), AUTHORS, &json!({"name": "Reni Lain", "slug": "reni"})).await.assert_problem(409);

    assert_eq!(names(&app.get(AUTHORS).await.json()), ["Reni Erina"]);
}

#[actix_web::test]
async fn generated_author_slugs_are_unique_and_transliterated() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;

    let first = app.create_author(&token, json!({"name": "Reni Érina"})).await;
    let second = app.create_author(&token, json!({"name": "Reni Erina"})).await;
    let third = app.create_author(&token, json!({"name": "RENI ERINA"})).await;
    let wire = app.create_author(&token, json!({"name": "1945"})).await;

    assert_eq!([&first["slug"], &second["slug"], &third["slug"]], ["reni-erina", "reni-erina-2", "reni-erina-3"]);
    assert_eq!(wire["slug"], "author-1945");
}

#[actix_web::test]
async fn invalid_author_fields_are_unprocessable() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;

    let cases = [
        (json!({"name": ""}), "name", "empty name"),
        (json!({"name": "   "}), "name", "blank name"),
        (json!({"name": "Reni", "slug": "Reni"}), "slug", "uppercase slug"),
        (json!({"name": "Reni", "slug": "a--b"}), "slug", "double hyphen"),
        (json!({"name": "Reni", "slug": "2024"}), "slug", "slug without a letter"),
        (json!({"name": "Reni", "slug": "a".repeat(121)}), "slug", "slug of 121 characters"),
        (json!({"name": "Reni", "slug": "reni erina"}), "slug", "slug with a space"),
        (json!({"name": "Reni", "title": 5}), "title", "title of the wrong type"),
        (json!({"name": "Reni", "bio": ["a"]}), "bio", "bio of the wrong type"),
    ];
    for (body, field, case) in cases {
        let response = app.post(Some(&token), AUTHORS, &body).await;
        assert_eq!(response.status, 422, "{case}: {}", response.text());
        assert_eq!(response.error_fields(), [field], "{case}");
    }
    assert_eq!(app.get(AUTHORS).await.json()["meta"]["total"], 0, "nothing was created");
}

#[actix_web::test]
async fn anonymous_author_writes_are_unauthorized_with_a_bearer_challenge() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;
    let existing = app.create_author(&token, json!({"name": "Reni"})).await;
    let key = item(id_of(&existing));

    for token in [None, Some("not-a-jwt")] {
        for response in [
            app.post(token, AUTHORS, &json!({"name": "Budi"})).await,
            app.patch(token, &key, &json!({"name": "Budi"})).await,
            app.delete(token, &key).await,
            app.patch(token, &item("tidak-ada"), &json!({"name": "Budi"})).await,
            app.delete(token, &item("999")).await,
            app.send_raw(Method::POST, AUTHORS, token, Some("application/json"), b"{".to_vec()).await,
        ] {
            response.assert_problem(401);
            let challenge = response.header("www-authenticate").expect("a WWW-Authenticate header");
            assert!(challenge.starts_with("Bearer"), "{challenge}");
        }
    }
    assert_eq!(app.get(&key).await.json()["name"], "Reni");
    assert_eq!(app.get(AUTHORS).await.json()["meta"]["total"], 1);
}

#[actix_web::test]
async fn writers_may_not_manage_authors() {
    let app = TestApp::spawn().await;
    let editor = app.token_for("editor").await;
    let writer = app.token_for("writer").await;
    let existing = app.create_author(&editor, json!({"name": "Reni"})).await;
    let key = item(id_of(&existing));

    let forbidden = [
        ("POST", app.post(Some(&writer), AUTHORS, &json!({"name": "Budi"})).await),
        ("PATCH", app.patch(Some(&writer), &key, &json!({"name": "Budi"})).await),
        ("PATCH by slug", app.patch(Some(&writer), &item("reni"), &json!({"title": null})).await),
        ("DELETE", app.delete(Some(&writer), &key).await),
        ("POST invalid JSON", send(&app, &writer, (Method::POST, AUTHORS.into(), Some("application/json"), "{")).await),
        ("POST text/plain", send(&app, &writer, (Method::POST, AUTHORS.into(), Some("text/plain"), "x")).await),
        ("PATCH invalid JSON", send(&app, &writer, (Method::PATCH, key.clone(), Some("application/json"), "{")).await),
    ];
    for (case, response) in forbidden {
        assert_eq!(response.status, 403, "{case}: {}", response.text());
        response.assert_problem(403);
    }
    assert_eq!(app.get(&key).await.json(), existing, "nothing changed");
    assert_eq!(app.get(AUTHORS).await.json()["meta"]["total"], 1);

    for key in ["999", "tidak-ada"] {
        let response = app.patch(Some(&writer), &item(key), &json!({"name": "X"})).await;
        assert_eq!(response.status, 404, "writer PATCH {key}: {}", response.text());
        let response = app.delete(Some(&writer), &item(key)).await;
        assert_eq!(response.status, 404, "writer DELETE {key}: {}", response.text());
    }
}

#[actix_web::test]
async fn malformed_author_bodies_follow_the_error_precedence() {
    let app = TestApp::spawn().await;
    let editor = app.token_for("editor").await;
    let existing = app.create_author(&editor, json!({"name": "Reni"})).await;
    let key = item(id_of(&existing));
    let json_type = Some("application/json");
    let post = |content_type, body| (Method::POST, AUTHORS.to_owned(), content_type, body);
    let patch = |content_type, body| (Method::PATCH, key.clone(), content_type, body);

    send(&app, &editor, post(json_type, "{")).await.assert_problem(400);
    send(&app, &editor, post(json_type, "")).await.assert_problem(400);
    send(&app, &editor, post(Some("text/plain"), r#"{"name": "Budi"}"#)).await.assert_problem(415);
    send(&app, &editor, post(None, r#"{"name": "Budi"}"#)).await.assert_problem(415);
    send(&app, &editor, post(json_type, "[1]")).await.assert_problem(422);
    assert_eq!(send(&app, &editor, post(json_type, r#"{"name": 5}"#)).await.error_fields(), ["name"]);
    assert_eq!(send(&app, &editor, post(json_type, r#"{"title": "Wartawan"}"#)).await.error_fields(), ["name"]);
    assert_eq!(send(&app, &editor, post(json_type, "{}")).await.error_fields(), ["name"]);

    send(&app, &editor, patch(json_type, "{")).await.assert_problem(400);
    send(&app, &editor, patch(Some("text/plain"), r#"{"name": "Budi"}"#)).await.assert_problem(415);
    send(&app, &editor, patch(json_type, "[1]")).await.assert_problem(422);
    assert_eq!(send(&app, &editor, patch(json_type, r#"{"name": 5}"#)).await.error_fields(), ["name"]);
    let unknown = (Method::PATCH, item("tidak-ada"), json_type, "{");
    send(&app, &editor, unknown).await.assert_problem(404);

    assert_eq!(app.get(&key).await.json(), existing, "nothing changed");
    assert_eq!(app.get(AUTHORS).await.json()["meta"]["total"], 1, "nothing was created");
}

#[actix_web::test]
async fn generated_author_slugs_skip_slugs_that_were_given() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;
    app.create_author(&token, json!({"name": "Reni Erina", "slug": "reni"})).await;

    let generated = app.create_author(&token, json!({"name": "Reni"})).await;

    assert_eq!(generated["slug"], "reni-2");
}

#[actix_web::test]
async fn an_author_patch_that_changes_nothing_keeps_updated_at_and_writes_no_audit_entry() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;
    let fields =
        json!({"name": "Reni Erina", "title": "Wartawan", "bio": "Bio", "avatar_url": "https://a.example/r.jpg"});
    let id = id_of(&app.create_author(&token, fields.clone()).await);
    let bare = id_of(&app.create_author(&token, json!({"name": "Budi"})).await);
    app.backdate("authors", id);
    app.backdate("authors", bare);
    let before = app.get(&item(id)).await.assert_status(200).json();
    let bare_before = app.get(&item(bare)).await.assert_status(200).json();
    assert_eq!(before["updated_at"], "2020-01-01T00:00:00Z");

    let mut same = fields.clone();
    same["slug"] = json!("reni-erina");
    for body in [json!({}), json!({"name": "Reni Erina"}), json!({"title": "Wartawan", "bio": "Bio"}), same] {
        let response = app.patch(Some(&token), &item(id), &body).await;
        assert_eq!(response.assert_status(200).json(), before, "PATCH {body} changes nothing");
    }
    let response = app.patch(Some(&token), &item(bare), &json!({"title": null, "bio": null, "avatar_url": null})).await;
    assert_eq!(response.assert_status(200).json(), bare_before, "clearing what is already empty changes nothing");
    assert_eq!(app.audit_entries("author", id).await, 1, "only the creation is in the audit log");
    assert_eq!(app.audit_entries("author", bare).await, 1);

    let changed = app.patch(Some(&token), &item(id), &json!({"title": "Redaktur"})).await;
    assert_ne!(changed.assert_status(200).json()["updated_at"], before["updated_at"], "a real change");
    assert_eq!(app.audit_entries("author", id).await, 2);
}

#[actix_web::test]
async fn null_for_an_author_name_or_slug_is_422_on_that_field() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;
    let created = app.create_author(&token, json!({"name": "Reni Erina", "title": "Wartawan"})).await;
    let key = item(id_of(&created));

    for field in ["name", "slug"] {
        let response = app.patch(Some(&token), &key, &json!({ field: null })).await;
        assert_eq!(response.status, 422, "{field}: null: {}", response.text());
        assert_eq!(response.error_fields(), [field], "{field}: null");
    }
    assert_eq!(app.post(Some(&token), AUTHORS, &json!({"name": null})).await.error_fields(), ["name"]);
    assert_eq!(app.get(&key).await.json(), created, "nothing changed");
}

#[actix_web::test]
async fn every_broken_author_field_is_reported_at_once() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;
    let created = app.create_author(&token, json!({"name": "Reni Erina"})).await;
    let all = ["avatar_url", "bio", "name", "slug", "title"];

    let cases = [
        json!({"name": 5, "slug": "X Y", "title": 5, "bio": ["a"], "avatar_url": "ftp://a.example/r.jpg"}),
        json!({"name": "n".repeat(201), "slug": 1, "title": "t".repeat(201), "bio": "b".repeat(10_001),
            "avatar_url": 7}),
    ];
    for body in &cases {
        let mut fields = app.post(Some(&token), AUTHORS, body).await.error_fields();
        fields.sort();
        assert_eq!(fields, all, "create {body}");
        let mut fields = app.patch(Some(&token), &item(id_of(&created)), body).await.error_fields();
        fields.sort();
        assert_eq!(fields, all, "update {body}");
    }
    assert_eq!(app.get(AUTHORS).await.json()["data"], json!([created]), "nothing was created or changed");
}
