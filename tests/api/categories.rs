//! Black-box tests of categories: the tree (order, nesting, breadcrumbs, moves and cycles), slugs,
//! exact text, and who may write.

use actix_web::http::Method;
use serde_json::{json, Value};

use crate::helpers::{TestApp, TestResponse};

const CATEGORIES: &str = "/api/v1/categories";

fn item(key: impl std::fmt::Display) -> String {
    format!("{CATEGORIES}/{key}")
}

fn id_of(category: &Value) -> i64 {
    category["id"].as_i64().expect("a category has a numeric id")
}

/// The `field` of every item of a list body's `data`, in order.
fn column<'a>(list: &'a Value, field: &str) -> Vec<&'a str> {
    list["data"].as_array().expect("data is an array").iter().map(|c| c[field].as_str().expect("a string")).collect()
}

/// The breadcrumb of a category as the page prints it.
fn breadcrumb(category: &Value) -> String {
    category["path"]
        .as_array()
        .expect("path is an array")
        .iter()
        .map(|step| step["name"].as_str().expect("a step has a name"))
        .collect::<Vec<_>>()
        .join(" > ")
}

#[track_caller]
fn assert_utc_timestamp(value: &Value) {
    let text = value.as_str().unwrap_or_else(|| panic!("not a string: {value}"));
    assert!(text.ends_with('Z'), "not UTC with a Z: {text}");
    chrono::DateTime::parse_from_rfc3339(text).unwrap_or_else(|e| panic!("not RFC 3339 ({e}): {text}"));
}

/// Berita (1) > {Politik (0), Dunia (1) > {Asia}}, Olahraga (0), Ekonomi (1): created in an order
/// that is neither the tree order nor alphabetical.
async fn news_tree(app: &TestApp, token: &str) -> [Value; 6] {
    let ekonomi = app.create_category(token, json!({"name": "Ekonomi", "position": 1})).await;
    let berita = app.create_category(token, json!({"name": "Berita", "position": 1})).await;
    let dunia = app.create_category(token, json!({"name": "Dunia", "parent_id": berita["id"], "position": 1})).await;
    let olahraga = app.create_category(token, json!({"name": "Olahraga", "position": 0})).await;
    let politik = app.create_category(token, json!({"name": "Politik", "parent_id": berita["id"]})).await;
    let asia = app.create_category(token, json!({"name": "Asia", "parent_id": dunia["id"]})).await;
    [berita, dunia, politik, asia, olahraga, ekonomi]
}

/// Sends `(method, path, content type, body)` as the holder of `token`.
async fn raw_request(app: &TestApp, token: &str, request: (Method, String, String, Vec<u8>)) -> TestResponse {
    let (method, path, content_type, body) = request;
    app.send_raw(method, &path, Some(token), Some(&content_type), body).await
}

#[actix_web::test]
async fn creating_a_category_answers_201_with_location_and_the_full_body() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;

    let response = app
        .post(Some(&token), CATEGORIES, &json!({"name": "Berita", "description": "Kabar terkini", "position": 3}))
        .await;
    response.assert_status(201);
    let body = response.json();
    let id = id_of(&body);
    assert!(id > 0, "{body}");
    assert_eq!(body["slug"], "berita");
    assert_eq!(body["name"], "Berita");
    assert_eq!(body["description"], "Kabar terkini");
    assert_eq!(body["parent_id"], Value::Null);
    assert_eq!(body["position"], 3);
    assert_eq!(body["article_count"], 0);
    assert_eq!(body["path"], json!([{"id": id, "slug": "berita", "name": "Berita"}]));
    assert_utc_timestamp(&body["created_at"]);
    assert_utc_timestamp(&body["updated_at"]);

    let location = response.header("location").expect("a Location header");
    assert!(location.ends_with(&format!("/api/v1/categories/{id}")), "Location: {location}");
    let path = location.strip_prefix(&app.address).unwrap_or(&location);
    let fetched = app.get(path).await;
    fetched.assert_status(200);
    assert_eq!(fetched.json(), body, "GET at Location answers the created category");
}

#[actix_web::test]
async fn a_new_category_without_optional_fields_gets_the_defaults() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;

    let body = app.create_category(&token, json!({"name": "Olahraga"})).await;

    assert_eq!(body["slug"], "olahraga");
    assert_eq!(body["description"], "");
    assert_eq!(body["parent_id"], Value::Null);
    assert_eq!(body["position"], 0);
}

#[actix_web::test]
async fn a_category_is_found_by_id_and_by_slug() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    let created = app.create_category(&token, json!({"name": "Ekonomi Bisnis"})).await;

    let by_id = app.get(&item(id_of(&created))).await;
    by_id.assert_status(200);
    assert_eq!(by_id.json(), created);
    let by_slug = app.get(&item("ekonomi-bisnis")).await;
    by_slug.assert_status(200);
    assert_eq!(by_slug.json(), created);
}

#[actix_web::test]
async fn the_list_is_depth_first_by_position_then_name() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    news_tree(&app, &token).await;

    let list = app.get(CATEGORIES).await;
    list.assert_status(200);
    let body = list.json();

    assert_eq!(column(&body, "name"), ["Olahraga", "Berita", "Politik", "Dunia", "Asia", "Ekonomi"]);
    assert!(body.get("meta").is_none(), "the category list is not paginated: {body}");
    let has_children = body["data"].as_array().expect("data").iter().any(|c| c.get("children").is_some());
    assert!(!has_children, "a flat list does not nest children: {body}");
}

#[actix_web::test]
async fn tree_false_is_the_flat_list() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    news_tree(&app, &token).await;

    let flat = app.get(&format!("{CATEGORIES}?tree=false")).await;
    flat.assert_status(200);

    assert_eq!(column(&flat.json(), "name"), ["Olahraga", "Berita", "Politik", "Dunia", "Asia", "Ekonomi"]);
}

#[actix_web::test]
async fn tree_true_nests_children_in_order() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    news_tree(&app, &token).await;

    let response = app.get(&format!("{CATEGORIES}?tree=true")).await;
    response.assert_status(200);
    let body = response.json();

    assert_eq!(column(&body, "name"), ["Olahraga", "Berita", "Ekonomi"], "only roots at the top: {body}");
    let berita = &body["data"][1];
    let children: Vec<&str> =
        berita["children"].as_array().expect("children").iter().map(|c| c["name"].as_str().expect("name")).collect();
    assert_eq!(children, ["Politik", "Dunia"]);
    let dunia = &berita["children"][1];
    assert_eq!(dunia["children"][0]["name"], "Asia");
    assert_eq!(dunia["children"][0]["children"], json!([]), "a leaf has no children: {body}");
    assert_eq!(body["data"][0]["children"], json!([]), "a root leaf has no children: {body}");
    assert_eq!(dunia["children"][0]["path"].as_array().map(Vec::len), Some(3));
}

#[actix_web::test]
async fn a_tree_value_that_is_not_a_boolean_is_a_bad_request() {
    let app = TestApp::spawn().await;

    for value in ["maybe", "yes", "true%20false"] {
        let response = app.get(&format!("{CATEGORIES}?tree={value}")).await;
        assert_eq!(response.status, 400, "tree={value}: {}", response.text());
        response.assert_problem(400);
    }
}

#[actix_web::test]
async fn the_path_is_a_root_first_breadcrumb() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    let [berita, dunia, _, asia, ..] = news_tree(&app, &token).await;

    let fetched = app.get(&item("dunia")).await.json();
    assert_eq!(breadcrumb(&fetched), "Berita > Dunia");
    assert_eq!(
        fetched["path"],
        json!([
            {"id": berita["id"], "slug": "berita", "name": "Berita"},
            {"id": dunia["id"], "slug": "dunia", "name": "Dunia"},
        ])
    );
    assert_eq!(breadcrumb(&app.get(&item(id_of(&asia))).await.json()), "Berita > Dunia > Asia");
    assert_eq!(breadcrumb(&app.get(&item("berita")).await.json()), "Berita");
}

#[actix_web::test]
async fn renaming_a_category_keeps_its_slug_and_updates_breadcrumbs() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;
    let [berita, ..] = news_tree(&app, &token).await;

    let response = app.patch(Some(&token), &item(id_of(&berita)), &json!({"name": "Kabar"})).await;
    response.assert_status(200);
    let renamed = response.json();

    assert_eq!(renamed["name"], "Kabar");
    assert_eq!(renamed["slug"], "berita", "editing a name never changes the slug");
    assert_eq!(renamed["position"], 1, "absent fields stay as they are");
    assert_eq!(renamed["created_at"], berita["created_at"]);
    assert_utc_timestamp(&renamed["updated_at"]);
    assert_eq!(app.get(&item("berita")).await.json()["name"], "Kabar");
    assert_eq!(breadcrumb(&app.get(&item("dunia")).await.json()), "Kabar > Dunia");
}

#[actix_web::test]
async fn a_category_slug_can_be_changed_explicitly() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;
    let created = app.create_category(&token, json!({"name": "Internasional"})).await;

    let response = app.patch(Some(&token), &item("internasional"), &json!({"slug": "dunia"})).await;
    response.assert_status(200);

    assert_eq!(response.json()["slug"], "dunia");
    assert_eq!(response.json()["name"], "Internasional");
    assert_eq!(app.get(&item("dunia")).await.assert_status(200).json()["id"], created["id"]);
    app.get(&item("internasional")).await.assert_problem(404);
}

#[actix_web::test]
async fn changing_a_category_slug_to_a_taken_one_is_a_conflict() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;
    app.create_category(&token, json!({"name": "Berita"})).await;
    let other = app.create_category(&token, json!({"name": "Dunia"})).await;

    app.patch(Some(&token), &item(id_of(&other)), &json!({"slug": "berita"})).await.assert_problem(409);

    assert_eq!(app.get(&item(id_of(&other))).await.json()["slug"], "dunia");
}

#[actix_web::test]
async fn description_and_position_can_be_changed() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;
    let [_, _, politik, ..] = news_tree(&app, &token).await;

    let response =
        app.patch(Some(&token), &item(id_of(&politik)), &json!({"description": "Pemilu", "position": 5})).await;
    response.assert_status(200);
    assert_eq!(response.json()["description"], "Pemilu");
    assert_eq!(response.json()["position"], 5);

    let list = app.get(CATEGORIES).await.json();
    assert_eq!(column(&list, "name"), ["Olahraga", "Berita", "Dunia", "Asia", "Politik", "Ekonomi"]);
}

#[actix_web::test]
async fn parent_id_null_moves_a_category_to_the_top_level() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;
    let [_, dunia, ..] = news_tree(&app, &token).await;

    let response = app.patch(Some(&token), &item(id_of(&dunia)), &json!({"parent_id": null})).await;
    response.assert_status(200);
    let moved = response.json();

    assert_eq!(moved["parent_id"], Value::Null);
    assert_eq!(breadcrumb(&moved), "Dunia");
    assert_eq!(breadcrumb(&app.get(&item("asia")).await.json()), "Dunia > Asia");
    let list = app.get(CATEGORIES).await.json();
    assert_eq!(column(&list, "name"), ["Olahraga", "Berita", "Politik", "Dunia", "Asia", "Ekonomi"]);
    let tree = app.get(&format!("{CATEGORIES}?tree=true")).await.json();
    assert_eq!(column(&tree, "name"), ["Olahraga", "Berita", "Dunia", "Ekonomi"]);
}

#[actix_web::test]
async fn a_category_can_move_under_another_parent() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;
    let [_, dunia, _, _, olahraga, _] = news_tree(&app, &token).await;

    let response = app.patch(Some(&token), &item(id_of(&dunia)), &json!({"parent_id": olahraga["id"]})).await;
    response.assert_status(200);

    assert_eq!(response.json()["parent_id"], olahraga["id"]);
    assert_eq!(breadcrumb(&app.get(&item("asia")).await.json()), "Olahraga > Dunia > Asia");
}

#[actix_web::test]
async fn a_move_that_would_make_a_cycle_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;
    let [berita, dunia, _, asia, ..] = news_tree(&app, &token).await;
    let before = app.get(CATEGORIES).await.json();

    let cases = [
        (&berita, &dunia, "under its own child"),
        (&berita, &asia, "under its own grandchild"),
        (&dunia, &dunia, "under itself"),
        (&asia, &asia, "a leaf under itself"),
    ];
    for (moved, new_parent, case) in cases {
        let response = app
            .patch(Some(&token), &item(id_of(moved)), &json!({"parent_id": new_parent["id"], "name": "Berubah"}))
            .await;
        assert_eq!(response.status, 422, "{case}: {}", response.text());
        assert_eq!(response.error_fields(), ["parent_id"], "{case}");
    }

    assert_eq!(app.get(CATEGORIES).await.json(), before, "a refused move changes nothing");
    assert_eq!(app.get(&item(id_of(&berita))).await.json()["parent_id"], Value::Null);
}

#[actix_web::test]
async fn a_parent_that_names_nothing_is_refused_on_create_and_patch() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;
    let created = app.create_category(&token, json!({"name": "Berita"})).await;

    let response = app.post(Some(&token), CATEGORIES, &json!({"name": "Dunia", "parent_id": 999})).await;
    assert_eq!(response.error_fields(), ["parent_id"]);
    let response = app.patch(Some(&token), &item(id_of(&created)), &json!({"parent_id": 999})).await;
    assert_eq!(response.error_fields(), ["parent_id"]);

    let list = app.get(CATEGORIES).await.json();
    assert_eq!(column(&list, "name"), ["Berita"], "nothing was created");
    assert_eq!(list["data"][0]["parent_id"], Value::Null, "nothing was moved");
}

#[actix_web::test]
async fn a_parent_id_of_the_wrong_type_is_unprocessable() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;

    for parent_id in [json!("berita"), json!(-1.5), json!({"id": 1}), json!(0)] {
        let response = app.post(Some(&token), CATEGORIES, &json!({"name": "Dunia", "parent_id": parent_id})).await;
        assert_eq!(response.status, 422, "parent_id {parent_id}: {}", response.text());
        assert_eq!(response.error_fields(), ["parent_id"], "parent_id {parent_id}");
    }
}

#[actix_web::test]
async fn deleting_a_category_with_children_is_a_conflict() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;
    let [berita, ..] = news_tree(&app, &token).await;

    app.delete(Some(&token), &item(id_of(&berita))).await.assert_problem(409);

    app.get(&item("berita")).await.assert_status(200);
    assert_eq!(app.get(CATEGORIES).await.json()["data"].as_array().map(Vec::len), Some(6));
}

#[actix_web::test]
async fn deleting_a_leaf_answers_204_and_it_is_gone() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;
    let [_, _, _, asia, ..] = news_tree(&app, &token).await;

    let response = app.delete(Some(&token), &item(id_of(&asia))).await;
    response.assert_status(204);
    assert!(response.body.is_empty(), "204 has no body");

    app.get(&item(id_of(&asia))).await.assert_problem(404);
    app.get(&item("asia")).await.assert_problem(404);
    assert!(!column(&app.get(CATEGORIES).await.json(), "slug").contains(&"asia"));
    app.delete(Some(&token), &item("dunia")).await.assert_status(204);
}

#[actix_web::test]
async fn unknown_keys_are_not_found() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;
    app.create_category(&token, json!({"name": "Berita"})).await;

    for key in ["999", "tidak-ada", "99999999999999999999", "0", "-1"] {
        let response = app.get(&item(key)).await;
        assert_eq!(response.status, 404, "GET {key}: {}", response.text());
        response.assert_problem(404);
        let response = app.patch(Some(&token), &item(key), &json!({"name": "X"})).await;
        assert_eq!(response.status, 404, "PATCH {key}: {}", response.text());
        response.assert_problem(404);
        let response = app.delete(Some(&token), &item(key)).await;
        assert_eq!(response.status, 404, "DELETE {key}: {}", response.text());
        response.assert_problem(404);
    }
}

#[actix_web::test]
async fn a_given_slug_that_is_taken_is_a_conflict() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;
    app.create_category(&token, json!({"name": "Berita", "slug": "kabar"})).await;

    let response = app.post(Some(&token), CATEGORIES, &json!({"name": "Kabar Lain", "slug": "kabar"})).await;
    response.assert_problem(409);

    assert_eq!(column(&app.get(CATEGORIES).await.json(), "name"), ["Berita"]);
}

#[actix_web::test]
async fn generated_slugs_get_numbered_suffixes_on_collision() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;

    let first = app.create_category(&token, json!({"name": "Berita"})).await;
    let second = app.create_category(&token, json!({"name": "berita"})).await;
    let third = app.create_category(&token, json!({"name": "Berita!"})).await;

    assert_eq!([&first["slug"], &second["slug"], &third["slug"]], ["berita", "berita-2", "berita-3"]);
    assert_eq!(app.get(&item("berita-3")).await.json()["id"], third["id"]);
}

#[actix_web::test]
async fn generated_slugs_are_transliterated_ascii() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;

    let cases = [
        ("Bédah Buku ‘Reset’", "bedah-buku-reset"),
        ("2024", "category-2024"),
        ("Kim Jong-un's Visit", "kim-jong-uns-visit"),
        ("Berita 🎉 Terkini!!", "berita-terkini"),
        ("  Ekonomi & Bisnis  ", "ekonomi-bisnis"),
        ("[Korea Utara]", "korea-utara"),
        ("🎉", "category"),
    ];
    for (name, expected) in cases {
        let created = app.create_category(&token, json!({"name": name})).await;
        assert_eq!(created["slug"], expected, "slug of {name:?}");
        assert_eq!(created["name"], name, "the name is kept as given");
    }
}

#[actix_web::test]
async fn long_names_give_slugs_cut_at_a_word_boundary_within_120() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;
    let name = "kabar ".repeat(30);

    let first = app.create_category(&token, json!({"name": name})).await;
    let second = app.create_category(&token, json!({"name": name})).await;

    let first = first["slug"].as_str().expect("slug");
    let second = second["slug"].as_str().expect("slug");
    assert!(first.len() <= 120 && first.len() > 100, "{first}");
    assert!(first.ends_with("-kabar"), "cut at a word boundary: {first}");
    assert!(second.len() <= 120 && second.ends_with("-kabar-2"), "the suffix fits within 120: {second}");
}

#[actix_web::test]
async fn a_given_slug_of_exactly_120_characters_is_accepted() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;
    let slug = format!("{}-2024", "a".repeat(115));

    let created = app.create_category(&token, json!({"name": "Panjang", "slug": slug})).await;

    assert_eq!(created["slug"], slug.as_str());
    app.get(&item(&slug)).await.assert_status(200);
}

#[actix_web::test]
async fn invalid_given_slugs_are_unprocessable_on_create_and_patch() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;
    let existing = app.create_category(&token, json!({"name": "Berita"})).await;

    let too_long = "a".repeat(121);
    let cases = [
        ("Berita", "uppercase"),
        ("a--b", "double hyphen"),
        ("-berita", "leading hyphen"),
        ("berita-", "trailing hyphen"),
        ("2024", "no letter"),
        (too_long.as_str(), "121 characters"),
        ("berita dunia", "a space"),
        ("bérita", "non-ASCII"),
        ("", "empty"),
        ("../etc", "path characters"),
    ];
    for (slug, case) in cases {
        let response = app.post(Some(&token), CATEGORIES, &json!({"name": "Dunia", "slug": slug})).await;
        assert_eq!(response.status, 422, "create, {case}: {}", response.text());
        assert_eq!(response.error_fields(), ["slug"], "create, {case}");
        let response = app.patch(Some(&token), &item(id_of(&existing)), &json!({"slug": slug})).await;
        assert_eq!(response.status, 422, "patch, {case}: {}", response.text());
        assert_eq!(response.error_fields(), ["slug"], "patch, {case}");
    }
    assert_eq!(column(&app.get(CATEGORIES).await.json(), "slug"), ["berita"], "nothing was created or changed");
}

#[actix_web::test]
async fn an_empty_or_blank_name_is_unprocessable() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;
    let existing = app.create_category(&token, json!({"name": "Berita"})).await;

    for name in ["", " ", "\t\n ", "\u{3000}"] {
        let response = app.post(Some(&token), CATEGORIES, &json!({"name": name})).await;
        assert_eq!(response.status, 422, "create, name {name:?}: {}", response.text());
        assert_eq!(response.error_fields(), ["name"], "create, name {name:?}");
        let response = app.patch(Some(&token), &item(id_of(&existing)), &json!({"name": name})).await;
        assert_eq!(response.status, 422, "patch, name {name:?}: {}", response.text());
        assert_eq!(response.error_fields(), ["name"], "patch, name {name:?}");
    }
    assert_eq!(column(&app.get(CATEGORIES).await.json(), "name"), ["Berita"]);
}

#[actix_web::test]
async fn every_broken_rule_is_reported_at_once() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;

    let response = app.post(Some(&token), CATEGORIES, &json!({"name": " ", "slug": "Bad Slug"})).await;

    let mut fields = response.error_fields();
    fields.sort();
    assert_eq!(fields, ["name", "slug"]);
}

#[actix_web::test]
async fn names_and_descriptions_round_trip_unicode_exactly() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;
    let name = "  “Dunia” — é 🎉 [Korea Utara] ";
    let description = "Laporan ‘khusus’ — Jong-un's “kunjungan” 30/8 ✓\n\tbaris kedua  ";

    let created = app.create_category(&token, json!({"name": name, "description": description})).await;
    assert_eq!(created["name"], name);
    assert_eq!(created["description"], description);
    assert_eq!(created["slug"], "dunia-e-korea-utara");

    let fetched = app.get(&item(id_of(&created))).await.json();
    assert_eq!(fetched["name"], name);
    assert_eq!(fetched["description"], description);
    assert_eq!(fetched["path"][0]["name"], name);
    assert_eq!(app.get(CATEGORIES).await.json()["data"][0]["name"], name);

    let renamed = "Ñoño ‘kutip’ — 🇮🇩 ";
    let patched = app.patch(Some(&token), &item(id_of(&created)), &json!({"name": renamed})).await;
    patched.assert_status(200);
    assert_eq!(app.get(&item(id_of(&created))).await.json()["name"], renamed);
}

#[actix_web::test]
async fn anonymous_writes_are_unauthorized_with_a_bearer_challenge() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;
    let existing = app.create_category(&token, json!({"name": "Berita"})).await;
    let key = item(id_of(&existing));

    for token in [None, Some("not-a-jwt"), Some("")] {
        for response in [
            app.post(token, CATEGORIES, &json!({"name": "Dunia"})).await,
            app.patch(token, &key, &json!({"name": "Dunia"})).await,
            app.delete(token, &key).await,
            app.patch(token, &item("tidak-ada"), &json!({"name": "Dunia"})).await,
            app.delete(token, &item("999")).await,
            app.send_raw(Method::POST, CATEGORIES, token, Some("application/json"), b"{".to_vec()).await,
        ] {
            response.assert_problem(401);
            let challenge = response.header("www-authenticate").expect("a WWW-Authenticate header");
            assert!(challenge.starts_with("Bearer"), "{challenge}");
        }
    }
    let list = app.get(CATEGORIES).await.json();
    assert_eq!(column(&list, "name"), ["Berita"], "nothing changed");
}

#[actix_web::test]
async fn writers_may_not_manage_categories() {
    let app = TestApp::spawn().await;
    let editor = app.token_for("editor").await;
    let writer = app.token_for("writer").await;
    let existing = app.create_category(&editor, json!({"name": "Berita"})).await;
    let key = item(id_of(&existing));

    let forbidden: [(&str, TestResponse); 7] = [
        ("POST", app.post(Some(&writer), CATEGORIES, &json!({"name": "Dunia"})).await),
        ("PATCH by id", app.patch(Some(&writer), &key, &json!({"name": "Dunia"})).await),
        ("PATCH by slug", app.patch(Some(&writer), &item("berita"), &json!({"parent_id": 999})).await),
        ("DELETE", app.delete(Some(&writer), &key).await),
        (
            "POST invalid JSON",
            app.send_raw(Method::POST, CATEGORIES, Some(&writer), Some("application/json"), b"{".to_vec()).await,
        ),
        (
            "POST text/plain",
            app.send_raw(Method::POST, CATEGORIES, Some(&writer), Some("text/plain"), b"x".to_vec()).await,
        ),
        (
            "PATCH invalid JSON",
            app.send_raw(Method::PATCH, &key, Some(&writer), Some("application/json"), b"{".to_vec()).await,
        ),
    ];
    for (case, response) in forbidden {
        assert_eq!(response.status, 403, "{case}: {}", response.text());
        response.assert_problem(403);
    }

    let fetched = app.get(&key).await.json();
    assert_eq!(fetched["name"], "Berita", "nothing changed");
    assert_eq!(column(&app.get(CATEGORIES).await.json(), "name"), ["Berita"]);
}

#[actix_web::test]
async fn a_writer_touching_an_unknown_category_gets_404_before_403() {
    let app = TestApp::spawn().await;
    let writer = app.token_for("writer").await;

    for key in ["999", "tidak-ada", "99999999999999999999"] {
        let response = app.patch(Some(&writer), &item(key), &json!({"name": "X"})).await;
        assert_eq!(response.status, 404, "PATCH {key}: {}", response.text());
        let response = app.delete(Some(&writer), &item(key)).await;
        assert_eq!(response.status, 404, "DELETE {key}: {}", response.text());
        response.assert_problem(404);
    }
}

#[actix_web::test]
async fn malformed_bodies_follow_the_error_precedence() {
    let app = TestApp::spawn().await;
    let editor = app.token_for("editor").await;
    let existing = app.create_category(&editor, json!({"name": "Berita"})).await;
    let key = item(id_of(&existing));

    let json_type = "application/json";
    let raw = |method: Method, path: &str, content_type: &str, body: &str| {
        let request = (method, path.to_owned(), content_type.to_owned(), body.as_bytes().to_vec());
        raw_request(&app, &editor, request)
    };

    raw(Method::POST, CATEGORIES, json_type, "{").await.assert_problem(400);
    raw(Method::POST, CATEGORIES, json_type, "").await.assert_problem(400);
    raw(Method::POST, CATEGORIES, json_type, r#"{"name": "a"} x"#).await.assert_problem(400);
    raw(Method::POST, CATEGORIES, "text/plain", r#"{"name": "Dunia"}"#).await.assert_problem(415);
    let no_type = app.send_raw(Method::POST, CATEGORIES, Some(&editor), None, br#"{"name": "Dunia"}"#.to_vec()).await;
    no_type.assert_problem(415);
    raw(Method::POST, CATEGORIES, json_type, "[1]").await.assert_problem(422);
    raw(Method::POST, CATEGORIES, json_type, r#""Dunia""#).await.assert_problem(422);
    assert_eq!(raw(Method::POST, CATEGORIES, json_type, r#"{"name": 5}"#).await.error_fields(), ["name"]);
    assert_eq!(raw(Method::POST, CATEGORIES, json_type, r#"{"name": null}"#).await.error_fields(), ["name"]);
    assert_eq!(raw(Method::POST, CATEGORIES, json_type, r#"{"slug": "dunia"}"#).await.error_fields(), ["name"]);
    assert_eq!(raw(Method::POST, CATEGORIES, json_type, "{}").await.error_fields(), ["name"]);
    let wrong_position = raw(Method::POST, CATEGORIES, json_type, r#"{"name": "Dunia", "position": "satu"}"#).await;
    assert_eq!(wrong_position.error_fields(), ["position"]);

    raw(Method::PATCH, &key, json_type, "{").await.assert_problem(400);
    raw(Method::PATCH, &key, "text/plain", r#"{"name": "Dunia"}"#).await.assert_problem(415);
    raw(Method::PATCH, &key, json_type, "[1]").await.assert_problem(422);
    assert_eq!(raw(Method::PATCH, &key, json_type, r#"{"name": 5}"#).await.error_fields(), ["name"]);
    raw(Method::PATCH, &item("tidak-ada"), json_type, "{").await.assert_problem(404);

    let list = app.get(CATEGORIES).await.json();
    assert_eq!(column(&list, "name"), ["Berita"], "no malformed request changed anything");
}

#[actix_web::test]
async fn a_json_content_type_with_a_charset_is_accepted() {
    let app = TestApp::spawn().await;
    let editor = app.token_for("editor").await;

    let response = app
        .send_raw(
            Method::POST,
            CATEGORIES,
            Some(&editor),
            Some("application/json; charset=utf-8"),
            r#"{"name": "Dunia"}"#.as_bytes().to_vec(),
        )
        .await;

    response.assert_status(201);
    assert_eq!(response.json()["slug"], "dunia");
}

#[actix_web::test]
async fn a_slug_that_starts_with_digits_is_still_a_slug_key() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;
    let created = app.create_category(&token, json!({"name": "Pemilu", "slug": "2024-pemilu"})).await;

    let fetched = app.get(&item("2024-pemilu")).await;

    fetched.assert_status(200);
    assert_eq!(fetched.json()["id"], created["id"]);
}

#[actix_web::test]
async fn generated_slugs_skip_slugs_that_were_given() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;
    app.create_category(&token, json!({"name": "Lain", "slug": "berita-2"})).await;

    let first = app.create_category(&token, json!({"name": "Berita"})).await;
    let second = app.create_category(&token, json!({"name": "Berita"})).await;

    assert_eq!(first["slug"], "berita");
    assert_eq!(second["slug"], "berita-3");
}

#[actix_web::test]
async fn patching_a_category_with_its_own_slug_is_not_a_conflict() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;
    let created = app.create_category(&token, json!({"name": "Berita"})).await;

    let response =
        app.patch(Some(&token), &item(id_of(&created)), &json!({"slug": "berita", "name": "Berita Utama"})).await;

    response.assert_status(200);
    assert_eq!(response.json()["slug"], "berita");
    assert_eq!(response.json()["name"], "Berita Utama");
}

#[actix_web::test]
async fn a_position_outside_the_integer_range_is_unprocessable() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;
    let created = app.create_category(&token, json!({"name": "Berita"})).await;

    for position in [json!(3_000_000_000_i64), json!(1.5), json!("1")] {
        let response = app.post(Some(&token), CATEGORIES, &json!({"name": "Dunia", "position": position})).await;
        assert_eq!(response.status, 422, "create, position {position}: {}", response.text());
        assert_eq!(response.error_fields(), ["position"], "create, position {position}");
        let response = app.patch(Some(&token), &item(id_of(&created)), &json!({"position": position})).await;
        assert_eq!(response.status, 422, "patch, position {position}: {}", response.text());
        assert_eq!(response.error_fields(), ["position"], "patch, position {position}");
    }
    assert_eq!(app.get(CATEGORIES).await.json()["data"], json!([created]));
}

/// Inserts categories straight into the database, as an older version of Warta (or an import) may
/// have left them: `parents[i]` is the index of the parent among the rows inserted before, or `None`
/// for a top-level one. Returns the ids in order.
fn insert_rows(app: &TestApp, prefix: &str, parents: &[Option<usize>]) -> Vec<i64> {
    use diesel::prelude::*;
    use warta::db::schema::categories;
    use warta::domain::ids::CategoryId;

    let db = app.db();
    let now = chrono::Utc::now().naive_utc();
    // One transaction: a thousand separately synced inserts take long enough on a busy machine
    // for the server to close the client's idle keep-alive connection.
    db.run_now(|conn| {
        warta::db::write(conn, |conn| {
            let mut ids: Vec<CategoryId> = Vec::with_capacity(parents.len());
            for (i, parent) in parents.iter().enumerate() {
                let id = diesel::insert_into(categories::table)
                    .values((
                        categories::slug.eq(format!("{prefix}-{i}")),
                        categories::name.eq(format!("{prefix} {i}")),
                        categories::description.eq(""),
                        categories::parent_id.eq(parent.map(|p| ids[p])),
                        categories::position.eq(0),
                        categories::created_at.eq(now),
                        categories::updated_at.eq(now),
                    ))
                    .returning(categories::id)
                    .get_result::<CategoryId>(conn)?;
                ids.push(id);
            }
            Ok(ids)
        })
    })
    .expect("the rows are inserted")
    .into_iter()
    .map(|id| i64::from(id.0))
    .collect()
}

/// Creates a chain of `levels` categories through the API, the top-level one first.
async fn create_chain(app: &TestApp, token: &str, prefix: &str, levels: usize) -> Vec<Value> {
    let mut chain: Vec<Value> = Vec::new();
    for level in 1..=levels {
        let parent = chain.last().map(|c| c["id"].clone()).unwrap_or(Value::Null);
        chain.push(app.create_category(token, json!({"name": format!("{prefix} {level}"), "parent_id": parent})).await);
    }
    chain
}

/// How many levels of `children` a `?tree=true` answer has.
fn nesting(roots: &Value) -> usize {
    let mut level: Vec<&Value> = roots.as_array().expect("an array").iter().collect();
    let mut depth = 0;
    while !level.is_empty() {
        depth += 1;
        level = level.iter().flat_map(|c| c["children"].as_array().into_iter().flatten()).collect();
    }
    depth
}

#[actix_web::test]
async fn categories_nest_at_most_ten_levels_deep() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;
    let chain = create_chain(&app, &token, "Tingkat", 10).await;
    assert_eq!(chain[9]["path"].as_array().map(Vec::len), Some(10), "ten levels are allowed");
    let before = app.get(CATEGORIES).await.json();

    let response = app.post(Some(&token), CATEGORIES, &json!({"name": "Sebelas", "parent_id": chain[9]["id"]})).await;
    assert_eq!(response.status, 422, "an eleventh level: {}", response.text());
    assert_eq!(response.error_fields(), ["parent_id"]);
    let leaf = app.create_category(&token, json!({"name": "Daun"})).await;
    let response = app.patch(Some(&token), &item(id_of(&leaf)), &json!({"parent_id": chain[9]["id"]})).await;
    assert_eq!(response.status, 422, "a move to the eleventh level: {}", response.text());
    assert_eq!(response.error_fields(), ["parent_id"]);

    assert_eq!(app.get(&item(id_of(&leaf))).await.json()["parent_id"], Value::Null, "the move changed nothing");
    let after = app.get(CATEGORIES).await.json();
    let unchanged: Vec<&Value> =
        after["data"].as_array().expect("data").iter().filter(|c| c["slug"] != "daun").collect();
    assert_eq!(json!(unchanged), before["data"], "the chain is as it was");
    app.patch(Some(&token), &item(id_of(&leaf)), &json!({"parent_id": chain[8]["id"]})).await.assert_status(200);
}

#[actix_web::test]
async fn a_move_counts_the_depth_of_the_deepest_descendant() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;
    let host = create_chain(&app, &token, "Induk", 8).await;
    let moved = create_chain(&app, &token, "Cabang", 3).await;

    // Under level 8, the moved category would be level 9 and its grandchild level 11.
    let response = app.patch(Some(&token), &item(id_of(&moved[0])), &json!({"parent_id": host[7]["id"]})).await;
    assert_eq!(response.status, 422, "{}", response.text());
    assert_eq!(response.error_fields(), ["parent_id"]);
    assert_eq!(app.get(&item(id_of(&moved[0]))).await.json()["parent_id"], Value::Null);

    // Under level 7 the grandchild is level 10: allowed.
    let response = app.patch(Some(&token), &item(id_of(&moved[0])), &json!({"parent_id": host[6]["id"]})).await;
    response.assert_status(200);
    let deepest = app.get(&item(id_of(&moved[2]))).await.json();
    assert_eq!(deepest["path"].as_array().map(Vec::len), Some(10));
}

#[actix_web::test]
async fn the_number_of_categories_is_bounded() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;
    insert_rows(&app, "rubrik", &[None; 999]);

    app.create_category(&token, json!({"name": "Yang Keseribu"})).await;
    let response = app.post(Some(&token), CATEGORIES, &json!({"name": "Satu Lagi"})).await;

    let problem = response.assert_problem(409);
    assert!(problem["detail"].as_str().is_some_and(|d| d.contains("1000")), "{problem}");
    assert_eq!(app.get(CATEGORIES).await.json()["data"].as_array().map(Vec::len), Some(1000));
    assert_eq!(app.get("/api/v1/categories/satu-lagi").await.status, 404, "nothing was created");
}

/// A database from before the depth limit may hold a chain thousands deep. Reading it must neither
/// overflow a stack (which aborts the whole server, again after every restart) nor produce an
/// answer quadratic in the depth (every breadcrumb is bounded).
#[actix_web::test]
async fn a_chain_deeper_than_the_limit_from_an_older_database_is_served() {
    let app = TestApp::spawn().await;
    let parents: Vec<Option<usize>> = (0..2_000_usize).map(|i| i.checked_sub(1)).collect();
    let ids = insert_rows(&app, "lama", &parents);

    let tree = app.get(&format!("{CATEGORIES}?tree=true")).await;
    tree.assert_status(200);
    assert!(tree.body.len() < 4 << 20, "the tree is {} bytes", tree.body.len());
    assert_eq!(nesting(&tree.json()["data"]), 11, "nesting stops below the tenth level");
    let mut listed = Vec::new();
    let tree = tree.json();
    let mut stack: Vec<&Value> = tree["data"].as_array().expect("data").iter().collect();
    while let Some(category) = stack.pop() {
        listed.push(category["id"].as_i64().expect("id"));
        stack.extend(category["children"].as_array().into_iter().flatten());
    }
    listed.sort();
    assert_eq!(listed, ids, "every category is listed once");

    let flat = app.get(CATEGORIES).await;
    flat.assert_status(200);
    assert!(flat.body.len() < 4 << 20, "the list is {} bytes", flat.body.len());
    let flat = flat.json();
    assert_eq!(flat["data"].as_array().map(Vec::len), Some(2_000));
    assert!(flat["data"].as_array().into_iter().flatten().all(|c| c["path"].as_array().map_or(0, Vec::len) <= 10));

    let deepest = app.get(&item(ids[1_999])).await.json();
    let path: Vec<&str> =
        deepest["path"].as_array().expect("path").iter().map(|s| s["slug"].as_str().unwrap_or("")).collect();
    assert_eq!(path.len(), 10);
    assert_eq!((path[0], path[9]), ("lama-0", "lama-1999"), "the root first, the category last");
}

#[actix_web::test]
async fn a_patch_that_changes_nothing_keeps_updated_at_and_writes_no_audit_entry() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;
    let parent = app.create_category(&token, json!({"name": "Berita"})).await;
    let created = app
        .create_category(
            &token,
            json!({"name": "Dunia", "description": "Internasional", "parent_id": parent["id"], "position": 2}),
        )
        .await;
    let id = id_of(&created);
    app.backdate("categories", id);
    let before = app.get(&item(id)).await.assert_status(200).json();
    assert_eq!(before["updated_at"], "2020-01-01T00:00:00Z");

    let same = json!({"name": "Dunia", "slug": "dunia", "description": "Internasional", "parent_id": parent["id"],
        "position": 2});
    for body in [json!({}), json!({"name": "Dunia"}), json!({"parent_id": parent["id"]}), same] {
        let response = app.patch(Some(&token), &item(id), &body).await;
        response.assert_status(200);
        assert_eq!(response.json(), before, "PATCH {body} changes nothing");
    }
    assert_eq!(app.get(&item(id)).await.json(), before);
    assert_eq!(app.audit_entries("category", id).await, 1, "only the creation is in the audit log");

    let changed = app.patch(Some(&token), &item(id), &json!({"name": "Dunia", "position": 3})).await;
    assert_ne!(changed.assert_status(200).json()["updated_at"], before["updated_at"], "a real change");
    assert_eq!(app.audit_entries("category", id).await, 2);
}

#[actix_web::test]
async fn null_for_a_field_that_cannot_be_null_is_422_on_that_field() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;
    let parent = app.create_category(&token, json!({"name": "Berita"})).await;
    let created = app
        .create_category(&token, json!({"name": "Dunia", "description": "Internasional", "parent_id": parent["id"]}))
        .await;
    let id = id_of(&created);

    for field in ["name", "slug", "position"] {
        let response = app.patch(Some(&token), &item(id), &json!({ field: null })).await;
        assert_eq!(response.status, 422, "{field}: null: {}", response.text());
        assert_eq!(response.error_fields(), [field], "{field}: null");
    }
    let response = app.patch(Some(&token), &item(id), &json!({"name": null, "slug": null, "position": null})).await;
    let mut fields = response.error_fields();
    fields.sort();
    assert_eq!(fields, ["name", "position", "slug"], "all at once");
    let response = app.post(Some(&token), CATEGORIES, &json!({"name": null})).await;
    assert_eq!(response.error_fields(), ["name"], "a new category's name cannot be null");
    assert_eq!(app.get(&item(id)).await.json(), created, "nothing changed");

    // What can be empty is emptied by null.
    let cleared = app.patch(Some(&token), &item(id), &json!({"description": null, "parent_id": null})).await;
    let cleared = cleared.assert_status(200).json();
    assert_eq!((&cleared["description"], &cleared["parent_id"]), (&json!(""), &Value::Null));
}

#[actix_web::test]
async fn every_broken_field_of_a_body_is_reported_at_once() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;
    let created = app.create_category(&token, json!({"name": "Berita"})).await;
    let long_name = "n".repeat(201);
    let long_description = "d".repeat(2_001);

    let cases = [
        json!({"name": 5, "slug": "Bad Slug", "description": 7, "parent_id": 999, "position": "x"}),
        json!({"name": long_name, "slug": 1, "description": long_description, "parent_id": "a", "position": 1.5}),
    ];
    for body in &cases {
        let mut fields = app.post(Some(&token), CATEGORIES, body).await.error_fields();
        fields.sort();
        assert_eq!(fields, ["description", "name", "parent_id", "position", "slug"], "create {body}");
        let mut fields = app.patch(Some(&token), &item(id_of(&created)), body).await.error_fields();
        fields.sort();
        assert_eq!(fields, ["description", "name", "parent_id", "position", "slug"], "update {body}");
    }
    let response = app.post(Some(&token), CATEGORIES, &json!({"slug": "tanpa-nama", "parent_id": 999})).await;
    let mut fields = response.error_fields();
    fields.sort();
    assert_eq!(fields, ["name", "parent_id"], "a missing name and a parent that names nothing");
    assert_eq!(app.get(CATEGORIES).await.json()["data"], json!([created]), "nothing was created or changed");
}
