//! The committed OpenAPI document is what the code generates and what the server serves.

use std::collections::{BTreeMap, BTreeSet};

use actix_web::http::Method;
use serde_json::{json, Value};

use crate::helpers::{TestApp, TestResponse};

const REGENERATE: &str =
    "the committed spec is stale; regenerate it with: UPDATE_OPENAPI=1 cargo test --test api openapi";

#[test]
fn committed_openapi_matches_the_code() {
    let generated = warta::openapi::document_json();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json");
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(path, &generated).expect("writing openapi/openapi.json");
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(committed == generated, "{REGENERATE}");
}

#[actix_web::test]
async fn the_server_serves_the_committed_document() {
    let app = TestApp::spawn().await;
    let response = app.get("/openapi.json").await;
    response.assert_status(200);
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json")).unwrap_or_default();
    assert!(response.text() == committed, "{REGENERATE}");
    let doc = response.json();
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    for path in ["/healthz", "/readyz", "/metrics", "/openapi.json", "/api/v1/auth/login", "/api/v1/categories/{key}"] {
        assert!(doc["paths"][path].is_object(), "{path} is not documented");
    }
}

#[actix_web::test]
async fn the_interactive_docs_are_served_from_the_binary() {
    let app = TestApp::spawn().await;
    let redirect = app.get("/docs").await;
    assert!(matches!(redirect.status, 301 | 308), "{}", redirect.status);
    let page = app.get("/docs/").await;
    page.assert_status(200);
    assert!(page.text().contains("swagger-ui"), "{}", page.text());
    // Every script and stylesheet the page loads is a relative path into the binary's own files.
    for tag in page.text().split('<').filter(|t| t.starts_with("script") || t.starts_with("link")) {
        assert!(!tag.contains("//"), "the docs page loads from another host: <{tag}");
    }
    let config = app.get("/docs/swagger-initializer.js").await;
    config.assert_status(200);
    assert!(config.text().contains("/openapi.json"), "{}", config.text());
    for asset in ["/docs/swagger-ui.css", "/docs/swagger-ui-bundle.js"] {
        let response = app.get(asset).await;
        response.assert_status(200);
        assert!(response.body.len() > 10_000, "{asset} is not the real asset");
    }
}

/// Collects every `$ref` in a document.
fn references(value: &serde_json::Value, found: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            if let Some(serde_json::Value::String(target)) = map.get("$ref") {
                found.push(target.clone());
            }
            map.values().for_each(|v| references(v, found));
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| references(v, found)),
        _ => {}
    }
}

#[test]
fn every_reference_in_the_document_resolves() {
    let doc: serde_json::Value = serde_json::from_str(&warta::openapi::document_json()).expect("the document is JSON");
    let mut found = Vec::new();
    references(&doc, &mut found);
    assert!(found.len() > 20, "expected many references, found {}", found.len());
    for target in found {
        let pointer = target.strip_prefix('#').unwrap_or(&target);
        assert!(doc.pointer(pointer).is_some(), "{target} names nothing in the document");
    }

    // Links from a created resource to what can be done with it name real operations and parameters.
    let operations: std::collections::HashMap<&str, &serde_json::Value> = doc["paths"]
        .as_object()
        .expect("paths")
        .values()
        .flat_map(|item| item.as_object().expect("path item").values())
        .filter_map(|op| Some((op["operationId"].as_str()?, op)))
        .collect();
    let mut links = 0;
    for op in operations.values() {
        for response in op["responses"].as_object().expect("responses").values() {
            for (name, link) in response["links"].as_object().into_iter().flatten() {
                links += 1;
                let target = link["operationId"].as_str().unwrap_or_default();
                let target = operations.get(target).unwrap_or_else(|| panic!("link {name} names no operation"));
                for param in link["parameters"].as_object().expect("parameters").keys() {
                    let (place, param) = param.split_once('.').unwrap_or(("path", param));
                    let declared = target["parameters"].as_array().into_iter().flatten();
                    assert!(
                        declared.clone().any(|p| p["name"] == param && p["in"] == place),
                        "link {name} passes {place} parameter {param}, which its operation does not take"
                    );
                }
            }
        }
    }
    assert!(links >= 14, "every creation links to its resource: {links} links");
}

/// A string property's `pattern`, reached through `$ref` and `oneOf` (nullable fields).
fn pattern_of(doc: &serde_json::Value, schema: &str, property: &str) -> regex::Regex {
    let mut node = &doc["components"]["schemas"][schema]["properties"][property];
    loop {
        if let Some(target) = node["$ref"].as_str() {
            node = doc.pointer(target.trim_start_matches('#')).unwrap_or(&serde_json::Value::Null);
        } else if let Some(options) = node["oneOf"].as_array() {
            node = options.iter().find(|o| o["type"] != "null").unwrap_or(&serde_json::Value::Null);
        } else {
            break;
        }
    }
    let pattern = node["pattern"].as_str().unwrap_or_else(|| panic!("{schema}.{property} declares no pattern"));
    regex::Regex::new(pattern).expect("the pattern compiles")
}

/// The patterns the document declares are the rules the server enforces: a value is accepted
/// exactly when it matches. Fuzzers generate "valid" requests from these patterns. The patterns
/// spell whitespace out as character classes instead of `\s`, whose meaning differs between
/// regex dialects, so the `regex` crate here reads them as an ECMA-262 engine does.
#[actix_web::test]
async fn declared_patterns_are_the_rules_the_server_enforces() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    let doc = app.get("/openapi.json").await.json();

    let slug = pattern_of(&doc, "CreateTagRequest", "slug");
    let long_word = "a".repeat(120);
    let too_long = format!("{}-b", "a".repeat(119));
    let slugs = [
        "korea-utara",
        "2024-pemilu",
        "pemilu-2024",
        "1-2-x",
        "x",
        long_word.as_str(),
        "123",
        "1-2",
        "",
        "-a",
        "a-",
        "a--b",
        "A",
        "ä",
        "a b",
        "a_b",
        too_long.as_str(),
    ];
    for (i, candidate) in slugs.iter().enumerate() {
        let response =
            app.post(Some(&token), "/api/v1/tags", &json!({"name": format!("Tag {i}"), "slug": candidate})).await;
        let accepted = response.status == 201;
        assert!(matches!(response.status, 201 | 422), "slug {candidate:?}: {}", response.status);
        let declared = slug.is_match(candidate) && candidate.chars().count() <= 120;
        assert_eq!(accepted, declared, "slug {candidate:?}: server accepted {accepted}, pattern says {declared}");
    }

    let name = pattern_of(&doc, "CreateTagRequest", "name");
    let names = [
        "Korea Utara",
        " x ",
        "é",
        "\u{200b}",
        "\u{feff}",
        "",
        " ",
        "\t\r\n",
        "\u{3000}",
        "\u{a0}\u{2028}",
        "\u{85}",
        "\u{b}",
    ];
    for (i, candidate) in names.iter().enumerate() {
        let slug = format!("name-check-{i}");
        let response = app.post(Some(&token), "/api/v1/tags", &json!({"name": candidate, "slug": slug})).await;
        assert!(matches!(response.status, 201 | 422), "name {candidate:?}: {}", response.status);
        let (accepted, declared) = (response.status == 201, name.is_match(candidate));
        assert_eq!(accepted, declared, "name {candidate:?}: server accepted {accepted}, pattern says {declared}");
    }

    let url = pattern_of(&doc, "CreateAuthorRequest", "avatar_url");
    let urls = [
        "https://images.warta.example/a.jpg",
        "HTTP://X",
        "http://x/é",
        "https://",
        "ftp://x",
        "javascript:alert(1)",
        "https://a b",
        "https://a\u{7f}",
        "https://a\u{85}",
        "https://a\u{feff}",
        "https://a\u{3000}",
        " https://x",
        "",
        "//x",
    ];
    for (i, candidate) in urls.iter().enumerate() {
        let body = json!({"name": format!("Avatar {i}"), "avatar_url": candidate});
        let response = app.post(Some(&token), "/api/v1/authors", &body).await;
        assert!(matches!(response.status, 201 | 422), "url {candidate:?}: {}", response.status);
        let (accepted, declared) = (response.status == 201, url.is_match(candidate));
        assert_eq!(accepted, declared, "url {candidate:?}: server accepted {accepted}, pattern says {declared}");
    }
}

/// What the answers of one object schema looked like: the keys it declares and requires, and the
/// keys each answer sent.
#[derive(Default)]
struct Seen {
    properties: BTreeSet<String>,
    required: BTreeSet<String>,
    answers: Vec<BTreeSet<String>>,
}

/// Walks real answers along the schemas the document declares for them, noting for every object
/// schema which keys were sent, and checking that a `null` is only sent where the schema allows it
/// and that a value of a closed set is one the schema lists.
struct Answers<'a> {
    doc: &'a Value,
    seen: BTreeMap<String, Seen>,
}

impl<'a> Answers<'a> {
    fn new(doc: &'a Value) -> Self {
        Answers { doc, seen: BTreeMap::new() }
    }

    fn target(&self, reference: &str) -> &'a Value {
        let doc: &'a Value = self.doc;
        doc.pointer(reference.trim_start_matches('#')).unwrap_or_else(|| panic!("{reference} names nothing"))
    }

    /// Checks one answer against the schema of its operation, status and content type.
    fn check(&mut self, method: &str, template: &str, response: &TestResponse) {
        let content_type = response.header("content-type").unwrap_or_default();
        let media = content_type.split(';').next().unwrap_or_default().trim();
        let declared = &self.doc["paths"][template][method]["responses"][response.status.to_string()];
        assert!(declared.is_object(), "{method} {template}: {} is not documented", response.status);
        let schema = &declared["content"][media]["schema"];
        assert!(schema.is_object(), "{method} {template} {}: no schema for {media}", response.status);
        self.walk(&format!("{method} {template}"), schema, &response.json());
    }

    /// The properties and required keys of an object schema, `allOf` parts merged.
    fn object(&self, schema: &Value) -> (serde_json::Map<String, Value>, BTreeSet<String>) {
        let schema = schema["$ref"].as_str().map_or(schema, |reference| self.target(reference));
        let mut properties = schema["properties"].as_object().cloned().unwrap_or_default();
        let mut required: BTreeSet<String> =
            schema["required"].as_array().into_iter().flatten().filter_map(|k| k.as_str().map(str::to_owned)).collect();
        for part in schema["allOf"].as_array().into_iter().flatten() {
            let (more, also) = self.object(part);
            properties.extend(more);
            required.extend(also);
        }
        (properties, required)
    }

    fn allows_null(&self, schema: &Value) -> bool {
        if let Some(reference) = schema["$ref"].as_str() {
            return self.allows_null(self.target(reference));
        }
        schema["type"] == "null"
            || schema["type"].as_array().is_some_and(|types| types.iter().any(|t| t == "null"))
            || ["oneOf", "anyOf"]
                .iter()
                .any(|k| schema[*k].as_array().is_some_and(|options| options.iter().any(|o| self.allows_null(o))))
    }

    fn walk(&mut self, label: &str, schema: &Value, value: &Value) {
        if let Some(reference) = schema["$ref"].as_str() {
            let name = reference.rsplit('/').next().unwrap_or(reference).to_owned();
            return self.walk(&name, self.target(reference), value);
        }
        if value.is_null() {
            assert!(self.allows_null(schema), "{label}: null sent where the schema allows none");
            return;
        }
        if let Some(values) = schema["enum"].as_array() {
            assert!(values.contains(value), "{label}: {value} is not one of the declared {values:?}");
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(options) = schema[key].as_array() {
                let non_null: Vec<&Value> = options.iter().filter(|o| o["type"] != "null").collect();
                if let [only] = non_null.as_slice() {
                    self.walk(label, only, value);
                }
                return;
            }
        }
        if let Some(items) = value.as_array() {
            for item in items {
                self.walk(&format!("{label}[]"), &schema["items"], item);
            }
            return;
        }
        let Some(fields) = value.as_object() else { return };
        let (properties, required) = self.object(schema);
        let seen = self.seen.entry(label.to_owned()).or_default();
        seen.properties = properties.keys().cloned().collect();
        seen.required = required;
        seen.answers.push(fields.keys().cloned().collect());
        for (key, field) in fields {
            if let Some(property) = properties.get(key) {
                self.walk(&format!("{label}.{key}"), property, field);
            }
        }
    }
}

/// Object schemas reachable from the responses the document declares.
fn response_schemas(doc: &Value) -> BTreeSet<String> {
    let mut found = Vec::new();
    for item in doc["paths"].as_object().expect("paths").values() {
        for op in item.as_object().expect("path item").values() {
            references(&op["responses"], &mut found);
        }
    }
    let mut names = BTreeSet::new();
    while let Some(reference) = found.pop() {
        let name = reference.rsplit('/').next().unwrap_or_default().to_owned();
        if names.insert(name) {
            references(doc.pointer(reference.trim_start_matches('#')).unwrap_or(&Value::Null), &mut found);
        }
    }
    names.retain(|name| {
        let schema = &doc["components"]["schemas"][name];
        schema["properties"].is_object() || schema["allOf"].is_array()
    });
    names
}

/// Generated clients type a property optional unless the document lists it in `required`. Real
/// answers of every response schema show which keys the server always sends: each of those is
/// required, each required key is always sent, no answer sends an undeclared key, and `null` comes
/// only where the schema allows it. Keys the server leaves out when empty (`children` outside a
/// tree, a feed item's `image`, a problem's `errors`) appear absent in some answers here.
#[actix_web::test]
async fn every_property_always_sent_is_required_and_nothing_more() {
    let app = TestApp::spawn_with(crate::feeds::fast_views).await;
    let doc = app.get("/openapi.json").await.json();
    let mut answers = Answers::new(&doc);
    let admin = app.admin_token().await;
    let token = Some(admin.as_str());

    let login = app.login(crate::helpers::ADMIN_EMAIL, crate::helpers::ADMIN_PASSWORD).await;
    answers.check("post", "/api/v1/auth/login", login.assert_status(200));
    let refresh = json!({"refresh_token": login.json()["refresh_token"]});
    let refreshed = app.post(None, "/api/v1/auth/refresh", &refresh).await;
    answers.check("post", "/api/v1/auth/refresh", refreshed.assert_status(200));
    answers.check("get", "/api/v1/auth/me", app.get_as(&admin, "/api/v1/auth/me").await.assert_status(200));

    // Categories: a root and a child; flat, as a tree, one, changed.
    let root = app.post(token, "/api/v1/categories", &json!({"name": "Berita"})).await;
    answers.check("post", "/api/v1/categories", root.assert_status(201));
    let root = root.json()["id"].clone();
    let child = json!({"name": "Dunia", "parent_id": root, "description": "Luar negeri"});
    let child = app.post(token, "/api/v1/categories", &child).await;
    answers.check("post", "/api/v1/categories", child.assert_status(201));
    for path in ["/api/v1/categories", "/api/v1/categories?tree=true"] {
        answers.check("get", "/api/v1/categories", app.get(path).await.assert_status(200));
    }
    answers.check("get", "/api/v1/categories/{key}", app.get("/api/v1/categories/dunia").await.assert_status(200));
    let moved = app.patch(token, "/api/v1/categories/dunia", &json!({"position": 3})).await;
    answers.check("patch", "/api/v1/categories/{key}", moved.assert_status(200));

    // Authors: one with every optional field, one with none.
    let full = json!({"name": "Reni Erina", "title": "Wartawan", "bio": "Politik.",
        "avatar_url": "https://cdn.warta.example/reni.jpg"});
    let reni = app.post(token, "/api/v1/authors", &full).await;
    answers.check("post", "/api/v1/authors", reni.assert_status(201));
    let bare = app.post(token, "/api/v1/authors", &json!({"name": "Budi"})).await;
    answers.check("post", "/api/v1/authors", bare.assert_status(201));
    let (reni, budi) = (reni.json()["id"].clone(), bare.json()["id"].clone());
    answers.check("get", "/api/v1/authors", app.get("/api/v1/authors").await.assert_status(200));
    answers.check("get", "/api/v1/authors/{key}", app.get("/api/v1/authors/budi").await.assert_status(200));
    let renamed = app.patch(token, "/api/v1/authors/budi", &json!({"title": "Redaktur"})).await;
    answers.check("patch", "/api/v1/authors/{key}", renamed.assert_status(200));

    // Accounts: one with a byline, one without (and never logged in).
    let writer = json!({"email": "w@warta.test", "name": "W", "role": "writer", "password": crate::helpers::PASSWORD,
        "author_id": reni});
    let writer = app.post(token, "/api/v1/users", &writer).await;
    answers.check("post", "/api/v1/users", writer.assert_status(201));
    let editor = json!({"email": "e@warta.test", "name": "E", "role": "editor", "password": crate::helpers::PASSWORD});
    let editor = app.post(token, "/api/v1/users", &editor).await;
    answers.check("post", "/api/v1/users", editor.assert_status(201));
    let editor = editor.json()["id"].clone();
    answers.check("get", "/api/v1/users", app.get_as(&admin, "/api/v1/users").await.assert_status(200));
    let one = app.get_as(&admin, &format!("/api/v1/users/{editor}")).await;
    answers.check("get", "/api/v1/users/{id}", one.assert_status(200));
    let changed = app.patch(token, &format!("/api/v1/users/{editor}"), &json!({"name": "Editor"})).await;
    answers.check("patch", "/api/v1/users/{id}", changed.assert_status(200));

    // Tags.
    let tag = app.post(token, "/api/v1/tags", &json!({"name": "Rudal"})).await;
    answers.check("post", "/api/v1/tags", tag.assert_status(201));
    answers.check("get", "/api/v1/tags", app.get_as(&admin, "/api/v1/tags").await.assert_status(200));
    answers.check("get", "/api/v1/tags/{key}", app.get_as(&admin, "/api/v1/tags/rudal").await.assert_status(200));
    let renamed = app.patch(token, "/api/v1/tags/rudal", &json!({"name": "Rudal Balistik"})).await;
    answers.check("patch", "/api/v1/tags/{key}", renamed.assert_status(200));

    // Articles: a full cover, a bare cover, none; published, and a draft.
    let covers = [
        json!({"url": "https://images.warta.example/a.jpg", "caption": "Ilustrasi", "credit": "Net", "alt": "Rudal"}),
        json!({"url": "https://images.warta.example/b.jpg"}),
        Value::Null,
    ];
    for (i, cover) in covers.into_iter().enumerate() {
        let body = json!({"title": format!("Rudal {i}"), "body": "Pyongyang **kembali**.", "category_id": child.json()["id"],
            "author_ids": [reni, budi], "tags": ["Rudal", "Korea"], "cover_image": cover, "status": "published"});
        let created = app.post(token, "/api/v1/articles", &body).await;
        answers.check("post", "/api/v1/articles", created.assert_status(201));
    }
    let draft = json!({"title": "Draf", "body": "Belum.", "category_id": root});
    let draft = app.post(token, "/api/v1/articles", &draft).await;
    answers.check("post", "/api/v1/articles", draft.assert_status(201));
    let edited = app.patch_article(&admin, "draf", 1, &json!({"excerpt": "Ringkas"})).await;
    answers.check("patch", "/api/v1/articles/{key}", edited.assert_status(200));
    for path in ["/api/v1/articles", "/api/v1/articles?status=any"] {
        answers.check("get", "/api/v1/articles", app.get_as(&admin, path).await.assert_status(200));
    }
    answers.check("get", "/api/v1/articles", app.get("/api/v1/articles?q=rudal").await.assert_status(200));
    answers.check("get", "/api/v1/articles/{key}", app.get("/api/v1/articles/rudal-0").await.assert_status(200));
    answers.check(
        "get",
        "/api/v1/articles/{key}",
        app.get_as(&admin, "/api/v1/articles/draf").await.assert_status(200),
    );
    let related = app.get("/api/v1/articles/rudal-0/related").await;
    answers.check("get", "/api/v1/articles/{key}/related", related.assert_status(200));

    // Feeds: a page with a next cursor and the last one with none; trending once a read is counted.
    let first = app.get("/api/v1/feeds/latest?limit=2").await;
    answers.check("get", "/api/v1/feeds/latest", first.assert_status(200));
    let cursor = first.json()["next_cursor"].as_str().expect("a next cursor").to_owned();
    let last = app.get(&format!("/api/v1/feeds/latest?limit=2&cursor={cursor}")).await;
    answers.check("get", "/api/v1/feeds/latest", last.assert_status(200));
    assert!(last.json()["next_cursor"].is_null(), "{}", last.text());
    crate::feeds::read_with(&app, "rudal-1", &[("User-Agent", crate::feeds::READER)]).await;
    let mut trending = app.get("/api/v1/feeds/trending").await;
    for _ in 0..200 {
        if trending.json()["data"].as_array().is_some_and(|items| !items.is_empty()) {
            break;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
        trending = app.get("/api/v1/feeds/trending").await;
    }
    assert!(!trending.json()["data"].as_array().expect("data").is_empty(), "the read was never counted");
    answers.check("get", "/api/v1/feeds/trending", trending.assert_status(200));
    let feed = app.get("/api/v1/syndication/feed.json").await;
    answers.check("get", "/api/v1/syndication/feed.json", feed.assert_status(200));

    // Media: one item with every optional field, one with none; the same bytes again; changes.
    let full = crate::media::upload_picture(
        &app,
        &admin,
        700,
        400,
        &[("alt", "Rudal"), ("caption", "Peluncuran"), ("credit", "Net")],
    )
    .await;
    answers.check("post", "/api/v1/media", full.assert_status(201));
    let bare = crate::media::upload_picture(&app, &admin, 300, 200, &[]).await;
    answers.check("post", "/api/v1/media", bare.assert_status(201));
    let again = crate::media::upload_picture(&app, &admin, 300, 200, &[]).await;
    answers.check("post", "/api/v1/media", again.assert_status(200));
    answers.check("get", "/api/v1/media", app.get_as(&admin, "/api/v1/media").await.assert_status(200));
    let item = format!("/api/v1/media/{}", full.json()["id"]);
    answers.check("get", "/api/v1/media/{id}", app.get_as(&admin, &item).await.assert_status(200));
    let focused = app.patch(token, &item, &json!({"focal_point": {"x": 0.5, "y": 0.25}})).await;
    answers.check("patch", "/api/v1/media/{id}", focused.assert_status(200));
    let cleared = app.patch(token, &item, &json!({"focal_point": null, "alt": null})).await;
    answers.check("patch", "/api/v1/media/{id}", cleared.assert_status(200));

    // A deletion, then the log, health, and problems with and without field errors.
    app.delete(token, "/api/v1/tags/korea").await.assert_status(204);
    answers.check("get", "/api/v1/audit", app.get_as(&admin, "/api/v1/audit").await.assert_status(200));
    answers.check("get", "/healthz", app.get("/healthz").await.assert_status(200));
    answers.check("get", "/readyz", app.get("/readyz").await.assert_status(200));
    answers.check("get", "/api/v1/articles/{key}", app.get("/api/v1/articles/nothing-here").await.assert_status(404));
    answers.check("post", "/api/v1/tags", app.post(token, "/api/v1/tags", &json!({})).await.assert_status(422));

    let mut wrong = Vec::new();
    for (label, seen) in &answers.seen {
        let always = seen.answers.iter().skip(1).fold(seen.answers[0].clone(), |all, keys| &all & keys);
        let sent: BTreeSet<String> = seen.answers.iter().flatten().cloned().collect();
        for key in always.difference(&seen.required) {
            wrong.push(format!("{label}.{key} is sent in every answer but not required"));
        }
        for key in seen.required.iter().filter(|key| seen.answers.iter().any(|keys| !keys.contains(*key))) {
            wrong.push(format!("{label}.{key} is required but missing from an answer"));
        }
        for key in sent.difference(&seen.properties) {
            wrong.push(format!("{label}.{key} is sent but not declared"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    let unseen: Vec<String> =
        response_schemas(&doc).into_iter().filter(|name| !answers.seen.contains_key(name)).collect();
    assert!(unseen.is_empty(), "no answer exercised these response schemas: {unseen:?}");
}

/// Every node of a document with its JSON pointer.
fn nodes<'a>(value: &'a Value, pointer: String, found: &mut Vec<(String, &'a Value)>) {
    match value {
        Value::Object(map) => {
            found.push((pointer.clone(), value));
            for (key, child) in map {
                nodes(child, format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1")), found);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                nodes(child, format!("{pointer}/{i}"), found);
            }
        }
        _ => {}
    }
}

/// A schema spelled out again where it is used (a page's items, say) becomes a second class in
/// generated clients. Every object schema is a component, used by `$ref`.
#[test]
fn no_schema_is_copied_inline() {
    let doc: Value = serde_json::from_str(&warta::openapi::document_json()).expect("the document is JSON");
    let mut found = Vec::new();
    nodes(&doc, String::new(), &mut found);
    let components = doc["components"]["schemas"].as_object().expect("schemas");
    let mut copies = Vec::new();
    // Component roots are each a class of their own (`CoverImage` and `CoverImageInput` share their
    // properties on purpose: they differ in what is required).
    let roots: BTreeSet<String> = components.keys().map(|name| format!("/components/schemas/{name}")).collect();
    for (name, schema) in components {
        let Some(properties) = schema.get("properties") else { continue };
        for (pointer, node) in &found {
            if !roots.contains(pointer) && node.get("properties") == Some(properties) {
                copies.push(format!("{pointer} copies {name}"));
            }
        }
    }
    assert!(copies.is_empty(), "{}", copies.join("\n"));
}

/// The response headers of the document's answer for this operation and status.
fn declared_headers(doc: &Value, method: &str, template: &str, status: u16) -> BTreeSet<String> {
    let response = &doc["paths"][template][method]["responses"][status.to_string()];
    response["headers"].as_object().into_iter().flatten().map(|(name, _)| name.to_ascii_lowercase()).collect()
}

/// `ETag`, `Cache-Control`, `Link` and `Location` are declared on every answer that sends them, a
/// 304 wherever a matching `If-None-Match` gets one (and only there), and each operation's
/// `security` says what the server does with a token: required (401 without), optional (read, so a
/// bad one is 401) or ignored.
#[actix_web::test]
async fn declared_headers_and_security_are_what_the_server_does() {
    let app = TestApp::spawn().await;
    let doc = app.get("/openapi.json").await.json();
    let admin = app.admin_token().await;
    let mut wrong = Vec::new();
    let mut check = |method: &str, template: &str, response: &TestResponse| {
        let declared = declared_headers(&doc, method, template, response.status);
        for name in ["etag", "cache-control", "link", "location"] {
            if response.headers.contains_key(name) && !declared.contains(name) {
                wrong.push(format!("{method} {template} {} sends {name} undeclared", response.status));
            }
        }
    };

    // Writes that create what the reads below fetch.
    let writes = [
        ("/api/v1/categories", json!({"name": "Berita"})),
        ("/api/v1/authors", json!({"name": "Reni Erina"})),
        ("/api/v1/tags", json!({"name": "Rudal"})),
        (
            "/api/v1/articles",
            json!({"title": "Rudal", "body": "Isi.", "category_id": 1, "author_ids": [1],
            "tags": ["Rudal"], "status": "published"}),
        ),
        (
            "/api/v1/users",
            json!({"email": "w@warta.test", "name": "W", "role": "writer",
            "password": crate::helpers::PASSWORD}),
        ),
    ];
    for (path, body) in &writes {
        let response = app.post(Some(&admin), path, body).await;
        response.assert_status(201);
        check("post", path, &response);
    }
    let edited = app.patch_article(&admin, "rudal", 1, &json!({"excerpt": "Ringkas"})).await;
    check("patch", "/api/v1/articles/{key}", edited.assert_status(200));
    let mut picture = None;
    for width in [300, 400] {
        let uploaded = crate::media::upload_picture(&app, &admin, width, 200, &[]).await;
        check("post", "/api/v1/media", uploaded.assert_status(201));
        picture = Some(uploaded.json());
    }
    let file = picture.expect("an item")["url"].as_str().expect("a URL").replace("http://warta.test", "");

    let concrete = |template: &str| {
        if template == "/media/{key}" {
            return file.clone();
        }
        template.replace("{id}", "2").replace(
            "{key}",
            match template.split('/').nth(3) {
                Some("categories") => "berita",
                Some("authors") => "reni-erina",
                Some("tags") => "rudal",
                _ => "rudal",
            },
        )
    };
    let mut revalidated = 0;
    for (template, item) in doc["paths"].as_object().expect("paths") {
        let Some(op) = item.get("get") else { continue };
        let path = concrete(template);
        let security: Vec<&Value> =
            op["security"].as_array().expect("every operation declares security").iter().collect();
        let public = security.iter().any(|r| r.as_object().is_some_and(|r| r.is_empty()));
        let takes_token = security.iter().any(|r| r.get("bearer").is_some());

        let anonymous = app.get(&path).await;
        if !public {
            assert_eq!(anonymous.status, 401, "GET {template} declares a token required");
            let response = app.get_as(&admin, &path).await;
            check("get", template, response.assert_status(200));
            continue;
        }
        check("get", template, anonymous.assert_status(200));
        let bad_token = app.get_as("not-a-token", &path).await;
        assert_eq!(bad_token.status == 401, takes_token, "GET {template}: a bad token answers {}", bad_token.status);
        if takes_token {
            check("get", template, app.get_as(&admin, &path).await.assert_status(200));
        }

        let declares_304 = op["responses"]["304"].is_object();
        let takes_validator = op["parameters"].as_array().into_iter().flatten().any(|p| p["name"] == "If-None-Match");
        assert_eq!(declares_304, takes_validator, "GET {template}: 304 and If-None-Match go together");
        let revalidation = match anonymous.header("etag") {
            Some(etag) => app.request_with(Method::GET, &path, None, &[("If-None-Match", &etag)], None).await.status,
            None => 200,
        };
        assert_eq!(revalidation == 304, declares_304, "GET {template}: revalidation answers {revalidation}");
        if revalidation == 304 {
            revalidated += 1;
        }
    }
    assert!(revalidated >= 12, "every anonymous content read revalidates: {revalidated}");
    let login = app
        .request_with(
            Method::POST,
            "/api/v1/auth/login",
            None,
            &[("Authorization", "Bearer not-a-token")],
            Some(&json!({"email": crate::helpers::ADMIN_EMAIL, "password": crate::helpers::ADMIN_PASSWORD})),
        )
        .await;
    check("post", "/api/v1/auth/login", login.assert_status(200));
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// A property or parameter whose values form a closed set is an enum, so that generated clients
/// type it as one.
#[test]
fn closed_sets_of_values_are_enums() {
    let doc: Value = serde_json::from_str(&warta::openapi::document_json()).expect("the document is JSON");
    let enum_of = |schema: &str, property: &str| -> Vec<String> {
        let mut node = &doc["components"]["schemas"][schema]["properties"][property];
        while let Some(target) = node["$ref"].as_str() {
            node = doc.pointer(target.trim_start_matches('#')).unwrap_or(&Value::Null);
        }
        let values = node["enum"].as_array().unwrap_or_else(|| panic!("{schema}.{property} is not an enum: {node}"));
        values.iter().map(|v| v.as_str().unwrap_or_default().to_owned()).collect()
    };
    assert_eq!(enum_of("AuditEntry", "action"), ["create", "update", "delete"]);
    assert_eq!(enum_of("AuditEntry", "resource"), ["article", "category", "author", "tag", "user", "media"]);
    assert_eq!(enum_of("TokenResponse", "token_type"), ["Bearer"]);
    assert_eq!(enum_of("Health", "status"), ["ok", "ready"]);
    assert_eq!(enum_of("UserResponse", "role"), ["writer", "editor", "admin"]);
    assert_eq!(enum_of("ArticleSummary", "status"), ["draft", "review", "scheduled", "published", "archived"]);
    assert_eq!(enum_of("ArticleSummary", "body_format"), ["markdown", "html"]);
}

/// The `status` filter is `any` or statuses joined by commas in one value. It is declared as a
/// string with that pattern rather than as an array with `explode: false`: tools (schemathesis
/// among them) send such an array as repeated parameters, which the server refuses. Every value
/// the pattern admits is accepted, and nothing else.
#[actix_web::test]
async fn the_status_filter_is_declared_as_the_server_reads_it() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let doc = app.get("/openapi.json").await.json();
    let params = doc["paths"]["/api/v1/articles"]["get"]["parameters"].as_array().expect("parameters");
    let status = params.iter().find(|p| p["name"] == "status").expect("a status parameter");
    let pattern = regex::Regex::new(status["schema"]["pattern"].as_str().expect("a pattern")).expect("it compiles");
    let statuses: Vec<String> = doc["components"]["schemas"]["ArticleStatus"]["enum"]
        .as_array()
        .expect("statuses")
        .iter()
        .map(|s| s.as_str().unwrap_or_default().to_owned())
        .collect();

    let mut values = vec!["any".to_owned(), statuses.join(","), "draft,draft".to_owned()];
    values.extend(statuses.iter().cloned());
    values.extend(["", "any,draft", "draft,", ",draft", "Draft", "live", "draft review"].map(String::from));
    for value in values {
        let query = serde_urlencoded::to_string([("status", &value)]).expect("encodable");
        let response = app.get_as(&admin, &format!("/api/v1/articles?{query}")).await;
        assert!(matches!(response.status, 200 | 422), "status={value}: {}", response.text());
        let (accepted, declared) = (response.status == 200, pattern.is_match(&value));
        assert_eq!(accepted, declared, "status={value:?}: server accepted {accepted}, pattern says {declared}");
    }
}
