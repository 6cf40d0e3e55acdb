//! Script in every text that reaches HTML or a feed: it round-trips exactly through the API and the
//! JSON feed, escaped through RSS, and whatever HTML is served is safe by the HTML oracle.

use serde_json::{json, Value};

use super::{report, verdict, Expect, ARTICLES};
use crate::helpers::{TestApp, TestResponse};
use crate::html_oracle::dangers;

/// Attacks on whatever renders these texts: HTML, XML, JSON, templates. Each is distinct ignoring
/// case (tags are), at most 100 characters (the longest tag name).
const XSS: [&str; 27] = [
    "<script>alert(1)</script>",
    "\"><script>alert(2)</script>",
    "'><img src=x onerror=alert(3)>",
    "<img src=\"x\" onerror=\"alert(4)\">",
    "<svg/onload=alert(5)>",
    "javascript:alert(6)",
    "<a href=\"javascript:alert(7)\">klik</a>",
    "]]><script>alert(8)</script><![CDATA[",
    "<![CDATA[<script>alert(9)</script>]]>",
    "<!-- <script>alert(10)</script> -->",
    "&lt;script&gt;alert(11)&lt;/script&gt;",
    "&amp;&#x3C;script&#x3E;alert(12)&#60;",
    "<!DOCTYPE x [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>&xxe;",
    "</title></item></channel></rss><script>alert(14)</script>",
    "<?xml version=\"1.0\"?><x>alert(15)</x>",
    "<iframe src=\"javascript:alert(16)\"></iframe>",
    "<body onload=alert(17)>",
    "<div style=\"background:url(javascript:alert(18))\">gaya</div>",
    "{{constructor.constructor('alert(19)')()}}",
    "`${alert(20)}`",
    "\u{2028}</script><script>alert(21)</script>\u{2029}",
    "\"quotes\" 'apos' & <tags> “kutip” é 🎉 [Korea Utara]",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(23)>",
    "\\\"};alert(24);//",
    "<details open ontoggle=alert(25)>",
    "  <b>spasi</b>\t\n ",
    "<input autofocus onfocus=alert(27)>",
];

/// Text that XML forbids (control characters, the non-characters U+FFFE and U+FFFF) or that an XML
/// parser rewrites unless it is escaped (carriage returns). JSON carries all of it exactly.
const XML_HOSTILE: [&str; 5] = [
    "\u{1}\u{8}\u{1b}[31m<b>kontrol</b>\u{7f}",
    "\u{FFFE}\u{FFFF}<b>bukan karakter</b>",
    "baris\r\nbaru <b>CRLF</b>",
    "akhir baris\r",
    "tab\there\u{85}NEL\u{2028}",
];

/// What XML 1.0 can carry of `text`: the characters it forbids cannot appear, even as references.
fn xml_visible(text: &str) -> String {
    text.chars()
        .filter(|&c| matches!(c, '\t' | '\n' | '\r' | ' '..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..))
        .collect()
}

/// One payload planted in every text field of its own article, byline, category and tag.
struct Planted {
    payload: &'static str,
    article: Value,
    cover_url: String,
}

/// Creates, as an editor, a published article per payload; a payload refused with a 4xx problem
/// is fine only when XML cannot carry it. Returns the planted ones and the failures.
async fn plant_payloads(app: &TestApp, payloads: &[&'static str]) -> (Vec<Planted>, Vec<String>) {
    let editor = app.token_for("editor").await;
    let mut planted = Vec::new();
    let mut failures = Vec::new();
    for (i, &payload) in payloads.iter().enumerate() {
        let refusable = xml_visible(payload) != payload;
        let accepted = |what: &str, response: &TestResponse, failures: &mut Vec<String>| {
            if response.status == 201 {
                return Some(response.json());
            }
            let expected = if refusable { Expect::Refusal } else { Expect::Success(201) };
            failures.extend(verdict(&format!("{what} {payload:?}"), response, expected));
            None
        };
        let author = app.post(Some(&editor), "/api/v1/authors", &json!({"name": payload})).await;
        let category = app.post(Some(&editor), "/api/v1/categories", &json!({"name": payload})).await;
        let (Some(author), Some(category)) = (
            accepted("an author named", &author, &mut failures),
            accepted("a category named", &category, &mut failures),
        ) else {
            continue;
        };
        // Raw `"`, `<` and `>` are refused in URLs (422); what a URL may carry still has to be escaped.
        let cover_url = format!("https://img.warta.example/{i}.jpg?a=1&b='%22%3E%3Cscript%3Ealert({i})&c=]]&d=&amp;");
        let mut cover = json!({"url": cover_url, "credit": payload, "alt": payload});
        // Odd ones have no caption, so the feed falls back to the alt text.
        if i % 2 == 0 {
            cover["caption"] = json!(payload);
        }
        let request = json!({"title": payload, "excerpt": payload, "body": payload,
            "body_format": if i % 2 == 0 { "markdown" } else { "html" }, "cover_image": cover,
            "category_id": category["id"], "author_ids": [author["id"]], "tags": [payload], "status": "published"});
        let response = app.post(Some(&editor), ARTICLES, &request).await;
        if let Some(article) = accepted("an article with", &response, &mut failures) {
            planted.push(Planted { payload, article, cover_url });
        }
    }
    (planted, failures)
}

/// Compares what came back with what was sent.
fn same(failures: &mut Vec<String>, what: String, actual: Option<&str>, expected: &str) {
    if actual != Some(expected) {
        failures.push(format!("{what}: expected {expected:?}, got {actual:?}"));
    }
}

/// The element vocabulary of the RSS the server writes: anything else was injected.
const RSS_ELEMENTS: [&str; 17] = [
    "rss",
    "enclosure",
    "channel",
    "title",
    "link",
    "description",
    "language",
    "generator",
    "lastBuildDate",
    "item",
    "guid",
    "pubDate",
    "creator",
    "category",
    "encoded",
    "content",
    "credit",
];

/// Checks an RSS document: it parses, holds only the elements the server writes, has `items`
/// items, and each of `planted` comes back exactly (as far as XML can carry it).
fn rss_failures(what: &str, text: &str, items: usize, planted: &[&Planted], failures: &mut Vec<String>) {
    let doc = match roxmltree::Document::parse(text) {
        Ok(doc) => doc,
        Err(e) => return failures.push(format!("{what} does not parse: {e}")),
    };
    for node in doc.descendants().filter(|n| n.is_element()) {
        if !RSS_ELEMENTS.contains(&node.tag_name().name()) {
            failures.push(format!("{what}: an injected element <{}>", node.tag_name().name()));
        }
    }
    let texts = |node: roxmltree::Node, name: &str| -> Vec<String> {
        node.children()
            .filter(|n| n.is_element() && n.tag_name().name() == name)
            .map(|n| n.text().unwrap_or_default().to_owned())
            .collect()
    };
    let found: Vec<roxmltree::Node> = doc.descendants().filter(|n| n.has_tag_name("item")).collect();
    if found.len() != items {
        failures.push(format!("{what}: {} items instead of {items}", found.len()));
    }
    for planted in planted {
        let guid = format!("http://warta.test/api/v1/articles/{}", planted.article["id"]);
        let Some(item) = found.iter().find(|item| texts(**item, "guid") == [guid.as_str()]) else {
            failures.push(format!("{what}: no item for {:?}", planted.payload));
            continue;
        };
        let expected = xml_visible(planted.payload);
        let label = |field: &str| format!("{what}: {field} of {:?}", planted.payload);
        for field in ["title", "description", "creator"] {
            same(failures, label(field), texts(*item, field).first().map(String::as_str), &expected);
        }
        if texts(*item, "category") != [expected.clone(), expected.clone()] {
            failures.push(format!("{}: {:?}", label("category and tag"), texts(*item, "category")));
        }
        let html = planted.article["body_html"].as_str().unwrap_or_default();
        same(
            failures,
            label("content:encoded"),
            texts(*item, "encoded").first().map(String::as_str),
            &xml_visible(html),
        );
        for body in texts(*item, "encoded") {
            failures.extend(dangers(&body).into_iter().map(|d| format!("{}: {d}", label("content:encoded"))));
        }
        let media = item.children().find(|n| n.tag_name().name() == "content");
        same(failures, label("media url"), media.and_then(|m| m.attribute("url")), &planted.cover_url);
        for (field, element) in [("media:description", "description"), ("media:credit", "credit")] {
            let found = media.map(|m| texts(m, element)).unwrap_or_default();
            same(failures, label(field), found.first().map(String::as_str), &expected);
        }
    }
    let channel = doc.descendants().find(|n| n.has_tag_name("channel"));
    if let ([planted], Some(channel)) = (planted, channel) {
        let title = format!("Warta — {}", xml_visible(planted.payload));
        same(
            failures,
            format!("{what}: the channel title"),
            texts(channel, "title").first().map(String::as_str),
            &title,
        );
    }
}

/// Plants `payloads` and checks the whole RSS feed and each payload's category feed.
async fn rss_round_trip(payloads: &[&'static str]) -> Vec<String> {
    let app = TestApp::spawn().await;
    let (planted, mut failures) = plant_payloads(&app, payloads).await;
    let rss = app.get("/api/v1/syndication/rss.xml").await;
    failures.extend(verdict("the RSS feed", &rss, Expect::Success(200)));
    // The whole feed must parse; each payload is then checked in its category's feed, so that one
    // text that breaks the document does not hide what the others do.
    rss_failures("the RSS feed", &rss.text(), planted.len(), &[], &mut failures);
    for planted in &planted {
        let slug = planted.article["category"]["slug"].as_str().unwrap_or_default();
        let one = app.get(&format!("/api/v1/syndication/rss.xml?category={slug}")).await;
        let what = format!("the RSS of category {:?}", planted.payload);
        failures.extend(verdict(&what, &one, Expect::Success(200)));
        rss_failures(&what, &one.text(), 1, &[planted], &mut failures);
    }
    failures
}

#[actix_web::test]
async fn script_in_every_text_field_round_trips_escaped_through_the_rss_feed() {
    report(&rss_round_trip(&XSS).await);
}

#[actix_web::test]
async fn text_xml_cannot_carry_as_is_never_breaks_or_alters_the_rss_feed() {
    report(&rss_round_trip(&XML_HOSTILE).await);
}

#[actix_web::test]
async fn script_in_every_text_field_round_trips_exactly_through_the_json_feed_and_the_api() {
    let app = TestApp::spawn().await;
    let payloads: Vec<&'static str> = XSS.into_iter().chain(XML_HOSTILE).collect();
    let (planted, mut failures) = plant_payloads(&app, &payloads).await;
    let feed = app.get("/api/v1/syndication/feed.json").await;
    failures.extend(verdict("the JSON feed", &feed, Expect::Success(200)));
    let feed: Value =
        serde_json::from_slice(&feed.body).unwrap_or_else(|e| panic!("the JSON feed does not parse: {e}"));
    let items = feed["items"].as_array().cloned().unwrap_or_default();
    for planted in &planted {
        let (payload, article) = (planted.payload, &planted.article);
        let label = |field: &str| format!("{field} of {payload:?}");
        let guid = format!("http://warta.test/api/v1/articles/{}", article["id"]);
        let Some(item) = items.iter().find(|item| item["id"] == guid.as_str()) else {
            failures.push(format!("JSON feed: no item for {payload:?}"));
            continue;
        };
        for field in ["title", "summary"] {
            same(&mut failures, label(&format!("JSON feed {field}")), item[field].as_str(), payload);
        }
        same(&mut failures, label("JSON feed author"), item["authors"][0]["name"].as_str(), payload);
        if item["tags"] != json!([payload, payload]) {
            failures.push(format!("{}: {}", label("JSON feed category and tag"), item["tags"]));
        }
        same(&mut failures, label("JSON feed image"), item["image"].as_str(), &planted.cover_url);
        let html = item["content_html"].as_str().unwrap_or_default();
        same(
            &mut failures,
            label("JSON feed content_html"),
            Some(html),
            article["body_html"].as_str().unwrap_or_default(),
        );
        failures.extend(dangers(html).into_iter().map(|d| format!("{}: {d}", label("JSON feed content_html"))));

        let read = app.get(&format!("{ARTICLES}/{}", article["id"])).await;
        failures.extend(verdict(&label("the article"), &read, Expect::Success(200)));
        let read = read.json();
        let texts = [
            ("title", &read["title"]),
            ("excerpt", &read["excerpt"]),
            ("body", &read["body"]),
            ("cover credit", &read["cover_image"]["credit"]),
            ("cover alt", &read["cover_image"]["alt"]),
            ("byline", &read["authors"][0]["name"]),
            ("category", &read["category"]["name"]),
            ("breadcrumb", &read["category"]["path"][0]["name"]),
            ("tag", &read["tags"][0]["name"]),
        ];
        for (field, value) in texts {
            same(&mut failures, label(&format!("article {field}")), value.as_str(), payload);
        }
        failures.extend(
            dangers(read["body_html"].as_str().unwrap_or_default())
                .into_iter()
                .map(|d| format!("{}: {d}", label("body_html"))),
        );
        for (resource, id) in [
            ("categories", &read["category"]["id"]),
            ("authors", &read["authors"][0]["id"]),
            ("tags", &read["tags"][0]["id"]),
        ] {
            let named = app.get(&format!("/api/v1/{resource}/{id}")).await.json();
            same(&mut failures, label(resource), named["name"].as_str(), payload);
        }
        let slug = article["category"]["slug"].as_str().unwrap_or_default();
        let one = app.get(&format!("/api/v1/syndication/feed.json?category={slug}")).await;
        match serde_json::from_slice::<Value>(&one.body) {
            Ok(one) => {
                same(&mut failures, label("JSON feed title"), one["title"].as_str(), &format!("Warta — {payload}"))
            }
            Err(e) => failures.push(format!("{}: {e}", label("the category's JSON feed does not parse"))),
        }
    }
    report(&failures);
}
