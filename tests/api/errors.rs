//! Every error is an RFC 9457 problem, including the framework's own: unknown routes, bodies that
//! are not JSON, the wrong content type, bodies over the limit, and query strings that do not parse.

use actix_web::http::Method;
use serde_json::json;

use crate::helpers::TestApp;

#[actix_web::test]
async fn unknown_routes_are_404_problems() {
    let app = TestApp::spawn().await;
    for path in ["/nope", "/api/v1/nope", "/api/v2/categories", "/api/v1/categories/berita/extra"] {
        let response = app.get(path).await;
        let body = response.assert_problem(404);
        assert!(!body["detail"].as_str().unwrap_or_default().contains("src/"), "{body}");
    }
}

#[actix_web::test]
async fn bodies_that_are_not_json_objects_are_refused_in_the_contracts_terms() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;
    let json_type = Some("application/json");
    let cases: [(&str, Option<&str>, Vec<u8>, u16); 9] = [
        ("truncated JSON", json_type, b"{\"name\": ".to_vec(), 400),
        ("empty body", json_type, Vec::new(), 400),
        ("invalid UTF-8", json_type, vec![b'"', 0xff, 0xfe, b'"'], 400),
        ("trailing garbage", json_type, b"{\"name\": \"a\"} x".to_vec(), 400),
        ("deeply nested", json_type, format!("{}{}", "[".repeat(10_000), "]".repeat(10_000)).into_bytes(), 400),
        ("text/plain", Some("text/plain"), b"{\"name\": \"a\"}".to_vec(), 415),
        ("no content type", None, b"{\"name\": \"a\"}".to_vec(), 415),
        ("an array", json_type, b"[1, 2]".to_vec(), 422),
        ("a string", json_type, b"\"Berita\"".to_vec(), 422),
    ];
    for (what, content_type, body, status) in cases {
        let response = app.send_raw(Method::POST, "/api/v1/categories", Some(&token), content_type, body).await;
        assert_eq!(response.status, status, "{what}: {}", response.text());
        response.assert_problem(status);
    }
    let charset = app
        .send_raw(
            Method::POST,
            "/api/v1/categories",
            Some(&token),
            Some("application/json; charset=utf-8"),
            br#"{"name": "Berita"}"#.to_vec(),
        )
        .await;
    charset.assert_status(201);
    assert_eq!(app.get("/api/v1/categories").await.json()["data"].as_array().map(Vec::len), Some(1));
}

#[actix_web::test]
async fn bodies_over_the_limit_are_413() {
    let app = TestApp::spawn_with(|s| s.max_body_bytes = 4096).await;
    let token = app.token_for("editor").await;
    let big = json!({"name": "Berita", "description": "x".repeat(5000)});
    app.post(Some(&token), "/api/v1/categories", &big).await.assert_problem(413);
    let small = json!({"name": "Berita", "description": "x".repeat(1000)});
    app.post(Some(&token), "/api/v1/categories", &small).await.assert_status(201);
}

#[actix_web::test]
async fn query_values_that_do_not_parse_are_400_and_out_of_range_ones_422() {
    let app = TestApp::spawn().await;
    for query in ["per_page=abc", "page=1.5", "page=99999999999999999999", "page=", "per_page=-"] {
        app.get(&format!("/api/v1/authors?{query}")).await.assert_problem(400);
    }
    for (query, field) in
        [("per_page=0", "per_page"), ("per_page=1000", "per_page"), ("page=0", "page"), ("page=-3", "page")]
    {
        let response = app.get(&format!("/api/v1/tags?{query}")).await;
        assert_eq!(response.error_fields(), [field], "{query}");
    }
    app.get("/api/v1/tags?page=9223372036854775807&per_page=100").await.assert_status(200);
}

#[actix_web::test]
async fn validation_problems_list_every_broken_field() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;
    let response = app
        .post(Some(&token), "/api/v1/authors", &json!({"name": "", "slug": "Not A Slug", "avatar_url": "ftp://x"}))
        .await;
    let body = response.assert_problem(422);
    assert_eq!(response.error_fields(), ["name", "slug", "avatar_url"]);
    assert!(body["errors"][0]["message"].as_str().is_some_and(|m| !m.is_empty()));
}

#[actix_web::test]
async fn errors_carry_no_internal_detail() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;
    let responses = [
        app.get("/api/v1/categories/'%20OR%201=1--").await,
        app.post(Some(&token), "/api/v1/categories", &json!({"name": "A", "parent_id": "1; DROP TABLE users"})).await,
        app.get("/api/v1/authors/..%2F..%2Fetc%2Fpasswd").await,
    ];
    for response in responses {
        assert!(response.status >= 400 && response.status < 500, "{}", response.status);
        let text = response.text().to_lowercase();
        for leak in ["sqlite", "diesel", "select ", "src/", "panicked", "/work/"] {
            assert!(!text.contains(leak), "{leak} in {text}");
        }
    }
}

#[actix_web::test]
async fn a_known_path_with_an_unknown_method_is_405_with_allow() {
    let app = TestApp::spawn().await;
    let cases = [
        (Method::PUT, "/api/v1/articles", "GET, HEAD, POST, OPTIONS"),
        (Method::POST, "/api/v1/articles/some-slug", "GET, HEAD, PATCH, DELETE, OPTIONS"),
        (Method::GET, "/api/v1/articles/some-slug/views", "POST, OPTIONS"),
        (Method::DELETE, "/api/v1/feeds/latest", "GET, HEAD, OPTIONS"),
        (Method::TRACE, "/healthz", "GET, HEAD, OPTIONS"),
    ];
    for (method, path, allow) in cases {
        let response = app.request(method.clone(), path, None, None).await;
        response.assert_problem(405);
        assert_eq!(response.header("allow").as_deref(), Some(allow), "{method} {path}");
        // OPTIONS without CORS headers lists the same methods.
        let options = app.request(Method::OPTIONS, path, None, None).await;
        options.assert_status(204);
        assert_eq!(options.header("allow").as_deref(), Some(allow), "OPTIONS {path}");
    }
    app.request(Method::PUT, "/api/v1/nope", None, None).await.assert_problem(404);
    app.get("/api/v1/articles/").await.assert_problem(404);
}

/// HEAD is answered wherever GET is, with GET's headers and no body.
#[actix_web::test]
async fn head_answers_wherever_get_does() {
    let app = TestApp::spawn().await;
    for path in ["/healthz", "/readyz", "/openapi.json", "/api/v1/feeds/latest", "/api/v1/categories", "/docs/"] {
        // Uncompressed, so that the client has no empty gzip stream to decode.
        let identity = [("accept-encoding", "identity")];
        let get = app.request_with(Method::GET, path, None, &identity, None).await;
        let head = app.request_with(Method::HEAD, path, None, &identity, None).await;
        assert_eq!(head.status, get.status, "HEAD {path}");
        assert!(head.body.is_empty(), "HEAD {path} has no body");
        assert_eq!(head.header("etag"), get.header("etag"), "HEAD {path}");
        assert_eq!(head.header("content-type"), get.header("content-type"), "HEAD {path}");
    }
    let unknown = app.request_with(Method::HEAD, "/api/v1/nope", None, &[("accept-encoding", "identity")], None).await;
    unknown.assert_status(404);
}

/// The route table the server derives its metric labels and `Allow` headers from agrees with the
/// routes it documents: every path of the OpenAPI document gets its own metric label (never
/// `unmatched`) and a 405 whose `Allow` lists exactly the document's methods, with HEAD wherever
/// GET is and OPTIONS.
#[actix_web::test]
async fn every_documented_path_has_its_own_metric_label_and_the_documented_allow() {
    let app = TestApp::spawn().await;
    let doc = app.get("/openapi.json").await.json();
    let paths = doc["paths"].as_object().expect("paths");
    assert!(paths.len() >= 20, "{}", paths.len());
    const ORDER: [&str; 7] = ["get", "head", "post", "put", "patch", "delete", "options"];
    for (pattern, operations) in paths {
        let documented: Vec<&str> = ORDER
            .iter()
            .copied()
            .filter(|m| operations.get(*m).is_some() || (*m == "head" && operations.get("get").is_some()))
            .collect();
        let allow =
            documented.iter().map(|m| m.to_uppercase()).chain(["OPTIONS".to_owned()]).collect::<Vec<_>>().join(", ");
        let path = pattern.replace("{key}", "some-key").replace("{id}", "7");
        let unlisted = ["PUT", "PATCH", "DELETE", "POST", "GET"]
            .into_iter()
            .find(|m| !documented.contains(&m.to_lowercase().as_str()))
            .expect("a method the path does not answer");
        let method = Method::from_bytes(unlisted.as_bytes()).expect("method");
        let response = app.request(method, &path, None, None).await;
        response.assert_problem(405);
        assert_eq!(response.header("allow").as_deref(), Some(allow.as_str()), "{unlisted} {path}");
        let options = app.request(Method::OPTIONS, &path, None, None).await;
        options.assert_status(204);
        assert_eq!(options.header("allow").as_deref(), Some(allow.as_str()), "OPTIONS {path}");
    }
    let metrics = app.get("/metrics").await.text();
    for pattern in paths.keys() {
        assert!(
            metrics.contains(&format!("route=\"{pattern}\",status=\"405\"")),
            "no label for {pattern} in {metrics}"
        );
    }
    assert!(!metrics.contains("route=\"unmatched\",status=\"405\""), "{metrics}");
}
