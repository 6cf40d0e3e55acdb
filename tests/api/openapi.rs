//! The committed OpenAPI document is what the code generates and what the server serves.

use serde_json::json;

use crate::helpers::TestApp;

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
