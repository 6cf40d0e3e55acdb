//! Health, readiness, metrics, request ids, security headers and CORS.

use actix_web::http::Method;

use crate::helpers::TestApp;

#[actix_web::test]
async fn health_and_readiness_answer() {
    let app = TestApp::spawn().await;
    let health = app.get("/healthz").await;
    health.assert_status(200);
    assert_eq!(health.json()["status"], "ok");
    let ready = app.get("/readyz").await;
    ready.assert_status(200);
    assert_eq!(ready.json()["status"], "ready");
    let engine = match app.database {
        warta::config::Database::Sqlite(_) => "sqlite",
        warta::config::Database::Postgres(_) => "postgres",
    };
    assert_eq!(ready.json()["database"], engine);
}

#[actix_web::test]
async fn metrics_count_requests_by_route_pattern_and_status() {
    let app = TestApp::spawn().await;
    app.get("/api/v1/authors/someone").await.assert_status(404);
    app.get("/api/v1/authors/someone-else").await.assert_status(404);
    app.get("/api/v1/authors").await.assert_status(200);
    app.get("/no/such/route").await.assert_status(404);
    let metrics = app.get("/metrics").await;
    metrics.assert_status(200);
    assert!(metrics.header("content-type").is_some_and(|t| t.starts_with("text/plain")));
    let text = metrics.text();
    for line in [
        "warta_http_requests_total{method=\"GET\",route=\"/api/v1/authors/{key}\",status=\"404\"} 2",
        "warta_http_requests_total{method=\"GET\",route=\"/api/v1/authors\",status=\"200\"} 1",
        "warta_http_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"} 1",
        "warta_http_request_duration_seconds_count{method=\"GET\",route=\"/api/v1/authors\",status=\"200\"} 1",
        "# TYPE warta_db_pool_connections gauge",
    ] {
        assert!(text.contains(line), "missing {line} in\n{text}");
    }
    assert!(!text.contains("someone"), "raw paths must not become labels");
}

#[actix_web::test]
async fn metrics_need_the_configured_token() {
    let token = "scraper-token-0123456789";
    let app = TestApp::spawn_with(|s| s.metrics_token = Some(token.into())).await;
    app.get("/metrics").await.assert_problem(401);
    for wrong in ["Bearer scraper-token-012345678", "Bearer ", "Basic c2NyYXBlcg==", token] {
        let response = app.request_with(Method::GET, "/metrics", None, &[("Authorization", wrong)], None).await;
        response.assert_problem(401);
        assert!(!response.text().contains("warta_http_requests_total"), "{wrong}");
    }
    let bearer = format!("Bearer {token}");
    let allowed = app.request_with(Method::GET, "/metrics", None, &[("Authorization", &bearer)], None).await;
    allowed.assert_status(200);
    assert!(allowed.text().contains("warta_http_requests_total"), "{}", allowed.text());
    app.get("/healthz").await.assert_status(200);
}

#[actix_web::test]
async fn every_answer_has_a_request_id_and_security_headers() {
    let app = TestApp::spawn().await;
    let response = app.get("/readyz").await;
    assert!(response.header("x-request-id").is_some_and(|id| id.len() >= 8));
    assert_eq!(response.header("x-content-type-options").as_deref(), Some("nosniff"));
    assert!(response.header("referrer-policy").is_some());
    let given = app.client.get(app.url("/healthz")).insert_header(("X-Request-Id", "proxy-abc-123")).send().await;
    let given = given.expect("sent");
    assert_eq!(given.headers().get("x-request-id").and_then(|v| v.to_str().ok()), Some("proxy-abc-123"));
}

#[actix_web::test]
async fn cors_allows_any_origin_by_default_and_exposes_the_headers_clients_need() {
    let app = TestApp::spawn().await;
    let preflight = app
        .client
        .request(Method::OPTIONS, app.url("/api/v1/categories"))
        .insert_header(("Origin", "https://warta.example"))
        .insert_header(("Access-Control-Request-Method", "POST"))
        .insert_header(("Access-Control-Request-Headers", "authorization, content-type, if-match"))
        .send()
        .await
        .expect("sent");
    assert!(preflight.status().is_success(), "{}", preflight.status());
    assert_eq!(preflight.headers().get("access-control-allow-origin").and_then(|v| v.to_str().ok()), Some("*"));
    let simple = app
        .client
        .get(app.url("/api/v1/categories"))
        .insert_header(("Origin", "https://warta.example"))
        .send()
        .await
        .expect("sent");
    let exposed = simple
        .headers()
        .get("access-control-expose-headers")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_lowercase();
    for header in ["etag", "link", "location"] {
        assert!(exposed.contains(header), "{header} not exposed: {exposed}");
    }
}

#[actix_web::test]
async fn cors_answers_only_configured_origins() {
    let app = TestApp::spawn_with(|s| {
        s.cors_origins = warta::config::CorsOrigins::List(vec!["https://warta.example".into()]);
    })
    .await;
    let preflight = |origin: &'static str| {
        app.client
            .request(Method::OPTIONS, app.url("/api/v1/authors"))
            .insert_header(("Origin", origin))
            .insert_header(("Access-Control-Request-Method", "GET"))
            .send()
    };
    let allowed = preflight("https://warta.example").await.expect("sent");
    assert_eq!(
        allowed.headers().get("access-control-allow-origin").and_then(|v| v.to_str().ok()),
        Some("https://warta.example")
    );
    let refused = preflight("https://evil.example").await.expect("sent");
    assert!(refused.headers().get("access-control-allow-origin").is_none());
    // A refusal is an answer like any other: a problem document with the security headers.
    let mut refused = refused;
    assert_eq!(refused.headers().get("x-content-type-options").and_then(|v| v.to_str().ok()), Some("nosniff"));
    assert!(refused.headers().contains_key("content-security-policy"));
    let content_type = refused.headers().get("content-type").and_then(|v| v.to_str().ok()).map(str::to_owned);
    assert_eq!(content_type.as_deref(), Some("application/problem+json"));
    let problem: serde_json::Value = refused.json().await.expect("a problem document");
    assert_eq!(problem["status"], refused.status().as_u16());
    assert!(problem["detail"].as_str().is_some_and(|d| d.contains("Origin")), "{problem}");
}

fn vary_of(headers: &actix_web::http::header::HeaderMap) -> Vec<String> {
    headers
        .get_all("vary")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|v| v.trim().to_ascii_lowercase())
        .collect()
}

#[actix_web::test]
async fn with_any_origin_answers_do_not_vary_by_origin() {
    let app = TestApp::spawn().await;
    for origin in [Some("https://warta.example"), None] {
        let mut request = app.client.get(app.url("/api/v1/categories"));
        if let Some(origin) = origin {
            request = request.insert_header(("Origin", origin));
        }
        let response = request.send().await.expect("sent");
        let vary = vary_of(response.headers());
        assert!(!vary.contains(&"origin".to_owned()), "{origin:?}: {vary:?}");
        assert!(vary.contains(&"accept-encoding".to_owned()), "{origin:?}: {vary:?}");
        // The same answer for every caller, so a cached copy works in any browser.
        let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
        assert_eq!(header("access-control-allow-origin").as_deref(), Some("*"), "{origin:?}");
        assert!(header("access-control-expose-headers").is_some_and(|h| h.to_lowercase().contains("etag")));
    }
}

#[actix_web::test]
async fn with_a_list_of_origins_answers_vary_by_origin() {
    let app = TestApp::spawn_with(|s| {
        s.cors_origins = warta::config::CorsOrigins::List(vec!["https://warta.example".into()]);
    })
    .await;
    let response = app
        .client
        .get(app.url("/api/v1/categories"))
        .insert_header(("Origin", "https://warta.example"))
        .send()
        .await
        .expect("sent");
    assert!(vary_of(response.headers()).contains(&"origin".to_owned()), "{:?}", vary_of(response.headers()));
    let without = app.client.get(app.url("/api/v1/categories")).send().await.expect("sent");
    assert!(without.headers().get("access-control-allow-origin").is_none());
}

/// Each request that reads the database takes a connection from the pool, and `/metrics` counts
/// them and the time spent waiting for them (what an operator of several instances watches).
#[actix_web::test]
async fn metrics_count_database_connections_handed_out_and_the_wait_for_them() {
    let app = TestApp::spawn().await;
    let before = app.metric("warta_db_pool_acquired_total").await;
    let admin = app.admin_token().await;
    for _ in 0..3 {
        // Signed-in reads are never answered from the cache.
        app.get_as(&admin, "/api/v1/authors").await.assert_status(200);
    }
    let after = app.metric("warta_db_pool_acquired_total").await;
    assert!(after >= before + 4, "the login and three reads each took a connection: {before} then {after}");
    let text = app.get("/metrics").await.text();
    assert!(text.contains("# TYPE warta_db_pool_wait_microseconds_total counter"), "{text}");
    assert_eq!(app.metric("warta_db_pool_timeouts_total").await, 0);
}

/// PostgreSQL restarted or failed over under the pool: a request on a connection it closed is
/// answered 503 (come back), never 500, and the pool replaces the connection. On SQLite there is no
/// server to lose.
#[actix_web::test]
async fn connections_the_database_closed_are_answered_503_and_replaced() {
    let app = TestApp::spawn_with(|s| {
        s.db_pool_size = 3;
        s.response_cache_ttl = std::time::Duration::ZERO;
    })
    .await;
    if !app.database_url().starts_with("postgres") {
        return;
    }
    for _ in 0..3 {
        app.get("/api/v1/articles").await.assert_status(200);
    }
    app.db()
        .run_now(|conn| {
            use diesel::RunQueryDsl;
            diesel::sql_query(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                 WHERE datname = current_database() AND pid <> pg_backend_pid()",
            )
            .execute(conn)?;
            Ok(())
        })
        .expect("the other connections are closed");
    let mut statuses = Vec::new();
    for _ in 0..10 {
        let status = app.get("/api/v1/articles").await.status;
        statuses.push(status);
        if status == 200 {
            break;
        }
    }
    assert!(statuses.iter().all(|s| [200, 503].contains(s)), "{statuses:?}");
    assert_eq!(statuses.last(), Some(&200), "served again once the pool replaced them: {statuses:?}");
}
