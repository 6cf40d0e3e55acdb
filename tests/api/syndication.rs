//! RSS 2.0 and JSON Feed 1.1: valid documents, absolute links, escaping, categories, visibility.

use chrono::DateTime;
use serde_json::{json, Value};

use crate::helpers::{TestApp, TestResponse};
use crate::html_oracle::dangers;

const TRICKY_TITLE: &str = "Tom & Jerry <b>“Kucing” é</b> ]]> 🎉 [Korea Utara]";

struct Desk {
    editor: String,
    berita: i64,
    dunia: i64,
    olahraga: i64,
    author: i64,
}

async fn desk(app: &TestApp) -> Desk {
    let editor = app.token_for("editor").await;
    let berita = app.create_category(&editor, json!({"name": "Berita"})).await["id"].as_i64().expect("id");
    let dunia =
        app.create_category(&editor, json!({"name": "Dunia", "parent_id": berita})).await["id"].as_i64().expect("id");
    let olahraga = app.create_category(&editor, json!({"name": "Olahraga"})).await["id"].as_i64().expect("id");
    let author = app.create_author(&editor, json!({"name": "Reni & Co"})).await["id"].as_i64().expect("id");
    Desk { editor, berita, dunia, olahraga, author }
}

impl Desk {
    async fn article(&self, app: &TestApp, title: &str, category: i64, status: &str) -> Value {
        app.create_article(
            &self.editor,
            json!({"title": title, "body": "Isi *berita* & <script>alert(1)</script> lengkap.", "category_id": category,
                "author_ids": [self.author], "tags": ["Pemilu"], "status": status,
                "cover_image": {"url": "https://images.example/a.jpg?w=1&h=2", "caption": "Ilustrasi", "credit": "Net"}}),
        )
        .await
    }
}

fn rss_items(response: &TestResponse) -> Vec<(String, String)> {
    let text = response.text();
    let doc = roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("RSS is not XML ({e}):\n{text}"));
    let rss = doc.root_element();
    assert_eq!(rss.tag_name().name(), "rss");
    assert_eq!(rss.attribute("version"), Some("2.0"));
    let channel = rss.children().find(|n| n.has_tag_name("channel")).expect("a channel");
    let child_text = |node: roxmltree::Node, name: &str| {
        node.children().find(|n| n.has_tag_name(name)).and_then(|n| n.text()).map(str::to_owned)
    };
    for required in ["title", "link", "description"] {
        assert!(child_text(channel, required).is_some_and(|t| !t.is_empty()), "channel {required}");
    }
    channel
        .children()
        .filter(|n| n.has_tag_name("item"))
        .map(|item| {
            let title = child_text(item, "title").expect("item title");
            let link = child_text(item, "link").expect("item link");
            assert!(link.starts_with("http://warta.test/berita/"), "absolute link from the settings: {link}");
            assert!(child_text(item, "guid").is_some_and(|g| g.starts_with("http://")), "guid");
            let date = child_text(item, "pubDate").expect("pubDate");
            DateTime::parse_from_rfc2822(&date).unwrap_or_else(|e| panic!("pubDate {date}: {e}"));
            assert!(child_text(item, "description").is_some(), "description");
            (title, link)
        })
        .collect()
}

#[actix_web::test]
async fn rss_is_valid_and_escapes_text_exactly() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    desk.article(&app, TRICKY_TITLE, desk.dunia, "published").await;
    desk.article(&app, "Kedua", desk.olahraga, "published").await;
    let response = app.get("/api/v1/syndication/rss.xml").await;
    response.assert_status(200);
    assert!(response.header("content-type").is_some_and(|t| t.starts_with("application/rss+xml")));
    assert!(response.header("etag").is_some(), "feeds are cacheable");
    let items = rss_items(&response);
    let titles: Vec<&str> = items.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(titles, ["Kedua", TRICKY_TITLE], "newest first, text unchanged after escaping");
    let text = response.text();
    let doc = roxmltree::Document::parse(&text).expect("RSS is XML");
    let bodies: Vec<&str> =
        doc.descendants().filter(|n| n.tag_name().name() == "encoded").filter_map(|n| n.text()).collect();
    assert_eq!(bodies.len(), 2, "each item carries its body: {text}");
    for body in bodies {
        assert_eq!(dangers(body), Vec::<String>::new(), "bodies are the sanitized HTML: {body}");
        assert!(body.contains("<em>berita</em>"), "the body is rendered: {body}");
    }
    assert!(text.contains("Reni &amp; Co"), "authors are escaped: {text}");
    assert!(text.contains("w=1&amp;h=2"), "URLs in attributes are escaped");
}

#[actix_web::test]
async fn json_feed_has_the_required_fields() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    desk.article(&app, TRICKY_TITLE, desk.dunia, "published").await;
    let response = app.get("/api/v1/syndication/feed.json").await;
    response.assert_status(200);
    assert!(response.header("content-type").is_some_and(|t| t.starts_with("application/feed+json")));
    let feed = response.json();
    assert_eq!(feed["version"], "https://jsonfeed.org/version/1.1");
    assert!(feed["title"].is_string());
    assert_eq!(feed["feed_url"], "http://warta.test/api/v1/syndication/feed.json");
    let item = &feed["items"][0];
    assert!(item["id"].as_str().is_some_and(|id| !id.is_empty()));
    assert!(item["content_html"].is_string() || item["content_text"].is_string(), "an item has content");
    assert_eq!(item["title"], TRICKY_TITLE);
    assert!(item["url"].as_str().is_some_and(|u| u.starts_with("http://warta.test/berita/")));
    assert_eq!(item["authors"][0]["name"], "Reni & Co");
    assert_eq!(item["image"], "https://images.example/a.jpg?w=1&h=2");
    let published = item["date_published"].as_str().expect("date_published");
    DateTime::parse_from_rfc3339(published).expect("RFC 3339");
    let body = item["content_html"].as_str().expect("content_html");
    assert_eq!(dangers(body), Vec::<String>::new(), "bodies are the sanitized HTML: {body}");
    assert!(body.contains("<em>berita</em>"), "the body is rendered: {body}");
}

#[actix_web::test]
async fn feeds_carry_only_visible_articles_and_at_most_fifty() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    for i in 0..51 {
        desk.article(&app, &format!("Terbit {i}"), desk.dunia, "published").await;
    }
    desk.article(&app, "Masih draf", desk.dunia, "draft").await;
    let future = (chrono::Utc::now() + chrono::Duration::hours(2)).to_rfc3339();
    app.create_article(
        &desk.editor,
        json!({"title": "Nanti", "body": "b", "category_id": desk.dunia, "status": "published", "published_at": future}),
    )
    .await;
    let items = rss_items(&app.get("/api/v1/syndication/rss.xml").await);
    assert_eq!(items.len(), 50);
    assert_eq!(items[0].0, "Terbit 50");
    let json_items = app.get("/api/v1/syndication/feed.json").await.json()["items"].as_array().map(Vec::len);
    assert_eq!(json_items, Some(50));
    let all: Vec<String> = items.into_iter().map(|(t, _)| t).collect();
    assert!(!all.iter().any(|t| t == "Masih draf" || t == "Nanti"));
}

#[actix_web::test]
async fn a_category_feed_includes_its_descendants_only() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    desk.article(&app, "Di Berita", desk.berita, "published").await;
    desk.article(&app, "Di Dunia", desk.dunia, "published").await;
    desk.article(&app, "Di Olahraga", desk.olahraga, "published").await;
    let rss = rss_items(&app.get("/api/v1/syndication/rss.xml?category=berita").await);
    let titles: Vec<&str> = rss.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(titles, ["Di Dunia", "Di Berita"]);
    let json = app.get("/api/v1/syndication/feed.json?category=dunia").await.json();
    let titles: Vec<&str> =
        json["items"].as_array().expect("items").iter().filter_map(|i| i["title"].as_str()).collect();
    assert_eq!(titles, ["Di Dunia"]);
    assert_eq!(json["feed_url"], "http://warta.test/api/v1/syndication/feed.json?category=dunia");
    for path in ["/api/v1/syndication/rss.xml?category=nope", "/api/v1/syndication/feed.json?category=nope"] {
        app.get(path).await.assert_problem(404);
    }
}

#[actix_web::test]
async fn a_publish_shows_in_the_feeds_at_once() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    assert!(rss_items(&app.get("/api/v1/syndication/rss.xml").await).is_empty());
    let draft = desk.article(&app, "Segera", desk.dunia, "draft").await;
    let id = draft["id"].as_i64().expect("id");
    app.patch_article(&desk.editor, &id.to_string(), 1, &json!({"status": "published"})).await.assert_status(200);
    let titles: Vec<String> =
        rss_items(&app.get("/api/v1/syndication/rss.xml").await).into_iter().map(|(t, _)| t).collect();
    assert_eq!(titles, ["Segera"]);
}

#[actix_web::test]
async fn rss_names_each_author_and_encloses_the_cover() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let second = app.create_author(&desk.editor, json!({"name": "Budi Santoso"})).await["id"].as_i64().expect("id");
    app.create_article(
        &desk.editor,
        json!({"title": "Dua Penulis", "body": "Isi.", "category_id": desk.berita, "status": "published",
            "author_ids": [desk.author, second], "cover_image": {"url": "https://images.example/foto.webp?w=800"}}),
    )
    .await;
    desk.article(&app, "Bersampul JPEG", desk.berita, "published").await;
    let text = app.get("/api/v1/syndication/rss.xml").await.text();
    let doc = roxmltree::Document::parse(&text).expect("XML");
    let item = |title: &str| {
        doc.descendants()
            .find(|n| {
                n.has_tag_name("item") && n.children().any(|c| c.has_tag_name("title") && c.text() == Some(title))
            })
            .unwrap_or_else(|| panic!("no item {title}"))
    };
    let creators: Vec<&str> = item("Dua Penulis")
        .children()
        .filter(|n| {
            n.tag_name().name() == "creator" && n.tag_name().namespace() == Some("http://purl.org/dc/elements/1.1/")
        })
        .filter_map(|n| n.text())
        .collect();
    assert_eq!(creators, ["Reni & Co", "Budi Santoso"]);
    let enclosure = |title: &str| {
        let node = item(title).children().find(|n| n.has_tag_name("enclosure")).expect("an enclosure");
        (node.attribute("url").map(str::to_owned), node.attribute("type"), node.attribute("length"))
    };
    let (url, media_type, length) = enclosure("Dua Penulis");
    assert_eq!(
        (url.as_deref(), media_type, length),
        (Some("https://images.example/foto.webp?w=800"), Some("image/webp"), Some("0"))
    );
    let (url, media_type, _) = enclosure("Bersampul JPEG");
    assert_eq!((url.as_deref(), media_type), (Some("https://images.example/a.jpg?w=1&h=2"), Some("image/jpeg")));
}
