//! The limits that bound the work of rendering a body (see `domain::body::limits`), seen through
//! the API: bodies that would make the Markdown parser, the HTML parser or the sanitizer's HTML
//! writer work for long are a 422 on `body` that names the limit and store nothing; a long
//! article of prose is within every limit.

use serde_json::{json, Value};

use crate::helpers::TestApp;

const ARTICLES: &str = "/api/v1/articles";

/// A paragraph of news prose, punctuation and quotes included.
const PROSE: &str = "Presiden mengatakan, \"Pemerintah akan terus mendukung UMKM.\" Kebijakan itu (diumumkan \
                     Senin, 12/8) berlaku mulai 2025, kata juru bicara istana kepada wartawan di Jakarta.\n\n";

async fn editor_and_category(app: &TestApp) -> (String, i64) {
    let editor = app.token_for("editor").await;
    let category = app.create_category(&editor, json!({"name": "Nasional"})).await;
    (editor, category["id"].as_i64().expect("a category id"))
}

async fn published_total(app: &TestApp) -> Value {
    app.get(ARTICLES).await.json()["meta"]["total"].clone()
}

#[actix_web::test]
async fn bodies_too_costly_to_render_are_422_on_body_naming_the_limit_and_store_nothing() {
    let app = TestApp::spawn().await;
    let (editor, category) = editor_and_category(&app).await;
    let before = published_total(&app).await;
    let cases = [
        // 30,000 `&` then a long text: the HTML writer would search the text once per `&`.
        ("ampersands before a long text", "html", format!("{}{}", "&".repeat(30_000), "a".repeat(800_000)), "&"),
        ("Latin-1 signs", "html", "©".repeat(300_000), "&"),
        ("an attribute of ampersands", "html", format!("<p title=\"{}\">a</p>", "&".repeat(200_000)), "&"),
        ("stray less-than signs", "html", "<".repeat(500_000), "32768"),
        ("character references", "html", "&lt;".repeat(100_000), "32768"),
        ("unclosed link destinations", "markdown", "[a](".repeat(200_000), "131072"),
        ("emphasis openers", "markdown", "*a ".repeat(200_000), "131072"),
    ];
    let mut failures = Vec::new();
    for (what, format, body, named) in cases {
        let request = json!({"title": what, "body": body, "body_format": format, "category_id": category,
            "status": "published"});
        let response = app.post(Some(&editor), ARTICLES, &request).await;
        if response.status != 422 || response.error_fields() != ["body"] || !response.text().contains(named) {
            failures.push(format!("{what}: {} {}", response.status, response.text()));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    assert_eq!(published_total(&app).await, before, "a refused body stored an article");
}

#[actix_web::test]
async fn a_long_article_of_prose_is_within_every_limit_in_both_formats() {
    let app = TestApp::spawn().await;
    let (editor, category) = editor_and_category(&app).await;
    // Under the request size limit once written as JSON (quotes and line breaks are escaped).
    let markdown = PROSE.repeat(800_000 / PROSE.len());
    let html: String = markdown.split("\n\n").filter(|p| !p.is_empty()).map(|p| format!("<p>{p}</p>")).collect();
    for (format, body) in [("markdown", markdown), ("html", html)] {
        let request = json!({"title": format!("Panjang {format}"), "body": body, "body_format": format,
            "category_id": category});
        let response = app.post(Some(&editor), ARTICLES, &request).await;
        assert_eq!(response.status, 201, "{format}: {}", response.text());
        let article = response.json();
        let paragraphs = article["body_html"].as_str().unwrap_or_default().matches("<p>").count();
        assert_eq!(paragraphs, 800_000 / PROSE.len(), "{format}");
        assert!(article["word_count"].as_i64().unwrap_or_default() > 90_000, "{format}: {}", article["word_count"]);
    }
}
