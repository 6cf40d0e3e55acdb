//! Hostile input: bodies and headers over every limit, JSON nested or encoded to break parsers, NUL
//! bytes, numbers at the edges of 32 and 64 bits, SQL and FTS5 syntax, path traversal, Markdown and
//! HTML built to be slow, and script in every text that reaches HTML or a feed. Every answer must be
//! a 4xx problem or a correct 2xx, never a 5xx, and a refused write must leave nothing behind.
//!
//! Split by subject: `limits` (sizes and counts), `encoding` (JSON, UTF-8 and NUL bytes), `numbers`
//! (ids, pages and versions at the edges), `queries` (SQL, FTS5 and paths), `rendering` (bodies
//! built to be slow or deep) and `markup` (script in every text). This module holds what they
//! share: the newsroom they attack and how an answer is judged.

mod encoding;
mod limits;
mod markup;
mod numbers;
mod queries;
mod rendering;

use serde_json::{json, Value};

use crate::helpers::{TestApp, TestResponse};
use crate::raw_http;

const ARTICLES: &str = "/api/v1/articles";

// ---------------------------------------------------------------------------------------------
// Shared setup and judgement

/// An editor, one each of the things an article names, and one published article. They are the
/// first of their kind, so each has id 1: an id that wraps around 32 bits would find them.
struct Newsroom {
    editor: String,
    category: i64,
    author: i64,
    tag: i64,
    article: i64,
}

fn id_of(value: &Value) -> i64 {
    value["id"].as_i64().unwrap_or_else(|| panic!("no id in {value}"))
}

async fn newsroom(app: &TestApp) -> Newsroom {
    let editor = app.token_for("editor").await;
    let category = id_of(&app.create_category(&editor, json!({"name": "Kriminal"})).await);
    let author = id_of(&app.create_author(&editor, json!({"name": "Tim Redaksi"})).await);
    let tag = id_of(&app.create_tag(&editor, json!({"name": "Keamanan"})).await);
    let written = json!({"title": "Pencurian data nasabah", "body": "Data nasabah dicuri.", "category_id": category,
        "author_ids": [author], "tags": ["Keamanan"], "status": "published"});
    let article = id_of(&app.create_article(&editor, written).await);
    Newsroom { editor, category, author, tag, article }
}

impl Newsroom {
    /// A valid article write with `fields` on top.
    fn article_with(&self, fields: Value) -> Value {
        let mut body = json!({"title": "Aman", "body": "Isi.", "category_id": self.category});
        if let (Some(base), Value::Object(extra)) = (body.as_object_mut(), fields) {
            base.extend(extra);
        }
        body
    }

    fn article_path(&self) -> String {
        format!("{ARTICLES}/{}", self.article)
    }
}

/// Every list a write could leave something in, with each item's id and the fields a write changes:
/// equal before and after a refused write means nothing was half-written.
async fn inventory(app: &TestApp, token: &str) -> Vec<(i64, Vec<Value>)> {
    let mut lists = Vec::new();
    for path in [
        "/api/v1/articles?status=any&per_page=100",
        "/api/v1/categories",
        "/api/v1/authors?per_page=100",
        "/api/v1/tags?per_page=100",
    ] {
        let list = app.get_as(token, path).await;
        list.assert_status(200);
        let body = list.json();
        let items: Vec<Value> = body["data"]
            .as_array()
            .expect("a list has data")
            .iter()
            .map(|item| {
                json!([item["id"], item["version"], item["title"], item["name"], item["tags"], item["parent_id"]])
            })
            .collect();
        let total = body["meta"]["total"].as_i64().unwrap_or(items.len() as i64);
        lists.push((total, items));
    }
    lists
}

/// What an answer must be.
#[derive(Debug, Clone, Copy)]
enum Expect {
    /// A success with this status.
    Success(u16),
    /// A problem document with this status.
    Problem(u16),
    /// A 422 problem naming exactly this field.
    Field(&'static str),
    /// A problem document with some 4xx status: the contract does not pin which.
    Refusal,
    /// Some 4xx, problem or not: the HTTP layer may refuse before the application sees the request.
    Rejected,
    /// This success, or a 4xx problem.
    SuccessOrRefusal(u16),
    /// This success, or any 4xx.
    SuccessOrRejected(u16),
}

fn excerpt(response: &TestResponse) -> String {
    response.text().chars().take(300).collect()
}

/// What is wrong with `response`, if anything. Besides the expectation, no error may carry
/// internal detail.
fn verdict(what: &str, response: &TestResponse, expected: Expect) -> Option<String> {
    let status = response.status;
    let body: Option<Value> = serde_json::from_slice(&response.body).ok();
    let problem = response.header("content-type").as_deref() == Some("application/problem+json")
        && body.as_ref().is_some_and(|b| b["status"] == status && b["title"].is_string() && b["detail"].is_string());
    let fields: Vec<&str> = body
        .as_ref()
        .and_then(|b| b["errors"].as_array())
        .map(|errors| errors.iter().filter_map(|e| e["field"].as_str()).collect())
        .unwrap_or_default();
    let client_error = (400..500).contains(&status);
    let met = match expected {
        Expect::Success(wanted) => status == wanted,
        Expect::Problem(wanted) => status == wanted && problem,
        Expect::Field(field) => status == 422 && problem && fields == [field],
        Expect::Refusal => client_error && problem,
        Expect::Rejected => client_error,
        Expect::SuccessOrRefusal(wanted) => status == wanted || (client_error && problem),
        Expect::SuccessOrRejected(wanted) => status == wanted || client_error,
    };
    let lower = response.text().to_lowercase();
    let leak = ["sqlite", "diesel", "panicked", "/work/", "src/", "stack backtrace"]
        .into_iter()
        .find(|leak| status >= 400 && lower.contains(leak));
    match (met, leak) {
        (true, None) => None,
        (true, Some(leak)) => Some(format!("{what}: the error shows internal detail ({leak}): {}", excerpt(response))),
        (false, _) => Some(format!("{what}: expected {expected:?}, got {status}: {}", excerpt(response))),
    }
}

#[track_caller]
fn report(failures: &[String]) {
    assert!(failures.is_empty(), "{} case(s) failed:\n{}", failures.len(), failures.join("\n"));
}

/// `None` while the server answers its health check.
async fn still_answering(app: &TestApp) -> Option<String> {
    let health = app.get("/healthz").await;
    (health.status != 200).then(|| format!("the server stopped answering: /healthz is {}", health.status))
}

/// Sends bytes as they are and judges the answer; a connection closed without one is a failure.
async fn judge_raw(app: &TestApp, what: &str, request: Vec<u8>, expected: Expect) -> Option<String> {
    match raw_http::send(app, request).await {
        Some(response) => verdict(what, &response, expected),
        None => Some(format!("{what}: expected {expected:?}, but the connection closed without an answer")),
    }
}
