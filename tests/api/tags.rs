//! Black-box tests of tags: creation, case-insensitive names, paging, renames, slugs, who may write,
//! and what anonymous readers see (only tags of visible articles). Reads in the management tests are
//! signed in, since a tag no visible article names exists only for the newsroom.

use actix_web::http::Method;
use serde_json::{json, Value};

use crate::helpers::{TestApp, TestResponse};

const TAGS: &str = "/api/v1/tags";

fn item(key: impl std::fmt::Display) -> String {
    format!("{TAGS}/{key}")
}

fn id_of(tag: &Value) -> i64 {
    tag["id"].as_i64().expect("a tag has a numeric id")
}

fn names(list: &Value) -> Vec<String> {
    list["data"]
        .as_array()
        .expect("data is an array")
        .iter()
        .map(|t| t["name"].as_str().expect("a name").to_owned())
        .collect()
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

async fn send(app: &TestApp, token: &str, request: (Method, String, Option<&str>, &str)) -> TestResponse {
    let (method, path, content_type, body) = request;
    app.send_raw(method, &path, Some(token), content_type, body.as_bytes().to_vec()).await
}

#[actix_web::test]
async fn creating_a_tag_answers_201_with_its_fields() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;

    let response = app.post(Some(&token), TAGS, &json!({"name": "Korea Utara"})).await;
    response.assert_status(201);
    let body = response.json();
    let id = id_of(&body);

    assert_eq!(body, json!({"id": id, "slug": "korea-utara", "name": "Korea Utara", "article_count": 0}));
    let location = response.header("location").expect("a Location header");
    assert!(location.ends_with(&format!("/api/v1/tags/{id}")), "Location: {location}");
    let path = location.strip_prefix(&app.address).unwrap_or(&location);
    assert_eq!(app.get_as(&token, path).await.assert_status(200).json(), body);
}

#[actix_web::test]
async fn a_tag_can_be_created_with_a_given_slug() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;

    let body = app.create_tag(&token, json!({"name": "Pemilihan Umum 2024", "slug": "pemilu-2024"})).await;

    assert_eq!(body["slug"], "pemilu-2024");
    assert_eq!(body["name"], "Pemilihan Umum 2024");
    assert_eq!(app.get_as(&token, &item("pemilu-2024")).await.json(), body);
}

#[actix_web::test]
async fn tag_names_are_unique_regardless_of_case() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;
    let first = app.create_tag(&token, json!({"name": "Pemilu"})).await;

    for name in ["pemilu", "PEMILU", "Pemilu"] {
        let response = app.post(Some(&token), TAGS, &json!({"name": name, "slug": "lain"})).await;
        assert_eq!(response.status, 409, "{name}: {}", response.text());
        response.assert_problem(409);
    }

    let list = app.get_as(&token, TAGS).await.json();
    assert_eq!(names(&list), ["Pemilu"], "only the first spelling exists");
    assert_eq!(list["data"][0]["id"], first["id"]);
}

#[actix_web::test]
async fn tag_names_compare_case_insensitively_beyond_ascii() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;
    app.create_tag(&token, json!({"name": "Ékonomi Ñusantara"})).await;

    app.post(Some(&token), TAGS, &json!({"name": "ÉKONOMI ÑUSANTARA"})).await.assert_problem(409);
    app.post(Some(&token), TAGS, &json!({"name": "ékonomi ñusantara"})).await.assert_problem(409);

    assert_eq!(names(&app.get_as(&token, TAGS).await.json()), ["Ékonomi Ñusantara"]);
}

#[actix_web::test]
async fn a_given_tag_slug_that_is_taken_is_a_conflict() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;
    app.create_tag(&token, json!({"name": "Pemilu"})).await;

    app.post(Some(&token), TAGS, &json!({"name": "Pemilihan", "slug": "pemilu"})).await.assert_problem(409);

    assert_eq!(app.get_as(&token, TAGS).await.json()["meta"]["total"], 1);
}

#[actix_web::test]
async fn generated_tag_slugs_are_unique_and_transliterated() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;

    let first = app.create_tag(&token, json!({"name": "Pemilu!"})).await;
    let second = app.create_tag(&token, json!({"name": "Pemilu?"})).await;
    let accented = app.create_tag(&token, json!({"name": "Bédah Buku ‘Reset’"})).await;
    let year = app.create_tag(&token, json!({"name": "2024"})).await;

    assert_eq!(first["slug"], "pemilu");
    assert_eq!(second["slug"], "pemilu-2");
    assert_eq!(accented["slug"], "bedah-buku-reset");
    assert_eq!(year["slug"], "tag-2024");
}

#[actix_web::test]
async fn a_tag_is_found_by_id_and_by_slug() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;
    let created = app.create_tag(&token, json!({"name": "Korea Utara"})).await;

    let by_id = app.get_as(&token, &item(id_of(&created))).await;
    by_id.assert_status(200);
    assert_eq!(by_id.json(), created);
    let by_slug = app.get_as(&token, &item("korea-utara")).await;
    by_slug.assert_status(200);
    assert_eq!(by_slug.json(), created);
}

#[actix_web::test]
async fn the_tag_list_is_paginated_with_meta_and_links() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;
    for name in ["Pemilu", "Banjir", "Ekonomi", "Asia", "Dunia"] {
        app.create_tag(&token, json!({"name": name})).await;
    }

    let first = app.get_as(&token, &format!("{TAGS}?per_page=2")).await;
    first.assert_status(200);
    let body = first.json();
    assert_eq!(body["meta"], json!({"page": 1, "per_page": 2, "total": 5, "total_pages": 3}));
    assert!(link(&first, "prev").is_none());
    let next = link(&first, "next").expect("page 1 links to the next page");
    assert!(next.contains("page=2") && next.contains("per_page=2"), "next: {next}");

    let second = app.get_as(&token, &next.replace(&app.address, "")).await;
    second.assert_status(200);
    assert_eq!(second.json()["meta"]["page"], 2);
    assert!(link(&second, "prev").is_some_and(|prev| prev.contains("page=1")), "{:?}", second.header("link"));

    let third = app.get_as(&token, &format!("{TAGS}?per_page=2&page=3")).await;
    assert!(link(&third, "next").is_none());
    let mut seen: Vec<String> = [body, second.json(), third.json()].iter().flat_map(names).collect();
    seen.sort();
    assert_eq!(seen, ["Asia", "Banjir", "Dunia", "Ekonomi", "Pemilu"], "every tag exactly once");

    let beyond = app.get_as(&token, &format!("{TAGS}?per_page=2&page=9")).await.json();
    assert_eq!(beyond, json!({"data": [], "meta": {"page": 9, "per_page": 2, "total": 5, "total_pages": 3}}));
}

#[actix_web::test]
async fn bad_tag_paging_parameters_are_refused() {
    let app = TestApp::spawn().await;

    for (query, field) in [("per_page=0", "per_page"), ("per_page=101", "per_page"), ("page=0", "page")] {
        let response = app.get(&format!("{TAGS}?{query}")).await;
        assert_eq!(response.status, 422, "{query}: {}", response.text());
        assert_eq!(response.error_fields(), [field], "{query}");
    }
    for query in ["per_page=abc", "page=1.5", "page=99999999999999999999"] {
        let response = app.get(&format!("{TAGS}?{query}")).await;
        assert_eq!(response.status, 400, "{query}: {}", response.text());
        response.assert_problem(400);
    }
}

#[actix_web::test]
async fn renaming_a_tag_keeps_its_slug() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;
    let created = app.create_tag(&token, json!({"name": "Korut"})).await;

    let response = app.patch(Some(&token), &item(id_of(&created)), &json!({"name": "Korea Utara"})).await;
    response.assert_status(200);

    assert_eq!(
        response.json(),
        json!({"id": created["id"], "slug": "korut", "name": "Korea Utara", "article_count": 0})
    );
    assert_eq!(app.get_as(&token, &item("korut")).await.json()["name"], "Korea Utara");
}

#[actix_web::test]
async fn a_tag_can_be_renamed_to_a_different_case_of_its_own_name() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;
    let created = app.create_tag(&token, json!({"name": "pemilu"})).await;

    let response = app.patch(Some(&token), &item(id_of(&created)), &json!({"name": "Pemilu"})).await;
    response.assert_status(200);

    assert_eq!(response.json()["name"], "Pemilu");
}

#[actix_web::test]
async fn renaming_a_tag_to_another_tags_name_is_a_conflict() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;
    app.create_tag(&token, json!({"name": "Pemilu"})).await;
    let other = app.create_tag(&token, json!({"name": "Pilkada"})).await;

    app.patch(Some(&token), &item(id_of(&other)), &json!({"name": "PEMILU"})).await.assert_problem(409);

    assert_eq!(app.get_as(&token, &item(id_of(&other))).await.json()["name"], "Pilkada");
}

#[actix_web::test]
async fn a_tag_slug_can_be_changed_but_not_to_a_taken_one() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;
    let created = app.create_tag(&token, json!({"name": "Korea Utara"})).await;
    app.create_tag(&token, json!({"name": "Pemilu"})).await;

    let response = app.patch(Some(&token), &item("korea-utara"), &json!({"slug": "korut"})).await;
    response.assert_status(200);
    assert_eq!(response.json()["slug"], "korut");
    assert_eq!(response.json()["name"], "Korea Utara");
    assert_eq!(app.get_as(&token, &item("korut")).await.json()["id"], created["id"]);
    app.get_as(&token, &item("korea-utara")).await.assert_problem(404);

    app.patch(Some(&token), &item("korut"), &json!({"slug": "pemilu"})).await.assert_problem(409);
    assert_eq!(app.get_as(&token, &item(id_of(&created))).await.json()["slug"], "korut");
}

#[actix_web::test]
async fn invalid_tag_fields_are_unprocessable() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;
    let existing = app.create_tag(&token, json!({"name": "Pemilu"})).await;

    let too_long = "a".repeat(121);
    let cases = [
        (json!({"name": ""}), "name", "empty name"),
        (json!({"name": " \t "}), "name", "blank name"),
        (json!({"name": "Dunia", "slug": "Dunia"}), "slug", "uppercase slug"),
        (json!({"name": "Dunia", "slug": "a--b"}), "slug", "double hyphen"),
        (json!({"name": "Dunia", "slug": "2024"}), "slug", "slug without a letter"),
        (json!({"name": "Dunia", "slug": too_long}), "slug", "slug of 121 characters"),
        (json!({"name": "Dunia", "slug": "dunia baru"}), "slug", "slug with a space"),
    ];
    for (body, field, case) in cases {
        let response = app.post(Some(&token), TAGS, &body).await;
        assert_eq!(response.status, 422, "create, {case}: {}", response.text());
        assert_eq!(response.error_fields(), [field], "create, {case}");
        let mut changes = body.clone();
        if field == "slug" {
            changes.as_object_mut().expect("an object").remove("name");
        }
        let response = app.patch(Some(&token), &item(id_of(&existing)), &changes).await;
        assert_eq!(response.status, 422, "patch, {case}: {}", response.text());
        assert_eq!(response.error_fields(), [field], "patch, {case}");
    }
    assert_eq!(app.get_as(&token, TAGS).await.json()["data"], json!([existing]), "nothing was created or changed");
}

#[actix_web::test]
async fn tag_names_round_trip_unicode_exactly() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;
    let name = " “Korea Utara” — é 🎉 [Jong-un's] ";

    let created = app.create_tag(&token, json!({"name": name})).await;

    assert_eq!(created["name"], name);
    assert_eq!(created["slug"], "korea-utara-e-jong-uns");
    assert_eq!(app.get_as(&token, &item(id_of(&created))).await.json()["name"], name);
    assert_eq!(app.get_as(&token, TAGS).await.json()["data"][0]["name"], name);
}

#[actix_web::test]
async fn deleting_a_tag_answers_204_and_it_is_gone() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;
    let created = app.create_tag(&token, json!({"name": "Pemilu"})).await;
    app.create_tag(&token, json!({"name": "Banjir"})).await;

    let response = app.delete(Some(&token), &item("pemilu")).await;
    response.assert_status(204);
    assert!(response.body.is_empty());

    app.get_as(&token, &item(id_of(&created))).await.assert_problem(404);
    app.get_as(&token, &item("pemilu")).await.assert_problem(404);
    assert_eq!(names(&app.get_as(&token, TAGS).await.json()), ["Banjir"]);
    let recreated = app.create_tag(&token, json!({"name": "pemilu"})).await;
    assert_eq!(recreated["slug"], "pemilu", "the name and slug are free again");
}

#[actix_web::test]
async fn unknown_tags_are_not_found() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;
    app.create_tag(&token, json!({"name": "Pemilu"})).await;

    for key in ["999", "tidak-ada", "99999999999999999999", "0"] {
        let response = app.get_as(&token, &item(key)).await;
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
async fn anonymous_tag_writes_are_unauthorized_with_a_bearer_challenge() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;
    let existing = app.create_tag(&token, json!({"name": "Pemilu"})).await;
    let key = item(id_of(&existing));

    for token in [None, Some("not-a-jwt")] {
        for response in [
            app.post(token, TAGS, &json!({"name": "Banjir"})).await,
            app.patch(token, &key, &json!({"name": "Banjir"})).await,
            app.delete(token, &key).await,
            app.patch(token, &item("tidak-ada"), &json!({"name": "Banjir"})).await,
            app.delete(token, &item("999")).await,
            app.send_raw(Method::POST, TAGS, token, Some("application/json"), b"{".to_vec()).await,
        ] {
            response.assert_problem(401);
            let challenge = response.header("www-authenticate").expect("a WWW-Authenticate header");
            assert!(challenge.starts_with("Bearer"), "{challenge}");
        }
    }
    assert_eq!(app.get_as(&token, TAGS).await.json()["data"], json!([existing]), "nothing changed");
}

#[actix_web::test]
async fn writers_may_not_manage_tags_directly() {
    let app = TestApp::spawn().await;
    let editor = app.token_for("editor").await;
    let writer = app.token_for("writer").await;
    let existing = app.create_tag(&editor, json!({"name": "Pemilu"})).await;
    let key = item(id_of(&existing));

    let forbidden = [
        ("POST", app.post(Some(&writer), TAGS, &json!({"name": "Banjir"})).await),
        ("PATCH", app.patch(Some(&writer), &key, &json!({"name": "Banjir"})).await),
        ("PATCH by slug", app.patch(Some(&writer), &item("pemilu"), &json!({"slug": "x"})).await),
        ("DELETE", app.delete(Some(&writer), &key).await),
        ("POST invalid JSON", send(&app, &writer, (Method::POST, TAGS.into(), Some("application/json"), "{")).await),
        ("POST text/plain", send(&app, &writer, (Method::POST, TAGS.into(), Some("text/plain"), "x")).await),
        ("PATCH invalid JSON", send(&app, &writer, (Method::PATCH, key.clone(), Some("application/json"), "{")).await),
    ];
    for (case, response) in forbidden {
        assert_eq!(response.status, 403, "{case}: {}", response.text());
        response.assert_problem(403);
    }
    assert_eq!(app.get_as(&editor, TAGS).await.json()["data"], json!([existing]), "nothing changed");

    for key in ["999", "tidak-ada"] {
        let response = app.patch(Some(&writer), &item(key), &json!({"name": "X"})).await;
        assert_eq!(response.status, 404, "writer PATCH {key}: {}", response.text());
        let response = app.delete(Some(&writer), &item(key)).await;
        assert_eq!(response.status, 404, "writer DELETE {key}: {}", response.text());
    }
}

#[actix_web::test]
async fn malformed_tag_bodies_follow_the_error_precedence() {
    let app = TestApp::spawn().await;
    let editor = app.token_for("editor").await;
    let existing = app.create_tag(&editor, json!({"name": "Pemilu"})).await;
    let key = item(id_of(&existing));
    let json_type = Some("application/json");
    let post = |content_type, body| (Method::POST, TAGS.to_owned(), content_type, body);
    let patch = |content_type, body| (Method::PATCH, key.clone(), content_type, body);

    send(&app, &editor, post(json_type, "{")).await.assert_problem(400);
    send(&app, &editor, post(Some("text/plain"), r#"{"name": "Banjir"}"#)).await.assert_problem(415);
    send(&app, &editor, post(json_type, "[1]")).await.assert_problem(422);
    assert_eq!(send(&app, &editor, post(json_type, r#"{"name": 5}"#)).await.error_fields(), ["name"]);
    assert_eq!(send(&app, &editor, post(json_type, r#"{"slug": "banjir"}"#)).await.error_fields(), ["name"]);
    assert_eq!(send(&app, &editor, post(json_type, r#"{"name": "Banjir", "slug": 1}"#)).await.error_fields(), ["slug"]);

    send(&app, &editor, patch(json_type, "{")).await.assert_problem(400);
    send(&app, &editor, patch(Some("text/plain"), r#"{"name": "Banjir"}"#)).await.assert_problem(415);
    send(&app, &editor, patch(json_type, "[1]")).await.assert_problem(422);
    assert_eq!(send(&app, &editor, patch(json_type, r#"{"name": 5}"#)).await.error_fields(), ["name"]);
    send(&app, &editor, (Method::PATCH, item("tidak-ada"), json_type, "{")).await.assert_problem(404);

    assert_eq!(app.get_as(&editor, TAGS).await.json()["data"], json!([existing]), "nothing changed");
}

/// An editor's token and a category to file articles in.
async fn newsroom(app: &TestApp) -> (String, i64) {
    let editor = app.token_for("editor").await;
    let category = id_of(&app.create_category(&editor, json!({"name": "Berita"})).await);
    (editor, category)
}

/// Writes an article with `tags` as the holder of `token`, with `fields` on top.
async fn article(app: &TestApp, token: &str, category: i64, tags: &[&str], fields: Value) -> Value {
    let mut body = json!({"title": "Berita hari ini", "body": "Isi berita.", "category_id": category, "tags": tags});
    for (name, value) in fields.as_object().expect("an object") {
        body[name] = value.clone();
    }
    app.create_article(token, body).await
}

#[actix_web::test]
async fn anonymous_readers_see_only_tags_that_name_a_visible_article() {
    let app = TestApp::spawn().await;
    let (editor, category) = newsroom(&app).await;
    let writer = app.token_for("writer").await;
    let future = (chrono::Utc::now() + chrono::Duration::days(1)).format("%Y-%m-%dT%H:%M:%SZ").to_string();
    article(&app, &editor, category, &["Pemilu"], json!({"status": "published"})).await;
    article(&app, &writer, category, &["Embargo Rahasia", "Pemilu"], json!({})).await;
    article(&app, &writer, category, &["Untuk Ditinjau"], json!({"status": "review"})).await;
    article(&app, &editor, category, &["Terjadwal"], json!({"status": "published", "published_at": future})).await;
    article(&app, &editor, category, &["Arsip Lama"], json!({"status": "archived"})).await;
    let unused = app.create_tag(&editor, json!({"name": "Belum Dipakai"})).await;

    let list = app.get(TAGS).await;
    list.assert_status(200);
    let body = list.json();
    assert_eq!(names(&body), ["Pemilu"], "{body}");
    assert_eq!(body["meta"]["total"], 1, "the total counts only what readers see");
    assert_eq!(body["data"][0]["article_count"], 1, "the draft is not counted");
    let paged = app.get(&format!("{TAGS}?per_page=1&page=2")).await.json();
    assert_eq!(paged["meta"], json!({"page": 2, "per_page": 1, "total": 1, "total_pages": 1}));
    for slug in ["embargo-rahasia", "untuk-ditinjau", "terjadwal", "arsip-lama", "belum-dipakai"] {
        let hidden = app.get(&item(slug)).await;
        assert_eq!(hidden.status, 404, "{slug}: {}", hidden.text());
        hidden.assert_problem(404);
    }
    app.get(&item(id_of(&unused))).await.assert_problem(404);
    app.get(&item("pemilu")).await.assert_status(200);

    // The newsroom picks tags for drafts, so every signed-in account sees them all.
    for token in [&writer, &editor] {
        let all = app.get_as(token, TAGS).await.assert_status(200).json();
        assert_eq!(
            names(&all),
            ["Arsip Lama", "Belum Dipakai", "Embargo Rahasia", "Pemilu", "Terjadwal", "Untuk Ditinjau"]
        );
        assert_eq!(all["meta"]["total"], 6);
        let embargo = app.get_as(token, &item("embargo-rahasia")).await.assert_status(200).json();
        assert_eq!(embargo["article_count"], 0, "counts are of visible articles for everyone");
    }
}

#[actix_web::test]
async fn a_tag_shows_to_readers_when_its_article_is_published_and_leaves_when_it_is_not() {
    let app = TestApp::spawn().await;
    let (editor, category) = newsroom(&app).await;
    let writer = app.token_for("writer").await;
    let draft = article(&app, &writer, category, &["Embargo"], json!({})).await;
    let before = app.get(TAGS).await.assert_status(200).json();
    assert_eq!(names(&before), Vec::<String>::new());
    let etag = app.get(TAGS).await.header("etag").expect("an anonymous list has an ETag");

    // A signed-in read is answered apart and does not feed the anonymous cache.
    let staff = app.get_as(&editor, TAGS).await;
    assert_eq!(names(&staff.json()), ["Embargo"]);
    assert_eq!(staff.header("cache-control").as_deref(), Some("private, no-store"));
    assert_eq!(names(&app.get(TAGS).await.json()), Vec::<String>::new(), "anonymous, after a signed-in read");
    app.get(&item("embargo")).await.assert_problem(404);

    let version = draft["version"].as_i64().expect("a version");
    let key = id_of(&draft).to_string();
    let published = app.patch_article(&editor, &key, version, &json!({"status": "published"})).await;
    published.assert_status(200);
    let after = app.request_with(Method::GET, TAGS, None, &[("If-None-Match", &etag)], None).await;
    after.assert_status(200);
    assert_eq!(names(&after.json()), ["Embargo"], "the cached list followed the publication");
    assert_eq!(app.get(&item("embargo")).await.assert_status(200).json()["article_count"], 1);

    let version = published.json()["version"].as_i64().expect("a version");
    app.patch_article(&editor, &key, version, &json!({"status": "archived"})).await.assert_status(200);
    assert_eq!(names(&app.get(TAGS).await.json()), Vec::<String>::new(), "archived: hidden again");
    app.get(&item("embargo")).await.assert_problem(404);
}

#[actix_web::test]
async fn a_tag_patch_that_changes_nothing_writes_nothing() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;
    let created = app.create_tag(&token, json!({"name": "Pemilu", "slug": "pemilu-2024"})).await;
    let id = id_of(&created);
    app.backdate("tags", id);
    let stamp = app.stored_updated_at("tags", id);

    for body in [json!({}), json!({"name": "Pemilu"}), json!({"name": "Pemilu", "slug": "pemilu-2024"})] {
        let response = app.patch(Some(&token), &item(id), &body).await;
        assert_eq!(response.assert_status(200).json(), created, "PATCH {body}");
    }
    assert_eq!(app.stored_updated_at("tags", id), stamp, "updated_at is untouched");
    assert_eq!(app.audit_entries("tag", id).await, 1, "only the creation is in the audit log");

    app.patch(Some(&token), &item(id), &json!({"name": "PEMILU"})).await.assert_status(200);
    assert_ne!(app.stored_updated_at("tags", id), stamp, "a change of case is a change");
    assert_eq!(app.audit_entries("tag", id).await, 2);
}

#[actix_web::test]
async fn null_or_broken_tag_fields_are_all_reported_and_change_nothing() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;
    let created = app.create_tag(&token, json!({"name": "Pemilu"})).await;
    let key = item(id_of(&created));

    for field in ["name", "slug"] {
        let response = app.patch(Some(&token), &key, &json!({ field: null })).await;
        assert_eq!(response.status, 422, "{field}: null: {}", response.text());
        assert_eq!(response.error_fields(), [field], "{field}: null");
    }
    let long_name = "n".repeat(101);
    for body in
        [json!({"name": 5, "slug": 7}), json!({"name": null, "slug": "Bad"}), json!({"name": long_name, "slug": []})]
    {
        let mut fields = app.patch(Some(&token), &key, &body).await.error_fields();
        fields.sort();
        assert_eq!(fields, ["name", "slug"], "update {body}");
        if body["name"].is_null() {
            continue;
        }
        let mut fields = app.post(Some(&token), TAGS, &body).await.error_fields();
        fields.sort();
        assert_eq!(fields, ["name", "slug"], "create {body}");
    }
    assert_eq!(app.post(Some(&token), TAGS, &json!({"name": null})).await.error_fields(), ["name"]);
    assert_eq!(app.get_as(&token, TAGS).await.json()["data"], json!([created]), "nothing was created or changed");
}
