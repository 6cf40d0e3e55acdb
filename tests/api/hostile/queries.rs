//! SQL and FTS5 syntax in searches, filters and slugs, and path traversal: never a server error, never
//! a match for what does not exist.

use serde_json::Value;

use super::{excerpt, inventory, newsroom, report, verdict, Expect, ARTICLES};
use crate::helpers::{TestApp, TestResponse};

/// The titles a list answer holds.
fn listed_titles(response: &TestResponse) -> Vec<String> {
    serde_json::from_slice::<Value>(&response.body)
        .ok()
        .and_then(|body| body["data"].as_array().cloned())
        .unwrap_or_default()
        .iter()
        .filter_map(|item| item["title"].as_str().map(str::to_owned))
        .collect()
}

#[actix_web::test]
async fn sql_and_fts5_syntax_in_queries_and_slugs_is_never_a_server_error() {
    let app = TestApp::spawn().await;
    let room = newsroom(&app).await;
    let before = inventory(&app, &room.editor).await;
    let title = "Pencurian data nasabah";
    let long_words = (0..2_000).map(|i| format!("kata{i}")).collect::<Vec<_>>().join(" ");
    let searches: Vec<(&str, String)> = vec![
        ("a classic injection", "' OR 1=1 --".into()),
        ("a statement after a quote", "data'; DROP TABLE articles; --".into()),
        ("a union", "data\" UNION SELECT password_hash FROM users --".into()),
        ("an unbalanced quote", "\"unbalanced".into()),
        ("an open NEAR", "NEAR(".into()),
        ("NEAR with a distance", "NEAR(data nasabah, -1)".into()),
        ("a star", "*".into()),
        ("a prefix star", "data*".into()),
        ("a column filter", "title:x".into()),
        ("a column list", "{title body}: data".into()),
        ("two operators", "a AND OR b".into()),
        ("a caret", "^".into()),
        ("an open bracket", "(".into()),
        ("a closing bracket", ")".into()),
        ("a lone NOT", "NOT".into()),
        ("LIKE wildcards", "%_%".into()),
        ("a backslash", "\\".into()),
        ("10,000 letters", "a".repeat(10_000)),
        ("10,000 quotes", "\"".repeat(10_000)),
        ("2,000 open NEARs", "NEAR(".repeat(2_000)),
        ("5,000 ORs", "OR ".repeat(5_000)),
        ("2,000 different words", long_words),
        ("10,000 combining marks", format!("data{}", "\u{301}".repeat(10_000))),
    ];
    let mut failures = Vec::new();
    for (what, q) in searches {
        let query = serde_urlencoded::to_string([("q", q.as_str())]).expect("encodable");
        let response = app.get(&format!("{ARTICLES}?{query}")).await;
        failures.extend(verdict(&format!("q with {what}"), &response, Expect::Success(200)));
        let found = listed_titles(&response);
        if found.iter().any(|t| t != title) {
            failures.push(format!("q with {what}: found what does not exist: {found:?}"));
        }
    }
    let repeated = "nasabah ".repeat(1_500);
    let query = serde_urlencoded::to_string([("q", repeated.as_str())]).expect("encodable");
    if listed_titles(&app.get(&format!("{ARTICLES}?{query}")).await) != [title] {
        failures.push("a 12,000-character query of one repeated word does not find the article".into());
    }
    let filters = ["category", "author", "tag", "sort", "status"];
    for value in ["' OR 1=1 --", "%", "_", "kriminal' --", "keamanan%"] {
        for filter in filters {
            let query = serde_urlencoded::to_string([(filter, value)]).expect("encodable");
            let response = app.get_as(&room.editor, &format!("{ARTICLES}?{query}")).await;
            let expected =
                if matches!(filter, "sort" | "status") { Expect::Field(filter) } else { Expect::Success(200) };
            failures.extend(verdict(&format!("{filter}={value}"), &response, expected));
            if matches!(expected, Expect::Success(_)) && !listed_titles(&response).is_empty() {
                failures.push(format!("{filter}={value} matched articles: {:?}", listed_titles(&response)));
            }
        }
    }
    let slugs = [
        "'%20OR%201=1%20--",
        "1%20OR%201=1",
        "1;DROP%20TABLE%20articles",
        "%25",
        "_",
        "pencurian-data-nasaba_",
        "pencurian%25",
    ];
    for slug in slugs {
        for resource in ["articles", "categories", "authors", "tags"] {
            let path = format!("/api/v1/{resource}/{slug}");
            failures.extend(verdict(&path, &app.get(&path).await, Expect::Problem(404)));
        }
    }
    if inventory(&app, &room.editor).await != before {
        failures.push("a search changed the data".into());
    }
    if listed_titles(&app.get(ARTICLES).await) != [title] {
        failures.push("the article is no longer listed".into());
    }
    report(&failures);
}

#[actix_web::test]
async fn path_traversal_in_slugs_is_404() {
    let app = TestApp::spawn().await;
    let room = newsroom(&app).await;
    let keys = [
        "..%2F..%2Fetc%2Fpasswd",
        "%2e%2e",
        "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "..%5C..%5Cwindows%5Cwin.ini",
        "%252e%252e%252fetc%252fpasswd",
        "....%2F%2F....%2F%2Fetc%2Fpasswd",
        "..%c0%af..%c0%afetc%c0%afpasswd",
        "..",
        ".",
        "..;",
        "%2Fetc%2Fpasswd",
        "file:%2F%2F%2Fetc%2Fpasswd",
    ];
    let mut failures = Vec::new();
    for key in keys {
        for resource in ["articles", "categories", "authors", "tags"] {
            let path = format!("/api/v1/{resource}/{key}");
            failures.extend(verdict(&path, &app.get(&path).await, Expect::Problem(404)));
        }
        for feed in ["rss.xml", "feed.json"] {
            let path = format!("/api/v1/syndication/{feed}?category={key}");
            failures.extend(verdict(&path, &app.get(&path).await, Expect::Problem(404)));
        }
        let path = format!("/api/v1/feeds/latest?category={key}");
        let latest = app.get(&path).await;
        failures.extend(verdict(&path, &latest, Expect::Success(200)));
        if !listed_titles(&latest).is_empty() {
            failures.push(format!("{path}: a category that does not exist has articles"));
        }
    }
    let literal =
        ["/api/v1/articles/../../etc/passwd", "/api/v1/../../../etc/passwd", "/api/v1/tags/../../../../etc/passwd"];
    for path in literal {
        failures.extend(verdict(path, &app.get(path).await, Expect::Problem(404)));
    }
    for path in
        ["/docs/../../../../etc/passwd", "/docs/..%2F..%2F..%2F..%2Fetc%2Fpasswd", "/docs/%2e%2e/%2e%2e/Cargo.toml"]
    {
        let response = app.get(path).await;
        let text = response.text();
        if response.status >= 500 || text.contains("root:") || text.contains("[package]") {
            failures.push(format!("{path}: {} {}", response.status, excerpt(&response)));
        }
    }
    failures.extend(verdict("the article itself", &app.get(&room.article_path()).await, Expect::Success(200)));
    report(&failures);
}
