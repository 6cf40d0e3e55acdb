//! The committed OpenAPI document is what the code generates and what the server serves.

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
