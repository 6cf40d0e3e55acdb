//! Markdown and HTML built to be slow to render or to nest past the limit: stored within the limits
//! or refused on `body`, and never holding the write lock while rendering.

use std::time::Duration;

use serde_json::{json, Value};

use super::{inventory, newsroom, report, still_answering, verdict, Expect, ARTICLES};
use crate::helpers::{unique, TestApp, TestResponse};
use crate::html_oracle::{dangers, shape};

/// Markdown tables: a header of `columns`, then `rows` rows of `cells` cells each.
fn table(columns: usize, rows: usize, cells: usize) -> String {
    let mut out = format!("|{}\n|{}\n", "kolom|".repeat(columns), "---|".repeat(columns));
    for _ in 0..rows {
        out.push('|');
        out.push_str(&"isi|".repeat(cells));
        out.push('\n');
    }
    out
}

fn slow_bodies() -> Vec<(&'static str, &'static str, String)> {
    let backticks: Vec<String> = (1..=300).map(|n| "`".repeat(n)).collect();
    vec![
        ("50,000 nested blockquotes", "markdown", format!("{} dalam", ">".repeat(50_000))),
        ("50,000 spaced blockquotes", "markdown", format!("{}dalam", "> ".repeat(50_000))),
        ("10,000 nested list levels", "markdown", format!("{}daftar", "- ".repeat(10_000))),
        ("10,000 nested ordered lists", "markdown", format!("{}daftar", "1. ".repeat(10_000))),
        ("100,000 emphasis openers", "markdown", "*a ".repeat(100_000)),
        ("100,000 asterisks between letters", "markdown", "a*".repeat(100_000)),
        ("100,000 alternating markers", "markdown", "*_".repeat(50_000)),
        ("50,000 asterisks on each side of a word", "markdown", format!("{0}kata{0}", "*".repeat(50_000))),
        ("25,000 nested emphases", "markdown", format!("{}kata{}", "*a ".repeat(25_000), " b*".repeat(25_000))),
        ("50,000 nested brackets", "markdown", format!("{}a{}", "[".repeat(50_000), "]".repeat(50_000))),
        ("30,000 unclosed link destinations", "markdown", "[a](".repeat(30_000)),
        ("300 backtick runs of every length", "markdown", backticks.join(" a ")),
        ("100,000 footnote references", "markdown", format!("{}\n\n[^a]: Catatan.", "[^a]".repeat(100_000))),
        ("a table of 100 columns and 2,000 rows", "markdown", table(100, 2_000, 100)),
        ("a table of 5,000 columns and 5,000 short rows", "markdown", table(5_000, 5_000, 1)),
        ("a line of 900,000 characters", "markdown", "x".repeat(900_000)),
        ("180,000 words on one line", "markdown", "kata ".repeat(180_000)),
        ("100,000 less-than signs", "markdown", "<".repeat(100_000)),
        ("50,000 nested divs", "html", "<div>".repeat(50_000)),
        ("25,000 unclosed links", "html", "<a href=\"https://a.example/\">".repeat(25_000)),
        ("20,000 nested tables", "html", "<table>".repeat(20_000)),
        ("25,000 misnested bold and italic", "html", "<b><i>".repeat(25_000)),
        ("100,000 less-than signs as HTML", "html", "<".repeat(100_000)),
    ]
}

/// A POST on a connection of its own: an unoptimized build may take longer than the server's
/// keep-alive over a hostile body, and a pooled connection left idle that long is closed under
/// the client's feet.
async fn post_alone(app: &TestApp, token: &str, path: &str, body: &Value) -> TestResponse {
    let client = awc::Client::builder().disable_redirects().timeout(Duration::from_secs(120)).finish();
    let request = client.post(app.url(path)).insert_header(("Authorization", format!("Bearer {token}")));
    let mut response = request.send_json(body).await.expect("the request was sent");
    let body = response.body().limit(64 * 1024 * 1024).await.expect("the body was read").to_vec();
    TestResponse { status: response.status().as_u16(), headers: response.headers().clone(), body }
}

/// Every body built to be slow to render is stored (with `body_html` under 2 MB and nested at most
/// 100 deep) or refused with a 422 on `body`, and a write sent beside each one succeeds. What is
/// asserted is the work (sizes, depths, statuses), not the time: the render is bounded by
/// construction (see `bench/render.sh` for the time).
#[actix_web::test]
async fn markdown_and_html_that_are_slow_to_render_are_stored_within_the_limits_or_refused_on_body() {
    let app = TestApp::spawn().await;
    let room = newsroom(&app).await;
    let (existing, _) = inventory(&app, &room.editor).await[0].clone();
    let mut created = 0;
    let mut failures = Vec::new();
    for (what, format, body) in slow_bodies() {
        let request = room.article_with(json!({"title": what, "body": body, "body_format": format}));
        let beside = json!({"name": format!("Beside {}", unique())});
        let (response, write) = futures_util::future::join(
            post_alone(&app, &room.editor, ARTICLES, &request),
            post_alone(&app, &room.editor, "/api/v1/tags", &beside),
        )
        .await;
        failures.extend(verdict(&format!("a tag written beside {what}"), &write, Expect::Success(201)));
        if response.status != 201 {
            failures.extend(verdict(what, &response, Expect::Field("body")));
            continue;
        }
        created += 1;
        let article = response.json();
        if article["body"] != body.as_str() {
            failures.push(format!("{what}: the body was not kept as written"));
        }
        let html = article["body_html"].as_str().unwrap_or_default();
        let (depth, _) = shape(html);
        if html.len() > 2 * 1024 * 1024 || depth > 100 {
            failures.push(format!("{what}: stored {} bytes of body_html nested {depth} deep", html.len()));
        }
        for danger in dangers(html) {
            failures.push(format!("{what}: {danger}"));
        }
    }
    let (total, _) = inventory(&app, &room.editor).await[0].clone();
    if total != existing + created {
        failures.push(format!("{created} articles were created; the total went from {existing} to {total}"));
    }
    failures.extend(still_answering(&app).await);
    report(&failures);
}

/// Bodies that nest past 100 levels however the nesting is written (self-closed or unclosed tags,
/// stray end tags, re-opened formatting, Markdown list markers and indentation) are a 422 on
/// `body` in both formats, and 100 levels are fine.
#[actix_web::test]
async fn bodies_nested_past_a_hundred_levels_are_422_on_body_however_the_nesting_is_written() {
    let app = TestApp::spawn().await;
    let room = newsroom(&app).await;
    let (existing, _) = inventory(&app, &room.editor).await[0].clone();
    let formatting: String = (0..60).map(|i| format!("<b title={i}>")).collect();
    let indented: String = (0..150).map(|i| format!("{}- a\n", "  ".repeat(i))).collect();
    let cases = [
        ("self-closed divs", "html", "<div/>".repeat(101)),
        ("divs with stray end tags", "html", "<div></x>".repeat(101)),
        ("stray paragraph ends", "html", "</p><div>".repeat(101)),
        ("misnested bold and italic", "html", "<b><i>".repeat(51)),
        ("re-opened formatting", "html", format!("<div>{formatting}</div>{}x", "<div>".repeat(50))),
        ("nested table cells", "html", "<table><tr><td>".repeat(40)),
        ("ordered list markers", "markdown", format!("{}daftar", "1. ".repeat(101))),
        ("mixed list markers", "markdown", format!("{}daftar", "- 1. * ".repeat(40))),
        ("indented list items", "markdown", indented),
        ("raw divs in markdown", "markdown", "<div>".repeat(101)),
        ("quote markers", "markdown", format!("{}kutipan", ">".repeat(101))),
    ];
    let mut failures = Vec::new();
    for (what, format, body) in cases {
        let request = room.article_with(json!({"title": what, "body": body, "body_format": format}));
        let response = app.post(Some(&room.editor), ARTICLES, &request).await;
        failures.extend(verdict(what, &response, Expect::Field("body")));
    }
    let (total, _) = inventory(&app, &room.editor).await[0].clone();
    if total != existing {
        failures.push(format!("refused bodies changed the article total from {existing} to {total}"));
    }
    let fine = room.article_with(json!({"title": "Seratus", "body": "<div>".repeat(100), "body_format": "html"}));
    failures.extend(verdict(
        "100 nested divs",
        &app.post(Some(&room.editor), ARTICLES, &fine).await,
        Expect::Success(201),
    ));
    report(&failures);
}

/// 1 MB of footnote references would render to 20 MB: a 422 on `body`, nothing stored.
#[actix_web::test]
async fn a_body_that_would_render_past_two_megabytes_is_422_on_body() {
    let app = TestApp::spawn().await;
    let room = newsroom(&app).await;
    let body = format!("{}\n\n[^a]: Catatan.", "[^a]".repeat(250_000));
    let request = room.article_with(json!({"title": "Bom catatan", "body": body}));
    let response = app.post(Some(&room.editor), ARTICLES, &request).await;
    assert_eq!(response.error_fields(), ["body"], "{}", response.text());
    assert!(response.text().contains("2 MB"), "{}", response.text());
    let patch = json!({"body": format!("{}\n\n[^a]: Catatan.", "[^a]".repeat(250_000))});
    let before = app.get_as(&room.editor, &room.article_path()).await.json();
    let changed = app.patch_article(&room.editor, &room.article.to_string(), 1, &patch).await;
    assert_eq!(changed.error_fields(), ["body"], "{}", changed.text());
    let after = app.get_as(&room.editor, &room.article_path()).await.json();
    assert_eq!((&before["version"], &before["body_html"]), (&after["version"], &after["body_html"]));
}

/// Rendering and sanitizing happen before the write transaction: while another connection holds
/// the database's write lock, a body refused for its rendering is answered 422 at once (were it
/// rendered inside the transaction, it would wait for the lock and end in a 503).
#[actix_web::test]
async fn a_body_refused_for_its_rendering_is_refused_while_another_holds_the_write_lock() {
    use diesel::connection::SimpleConnection;
    use diesel::Connection;

    let app = TestApp::spawn().await;
    let room = newsroom(&app).await;
    let mut holder: Box<dyn SimpleConnection> = match &app.database {
        warta::config::Database::Sqlite(path) => {
            let mut holder = diesel::SqliteConnection::establish(&path.to_string_lossy()).expect("opens");
            holder.batch_execute("BEGIN IMMEDIATE").expect("takes the write lock");
            Box::new(holder)
        }
        warta::config::Database::Postgres(_) => {
            let mut holder = diesel::PgConnection::establish(&app.database_url()).expect("opens");
            holder
                .batch_execute(&format!("BEGIN; SELECT pg_advisory_xact_lock({})", warta::db::WRITE_LOCK))
                .expect("takes the write lock");
            Box::new(holder)
        }
    };
    let deep = room.article_with(json!({"title": "Dalam", "body": "<div/>".repeat(5_000), "body_format": "html"}));
    let created = app.post(Some(&room.editor), ARTICLES, &deep).await;
    let changed = app
        .patch_article(&room.editor, &room.article.to_string(), 1, &json!({"body": "1. ".repeat(5_000) + "x"}))
        .await;
    holder.batch_execute("ROLLBACK").expect("lets go of the lock");
    let mut failures = Vec::new();
    failures.extend(verdict("a deep body created under a held lock", &created, Expect::Field("body")));
    failures.extend(verdict("a deep body patched in under a held lock", &changed, Expect::Field("body")));
    report(&failures);
}
