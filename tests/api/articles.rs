//! Black-box tests of reading and writing articles: every field of the contract, exact Unicode,
//! rendering and sanitizing bodies, what is derived from them (word count, reading time, excerpt),
//! display dates, slugs, lists, search, validation, and how articles count in categories, authors
//! and tags.

use std::collections::BTreeSet;

use actix_web::http::Method;
use serde_json::{json, Value};

use crate::helpers::{TestApp, TestResponse};
use crate::html_oracle::{dangers, elements};

const ARTICLES: &str = "/api/v1/articles";

fn path_of(key: impl std::fmt::Display) -> String {
    format!("{ARTICLES}/{key}")
}

fn numeric_id(value: &Value) -> i64 {
    value["id"].as_i64().unwrap_or_else(|| panic!("no numeric id in {value}"))
}

fn string<'a>(value: &'a Value, field: &str) -> &'a str {
    value[field].as_str().unwrap_or_else(|| panic!("{field} is not a string in {value}"))
}

/// `/articles` with this query, encoded.
fn list_path(query: &[(&str, &str)]) -> String {
    format!("{ARTICLES}?{}", serde_urlencoded::to_string(query).expect("an encodable query"))
}

/// The items of a list answer, which must be a 200.
fn items(list: &TestResponse) -> Vec<Value> {
    list.assert_status(200);
    list.json()["data"].as_array().expect("data is an array").clone()
}

fn titles(list: &TestResponse) -> Vec<String> {
    items(list).iter().map(|a| string(a, "title").to_owned()).collect()
}

fn with(mut base: Value, extra: Value) -> Value {
    if let (Some(fields), Value::Object(extra)) = (base.as_object_mut(), extra) {
        fields.extend(extra);
    }
    base
}

/// An editor, with a category and a byline to write in.
struct Desk {
    editor: String,
    category: i64,
    author: i64,
}

async fn desk(app: &TestApp) -> Desk {
    let editor = app.token_for("editor").await;
    let category = numeric_id(&app.create_category(&editor, json!({"name": "Berita"})).await);
    let author = numeric_id(&app.create_author(&editor, json!({"name": "Reni Erina"})).await);
    Desk { editor, category, author }
}

impl Desk {
    /// A complete write body with `fields` on top.
    fn body(&self, fields: Value) -> Value {
        let base = json!({"title": "Berita hari ini", "body": "Isi berita.", "category_id": self.category,
            "author_ids": [self.author]});
        with(base, fields)
    }

    /// Creates an article as the editor (a draft unless `fields` names a status).
    async fn write(&self, app: &TestApp, fields: Value) -> Value {
        app.create_article(&self.editor, self.body(fields)).await
    }

    /// Creates a published article (at `published_at` when `fields` names one).
    async fn publish(&self, app: &TestApp, fields: Value) -> Value {
        self.write(app, with(json!({"status": "published"}), fields)).await
    }

    async fn edit(&self, app: &TestApp, article: &Value, change: &Value) -> Value {
        let version = article["version"].as_i64().expect("a version");
        let response = app.patch_article(&self.editor, &numeric_id(article).to_string(), version, change).await;
        response.assert_status(200);
        response.json()
    }
}

// ---------------------------------------------------------------------------------------------
// The representation

#[actix_web::test]
async fn creating_an_article_answers_201_with_every_field_of_the_contract() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;
    let berita = app.create_category(&token, json!({"name": "Berita"})).await;
    let dunia = app.create_category(&token, json!({"name": "Dunia", "parent_id": berita["id"]})).await;
    let budi = app.create_author(&token, json!({"name": "Budi Santoso"})).await;
    let reni = app.create_author(&token, json!({"name": "Reni Erina"})).await;
    let cover = json!({"url": "https://img.warta.example/2023/08/rudal.jpg", "caption": "Ilustrasi", "credit": "Net",
        "alt": "Peluncuran rudal"});
    let request = json!({"title": "Korea Utara Luncurkan Rudal", "body": "Pyongyang kembali meluncurkan rudal.",
        "category_id": dunia["id"], "author_ids": [reni["id"], budi["id"]], "tags": ["Korea Utara", "Rudal"],
        "cover_image": cover, "status": "published", "published_at": "2023-08-31T07:09:00Z"});

    let response = app.post(Some(&token), ARTICLES, &request).await;
    response.assert_status(201);
    let article = response.json();
    let id = numeric_id(&article);
    let location = response.header("location").expect("a Location header");
    let location = location.strip_prefix(&app.address).unwrap_or(&location).to_owned();
    assert_eq!(location, format!("/api/v1/articles/{id}"));

    for field in [
        "id",
        "slug",
        "title",
        "excerpt",
        "body",
        "body_format",
        "body_html",
        "cover_image",
        "category",
        "authors",
        "tags",
        "status",
        "published_at",
        "published_at_display",
        "reading_time_minutes",
        "word_count",
        "view_count",
        "created_at",
        "updated_at",
        "version",
    ] {
        assert!(article.get(field).is_some(), "{field} missing from {article}");
    }
    assert_eq!(article["slug"], "korea-utara-luncurkan-rudal");
    assert_eq!(article["title"], "Korea Utara Luncurkan Rudal");
    assert_eq!(article["excerpt"], "Pyongyang kembali meluncurkan rudal.");
    assert_eq!(article["body"], "Pyongyang kembali meluncurkan rudal.");
    assert_eq!(article["body_format"], "markdown");
    assert_eq!(article["body_html"].as_str().map(str::trim), Some("<p>Pyongyang kembali meluncurkan rudal.</p>"));
    assert_eq!(article["cover_image"], cover);
    let crumb = |c: &Value| json!({"id": c["id"], "slug": c["slug"], "name": c["name"]});
    assert_eq!(
        article["category"],
        json!({"id": dunia["id"], "slug": "dunia", "name": "Dunia", "path": [crumb(&berita), crumb(&dunia)]})
    );
    assert_eq!(
        article["authors"],
        json!([{"id": reni["id"], "slug": "reni-erina", "name": "Reni Erina"},
               {"id": budi["id"], "slug": "budi-santoso", "name": "Budi Santoso"}]),
        "bylines keep the order of author_ids"
    );
    let tags: BTreeSet<(String, String)> = article["tags"]
        .as_array()
        .expect("tags is an array")
        .iter()
        .map(|t| (string(t, "slug").to_owned(), string(t, "name").to_owned()))
        .collect();
    let expected_tags = [("korea-utara", "Korea Utara"), ("rudal", "Rudal")];
    assert_eq!(tags, expected_tags.iter().map(|(s, n)| ((*s).to_owned(), (*n).to_owned())).collect());
    assert!(article["tags"].as_array().is_some_and(|t| t.iter().all(|t| t["id"].is_i64())), "tags carry ids");
    assert_eq!(article["status"], "published");
    assert_eq!(article["published_at"], "2023-08-31T07:09:00Z");
    assert_eq!(article["published_at_display"], "Kamis, 31 Agustus 2023 | 14:09 WIB");
    assert_eq!((article["word_count"].as_i64(), article["reading_time_minutes"].as_i64()), (Some(4), Some(1)));
    assert_eq!(article["view_count"], 0);
    assert_eq!(article["version"], 1);
    for stamp in ["created_at", "updated_at"] {
        let text = string(&article, stamp);
        assert!(text.ends_with('Z'), "{stamp} is UTC with a Z: {text}");
        chrono::DateTime::parse_from_rfc3339(text).unwrap_or_else(|e| panic!("{stamp} is not RFC 3339 ({e}): {text}"));
    }

    for key in [id.to_string(), "korea-utara-luncurkan-rudal".to_owned()] {
        assert_eq!(app.get(&path_of(&key)).await.assert_status(200).json(), article, "anonymous GET {key}");
    }
    let reordered = Desk { editor: token, category: 0, author: 0 }
        .edit(&app, &article, &json!({"author_ids": [budi["id"], reni["id"]]}))
        .await;
    let bylines: Vec<&str> =
        reordered["authors"].as_array().expect("authors").iter().map(|a| string(a, "slug")).collect();
    assert_eq!(bylines, ["budi-santoso", "reni-erina"], "a PATCH reorders the bylines");
}

#[actix_web::test]
async fn text_round_trips_exactly() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let title = "  “Kim Jong-un” — ‘Bédah’ Cafe\u{301} 😀👩‍💻 [Korea Utara]\u{a0}…  ";
    let excerpt = " Ringkasan:  “kutipan” — ‘é’ 🎉 [Korea Utara] ";
    let body = "Dia berkata, “Kami siap” — ‘tentu’ café 🎉 [Korea Utara] naïve Ñ 北京 «ya».\n\nBaris  dua.\n";
    let created = desk.publish(&app, json!({"title": title, "excerpt": excerpt, "body": body})).await;
    let key = numeric_id(&created);
    let listed = items(&app.get(ARTICLES).await);

    for (source, article) in [
        ("create answer", &created),
        ("anonymous GET", &app.get(&path_of(key)).await.assert_status(200).json()),
        ("list item", &listed[0]),
    ] {
        assert_eq!(article["title"], title, "title in the {source}");
        assert_eq!(article["excerpt"], excerpt, "excerpt in the {source}");
        if source != "list item" {
            assert_eq!(article["body"], body, "body in the {source}");
        }
    }
    let html = string(&created, "body_html");
    assert!(html.contains("“Kami siap” — ‘tentu’ café 🎉 [Korea Utara] naïve Ñ 北京 «ya»."), "body_html: {html}");

    let new_title = "‘Édisi’ — “kedua” 🇮🇩 [Papua]";
    let edited = desk.edit(&app, &created, &json!({"title": new_title})).await;
    assert_eq!(edited["title"], new_title);
    assert_eq!(edited["body"], body, "a PATCH of the title leaves the body as it was");
    assert_eq!(app.get(&path_of(key)).await.json()["title"], new_title);
}

// ---------------------------------------------------------------------------------------------
// Bodies

/// Decodes the entities a serializer may use for straight quotes, so quotes compare as typed.
fn straight_quotes(html: &str) -> String {
    html.replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&apos;", "'")
}

#[actix_web::test]
async fn markdown_is_rendered_with_tables_strikethrough_and_footnotes() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let cases = [
        ("a heading", "## Subjudul", vec!["<h2>Subjudul</h2>"]),
        ("emphasis", "Ini *miring* dan **tebal**.", vec!["<em>miring</em>", "<strong>tebal</strong>"]),
        ("a bullet list", "- satu\n- dua", vec!["<ul>", "<li>satu</li>", "<li>dua</li>"]),
        ("a numbered list", "1. pertama\n2. kedua", vec!["<ol>", "<li>pertama</li>"]),
        ("a link", "[tautan](https://warta.example/a)", vec!["href=\"https://warta.example/a\"", ">tautan</a>"]),
        (
            "an image",
            "![Foto](https://img.warta.example/a.jpg)",
            vec!["<img", "src=\"https://img.warta.example/a.jpg\""],
        ),
        ("a blockquote", "> Kutipan “tepat”.", vec!["<blockquote>", "Kutipan “tepat”."]),
        (
            "a table",
            "| Kota | Suhu |\n|---|---|\n| Jakarta | 31 |",
            vec!["<table>", "<th>Kota</th>", "<td>Jakarta</td>"],
        ),
        ("strikethrough", "Harga ~~lama~~ baru.", vec!["<del>lama</del>"]),
        ("a footnote", "Menurut sumber[^1].\n\n[^1]: Redaksi Warta.", vec!["<sup", "Redaksi Warta."]),
        ("code", "Perintah `warta serve`.", vec!["<code>warta serve</code>"]),
    ];
    let mut failures = Vec::new();
    for (what, markdown, expected) in cases {
        let article = desk.write(&app, json!({"body": markdown})).await;
        let html = string(&article, "body_html");
        for fragment in expected {
            if !html.contains(fragment) {
                failures.push(format!("{what}: {fragment} missing from {html}"));
            }
        }
        if what == "a footnote" && html.contains("[^1]") {
            failures.push(format!("{what}: the footnote marker stayed literal: {html}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[actix_web::test]
async fn markdown_gets_no_smart_punctuation() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let body = "Dia berkata \"ya\" -- lalu 'tidak' --- pergi... [Korea Utara] (c) 1/2";
    let article = desk.write(&app, json!({"body": body})).await;
    let html = straight_quotes(string(&article, "body_html"));
    assert!(html.contains(body), "the text is kept as typed: {html}");
    for smart in ['“', '”', '‘', '’', '–', '—', '…', '©', '½'] {
        assert!(!html.contains(smart), "{smart} was introduced: {html}");
    }
    assert_eq!(article["body"], body);
}

#[actix_web::test]
async fn html_bodies_keep_safe_markup_and_lose_the_rest() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let body = "<h2>Judul</h2><p>Paragraf <strong>tebal</strong> <em>miring</em> \
        <a href=\"https://warta.example/a\">tautan</a>.</p>\
        <figure><img src=\"https://img.warta.example/a.jpg\" alt=\"Foto\"><figcaption>Ilustrasi/Net</figcaption></figure>\
        <blockquote><p>Kutipan</p></blockquote><ul><li>satu</li></ul><ol><li>dua</li></ol>\
        <table><thead><tr><th>Kota</th></tr></thead><tbody><tr><td>Jakarta</td></tr></tbody></table>\
        <p>**bukan tebal**</p><script>alert(1)</script><p onclick=\"alert(1)\">klik</p>";
    let article = desk.write(&app, json!({"body": body, "body_format": "html"})).await;
    assert_eq!(article["body_format"], "html");
    assert_eq!(article["body"], body, "the body is kept as written");
    let html = string(&article, "body_html");
    for kept in [
        "<h2>Judul</h2>",
        "<strong>tebal</strong>",
        "<em>miring</em>",
        "href=\"https://warta.example/a\"",
        "<figure>",
        "src=\"https://img.warta.example/a.jpg\"",
        "alt=\"Foto\"",
        "<figcaption>Ilustrasi/Net</figcaption>",
        "<blockquote>",
        "<li>satu</li>",
        "<li>dua</li>",
        "<th>Kota</th>",
        "<td>Jakarta</td>",
        "**bukan tebal**",
        ">klik</p>",
    ] {
        assert!(html.contains(kept), "{kept} missing from {html}");
    }
    assert_eq!(dangers(html), Vec::<String>::new(), "in {html}");
}

#[actix_web::test]
async fn raw_html_inside_markdown_goes_through_the_same_sanitizer() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let body = "Paragraf *pertama*.\n\n<div onclick=\"alert(1)\" style=\"color:red\">aman</div>\n\n\
        <script>alert(1)</script>\n\nTeks <img src=x onerror=alert(1)> sebaris.\n\n\
        <figure><img src=\"https://img.warta.example/b.jpg\"><figcaption>Keterangan</figcaption></figure>\n";
    let article = desk.write(&app, json!({"body": body})).await;
    let html = string(&article, "body_html");
    for kept in [
        "<em>pertama</em>",
        "aman",
        "sebaris",
        "<figcaption>Keterangan</figcaption>",
        "https://img.warta.example/b.jpg",
    ] {
        assert!(html.contains(kept), "{kept} missing from {html}");
    }
    assert_eq!(dangers(html), Vec::<String>::new(), "in {html}");
}

/// Attacks on the sanitizer, and whether they are meant for Markdown only (as Markdown syntax they
/// are plain text in an HTML body).
const XSS_PAYLOADS: [(&str, bool); 46] = [
    ("<script>alert(1)</script>", false),
    ("<SCRIPT SRC=https://evil.example/x.js></SCRIPT>", false),
    ("<scr<script>ipt>alert(1)</script>", false),
    ("<img src=x onerror=alert(1)>", false),
    ("<IMG SRC=x ONERROR=alert(1)>", false),
    ("<img src=\"https://img.warta.example/a.jpg\" onload=\"alert(1)\">", false),
    ("<svg onload=alert(1)>", false),
    ("<svg><script>alert(1)</script></svg>", false),
    ("<svg><a xlink:href=\"javascript:alert(1)\"><text x=\"20\" y=\"20\">klik</text></a></svg>", false),
    ("<a href=\"javascript:alert(1)\">klik</a>", false),
    ("<a href=\"JaVaScRiPt:alert(1)\">klik</a>", false),
    ("<a href=\"&#106;avascript:alert(1)\">klik</a>", false),
    ("<a href=\"&#x6A;&#x61;vascript&#58;alert(1)\">klik</a>", false),
    ("<a href=\" javascript:alert(1)\">klik</a>", false),
    ("<a href=\"jav&#x09;ascript:alert(1)\">klik</a>", false),
    ("<a href=\"vbscript:msgbox(1)\">klik</a>", false),
    ("<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">klik</a>", false),
    ("<iframe src=\"javascript:alert(1)\"></iframe>", false),
    ("<iframe src=\"https://evil.example/\"></iframe>", false),
    ("<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>", false),
    ("<p style=\"background:url(javascript:alert(1))\">gaya</p>", false),
    ("<div style=\"width: expression(alert(1))\">gaya</div>", false),
    ("<style>body{background:url(\"javascript:alert(1)\")}</style>", false),
    ("<object data=\"https://evil.example/x.swf\"></object>", false),
    ("<embed src=\"https://evil.example/x.swf\">", false),
    ("<form action=\"javascript:alert(1)\"><input type=\"submit\"></form>", false),
    ("<button formaction=\"javascript:alert(1)\">tombol</button>", false),
    ("<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>", false),
    ("<math href=\"javascript:alert(1)\">klik</math>", false),
    ("<body onload=alert(1)>", false),
    ("<input autofocus onfocus=alert(1)>", false),
    ("<p OnMouseOver=\"alert(1)\">arahkan</p>", false),
    ("<details open ontoggle=alert(1)>", false),
    ("<video><source onerror=alert(1)></video>", false),
    ("<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">", false),
    ("<base href=\"https://evil.example/\">", false),
    ("<link rel=\"stylesheet\" href=\"https://evil.example/x.css\">", false),
    ("<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>", false),
    ("<xmp><p title=\"</xmp><img src=x onerror=alert(1)>\"></xmp>", false),
    ("<img/src=\"x\"/onerror=alert(1)>", false),
    ("<a href=\"&#106avascript:alert(1)\">klik</a>", false),
    ("<a href=\"java&Tab;script&colon;alert(1)\">klik</a>", false),
    ("<img srcset=\"https://img.warta.example/a.jpg 1x, javascript:alert(1) 2x\">", false),
    ("<template><img src=x onerror=alert(1)></template>", false),
    ("[klik](javascript:alert(1)) dan [klik](JAVASCRIPT:alert(1))", true),
    ("![gambar](javascript:alert(1)) dan [data](data:text/html;base64,PHNjcmlwdD4=)", true),
];

/// The oracle sees an attack in every HTML payload as written: otherwise its silence about the
/// sanitized body would prove nothing. `<scr<script>ipt>` is the exception: a browser reads one
/// element named `scr<script`, and the payload becomes a script only for a sanitizer that cuts
/// `<script>` out of the text.
#[test]
fn the_html_oracle_sees_every_attack_on_the_sanitizer_as_written() {
    let harmless_until_cut = "<scr<script>ipt>alert(1)</script>";
    assert_eq!(dangers(harmless_until_cut), Vec::<String>::new());
    assert!(!dangers(&harmless_until_cut.replacen("<script>", "", 1)).is_empty());
    let unseen: Vec<&str> = XSS_PAYLOADS
        .iter()
        .filter(|(p, markdown_only)| !markdown_only && *p != harmless_until_cut && dangers(p).is_empty())
        .map(|(p, _)| *p)
        .collect();
    assert!(unseen.is_empty(), "the oracle finds nothing in {unseen:?}");
}

#[actix_web::test]
async fn bodies_are_sanitized_against_known_attacks_in_both_formats() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let mut failures = Vec::new();
    for (payload, markdown_only) in XSS_PAYLOADS {
        let formats: &[&str] = if markdown_only { &["markdown"] } else { &["markdown", "html"] };
        for &format in formats {
            let body = match format {
                "html" => format!("<p>Sebelum serangan.</p>{payload}<p>Sesudah serangan.</p>"),
                _ => format!("Sebelum serangan.\n\n{payload}\n\nSesudah serangan.\n"),
            };
            let response =
                app.post(Some(&desk.editor), ARTICLES, &desk.body(json!({"body": body, "body_format": format}))).await;
            if response.status != 201 {
                failures.push(format!("{format} {payload}: create answered {}: {}", response.status, response.text()));
                continue;
            }
            let article = response.json();
            let html = string(&article, "body_html");
            for danger in dangers(html) {
                failures.push(format!("{format} {payload}: {danger} in {html}"));
            }
            if !html.contains("Sebelum serangan.") {
                failures.push(format!("{format} {payload}: the safe paragraph before it was lost: {html}"));
            }
            if article["body"] != body.as_str() {
                failures.push(format!("{format} {payload}: the body was not kept as written"));
            }
        }
    }
    assert!(failures.is_empty(), "{} problem(s):\n{}", failures.len(), failures.join("\n"));
}

/// What went wrong for each of `sources` written as an `<iframe>`: every frame must be dropped, and
/// nothing dangerous left in its place.
async fn frames_kept(app: &TestApp, desk: &Desk, sources: &[&str]) -> Vec<String> {
    let mut failures = Vec::new();
    for src in sources {
        let body = format!("<p>Video:</p><iframe src=\"{src}\"></iframe>");
        let article = desk.write(app, json!({"body": body, "body_format": "html"})).await;
        let html = string(&article, "body_html");
        if elements(html).iter().any(|e| e.is_html("iframe")) {
            failures.push(format!("{src}: an iframe was kept: {html}"));
        }
        failures.extend(dangers(html).into_iter().map(|d| format!("{src}: {d} in {html}")));
    }
    failures
}

#[actix_web::test]
async fn only_video_embeds_are_kept_as_iframes() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let allowed = [
        "https://www.youtube.com/embed/dQw4w9WgXcQ",
        "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
        "https://player.vimeo.com/video/76979871",
    ];
    for src in allowed {
        let body = format!("<p>Video:</p><iframe src=\"{src}\" width=\"560\" height=\"315\" allowfullscreen></iframe>");
        let article = desk.write(&app, json!({"body": body, "body_format": "html"})).await;
        let html = string(&article, "body_html");
        let frames: Vec<_> = elements(html).into_iter().filter(|e| e.is_html("iframe")).collect();
        assert!(frames.len() == 1 && frames[0].attribute("src") == Some(src), "{src} was dropped: {html}");
        assert_eq!(dangers(html), Vec::<String>::new(), "in {html}");
    }
    let refused = [
        "https://evil.example/embed/x",
        "https://www.youtube.com.evil.example/embed/x",
        "https://evil.example/?u=https://www.youtube.com/embed/x",
        "//www.youtube.com/embed/x",
        "javascript:alert(1)",
    ];
    let failures = frames_kept(&app, &desk, &refused).await;
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// An embed's URL is read as a browser reads it: dot segments (plain, percent-encoded or behind
/// backslashes) that climb out of the player's embed path drop the frame.
#[actix_web::test]
async fn embeds_that_climb_out_of_the_players_embed_path_are_dropped() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let climbing = [
        "https://www.youtube.com/embed/../../x",
        "https://www.youtube.com/embed/%2e%2e/%2E%2e/redirect?q=https://evil.example",
        "https://www.youtube.com/embed/..\\..\\x",
        "https://www.youtube.com/embed\\..\\x",
        "https://www.youtube.com/embed/a%2F..%2F..%2Fx",
        "https://player.vimeo.com/video/./../x",
        "https://user:pw@www.youtube.com/embed/x",
        "https://www.youtube.com:444/embed/x",
    ];
    let failures = frames_kept(&app, &desk, &climbing).await;
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Ids in a body are namespaced and `class` is dropped, so an article cannot clobber the page's
/// DOM (`id="login"`, `class="admin"`); footnote links still reach their definitions.
#[actix_web::test]
async fn ids_are_namespaced_classes_dropped_and_footnotes_still_link() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let article = desk
        .write(
            &app,
            json!({"body": "Catatan[^sumber].\n\n[^sumber]: Redaksi.\n\n<div id=\"login\" class=\"admin\">x</div>"}),
        )
        .await;
    let html = string(&article, "body_html");
    assert_eq!(dangers(html), Vec::<String>::new(), "no class and no id outside warta-: {html}");
    let found = elements(html);
    let div = found.iter().find(|e| e.attribute("id") == Some("warta-login")).expect("the id is namespaced");
    assert!(div.is_html("div") && div.attribute("class").is_none(), "{html}");
    assert!(found.iter().all(|e| e.attribute("id") != Some("login") && e.attribute("class").is_none()), "{html}");
    let ids: Vec<&str> = found.iter().filter_map(|e| e.attribute("id")).collect();
    let links: Vec<&str> = found.iter().filter_map(|e| e.attribute("href")?.strip_prefix('#')).collect();
    assert!(!links.is_empty(), "no footnote link: {html}");
    for link in links {
        assert!(link.starts_with("warta-") && ids.contains(&link), "#{link} names no id of {ids:?}: {html}");
    }
}

/// URL fields refuse what breaks out of an HTML attribute or a Markdown link (`"`, `<`, `>`,
/// backticks, backslashes, spaces), and the pattern the OpenAPI document declares agrees.
#[actix_web::test]
async fn urls_with_quotes_angle_brackets_or_backticks_are_422_and_the_declared_pattern_agrees() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let doc = app.get("/openapi.json").await.json();
    let pattern = doc["components"]["schemas"]["CoverImage"]["properties"]["url"]["pattern"]
        .as_str()
        .map(|p| regex::Regex::new(p).expect("the pattern compiles"))
        .expect("CoverImage.url declares a pattern");
    let before = app.get_as(&desk.editor, &list_path(&[("status", "any")])).await.json()["meta"]["total"].clone();
    for url in [
        "https://img.example/a.jpg\"onerror=\"alert(1)",
        "https://img.example/<script>",
        "https://img.example/a>b",
        "https://img.example/`x`",
        "https://img.example\\a.jpg",
        "https://img.example/a b.jpg",
    ] {
        assert!(!pattern.is_match(url), "the declared pattern accepts {url:?}");
        let cover = app.post(Some(&desk.editor), ARTICLES, &desk.body(json!({"cover_image": {"url": url}}))).await;
        assert_eq!(cover.error_fields(), ["cover_image.url"], "{url:?}");
        let author = app.post(Some(&desk.editor), "/api/v1/authors", &json!({"name": "Foto", "avatar_url": url})).await;
        assert_eq!(author.error_fields(), ["avatar_url"], "{url:?}");
    }
    let after = app.get_as(&desk.editor, &list_path(&[("status", "any")])).await.json()["meta"]["total"].clone();
    assert_eq!(before, after);
    let fine = "https://img.example/2023/08/rudal.jpg?w=640&h=360#x";
    assert!(pattern.is_match(fine));
    desk.write(&app, json!({"cover_image": {"url": fine}})).await;
}

// ---------------------------------------------------------------------------------------------
// What is derived from the body

#[actix_web::test]
async fn words_and_reading_time_count_the_tokens_of_the_text() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let words = |n: usize| "kata ".repeat(n);
    let cases: Vec<(&str, String, &str, i64, i64)> = vec![
        ("an empty body", String::new(), "markdown", 0, 1),
        ("hyphens and slashes join", "Kim Jong-un tiba 30/8.".into(), "markdown", 4, 1),
        (
            "Markdown syntax is not a word",
            "# Judul\n\n- satu\n- **dua**\n\n> kutipan *miring*".into(),
            "markdown",
            5,
            1,
        ),
        ("a link's URL is not a word", "[tautan](https://warta.example/a) teks".into(), "markdown", 2, 1),
        ("a table's pipes are not words", "| a | b |\n|---|---|\n| 1 | 2 |".into(), "markdown", 4, 1),
        ("a rule is not a word", "Satu\n\n***\n\nDua".into(), "markdown", 2, 1),
        ("a dash between spaces is a token", "a — b".into(), "markdown", 3, 1),
        ("200 words", words(200), "markdown", 200, 1),
        ("201 words", words(201), "markdown", 201, 2),
        ("400 words", words(400), "markdown", 400, 2),
        ("401 words", words(401), "markdown", 401, 3),
        ("paragraphs separate words", "<p>satu</p><p>dua</p>".into(), "html", 2, 1),
        ("inline tags do not", "<p>se<em>ka</em>li <strong>dua</strong></p>".into(), "html", 2, 1),
        ("tags are not words", "<ul><li>satu</li><li>dua</li></ul><br><hr>".into(), "html", 2, 1),
    ];
    let mut failures = Vec::new();
    for (what, body, format, word_count, minutes) in cases {
        let article = desk.write(&app, json!({"body": body, "body_format": format})).await;
        let got = (article["word_count"].as_i64(), article["reading_time_minutes"].as_i64());
        if got != (Some(word_count), Some(minutes)) {
            failures.push(format!("{what}: expected ({word_count} words, {minutes} min), got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    let article = desk.write(&app, json!({"body": "satu dua"})).await;
    let edited = desk.edit(&app, &article, &json!({"body": words(250)})).await;
    assert_eq!((edited["word_count"].as_i64(), edited["reading_time_minutes"].as_i64()), (Some(250), Some(2)));
}

#[actix_web::test]
async fn the_excerpt_defaults_to_the_start_of_the_text_cut_at_a_word() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let text: String = (1..=80).map(|n| format!("kata{n}")).collect::<Vec<_>>().join(" ");
    let long = desk.write(&app, json!({"body": format!("**{text}**")})).await;
    let excerpt = string(&long, "excerpt");
    let kept = excerpt.strip_suffix('…').unwrap_or_else(|| panic!("a cut excerpt ends with …: {excerpt}"));
    assert!(text.starts_with(kept), "the excerpt is the start of the text: {excerpt}");
    assert_eq!(text[kept.len()..].chars().next(), Some(' '), "cut at a word boundary: {excerpt}");
    assert!(kept.chars().count() < 200, "cut before 200 characters: {}", kept.chars().count());
    assert!(excerpt.chars().count() <= 200, "at most 200 characters with the …: {}", excerpt.chars().count());
    let next_word = text[kept.len() + 1..].split(' ').next().unwrap_or_default();
    assert!(kept.chars().count() + 1 + next_word.chars().count() >= 200, "the cut is the last boundary: {excerpt}");

    let cases = [
        ("a short body", "Singkat saja.", "Singkat saja."),
        (
            "Markdown syntax",
            "## Judul\n\n**Tebal** dan _miring_ [tautan](https://warta.example).",
            "Judul Tebal dan miring tautan.",
        ),
        ("HTML entities", "Harga &amp; nilai &lt;naik&gt;.", "Harga & nilai <naik>."),
    ];
    for (what, body, expected) in cases {
        let article = desk.write(&app, json!({"body": body})).await;
        assert_eq!(article["excerpt"], expected, "{what}");
    }

    let given = "  Ringkasan  “khusus” — tidak dipotong… ";
    let custom = desk.write(&app, json!({"body": text.as_str(), "excerpt": given})).await;
    assert_eq!(custom["excerpt"], given, "a given excerpt is kept exactly");
    let body_changed = desk.edit(&app, &custom, &json!({"body": "Isi baru."})).await;
    assert_eq!(body_changed["excerpt"], given, "a new body leaves a given excerpt alone");
    let derived = desk.edit(&app, &body_changed, &json!({"excerpt": null})).await;
    assert_eq!(derived["excerpt"], "Isi baru.", "excerpt: null derives it again");
    let followed = desk.edit(&app, &derived, &json!({"body": "Isi ketiga."})).await;
    assert_eq!(followed["excerpt"], "Isi ketiga.", "a derived excerpt follows the body");
}

// ---------------------------------------------------------------------------------------------
// Display dates

#[actix_web::test]
async fn publication_times_are_displayed_in_indonesian_in_jakarta_time() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let mut cases: Vec<(String, String)> = vec![
        ("2023-08-31T07:09:00Z".into(), "Kamis, 31 Agustus 2023 | 14:09 WIB".into()),
        ("2023-12-31T16:59:00Z".into(), "Minggu, 31 Desember 2023 | 23:59 WIB".into()),
        ("2023-12-31T17:00:00Z".into(), "Senin, 1 Januari 2024 | 00:00 WIB".into()),
        ("2024-03-04T23:05:00Z".into(), "Selasa, 5 Maret 2024 | 06:05 WIB".into()),
        ("2024-02-29T01:00:00Z".into(), "Kamis, 29 Februari 2024 | 08:00 WIB".into()),
    ];
    let days = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"];
    for (day, name) in (1..).zip(days) {
        cases.push((format!("2024-01-{day:02}T05:00:00Z"), format!("{name}, {day} Januari 2024 | 12:00 WIB")));
    }
    let months = [
        ("Januari", "Senin"),
        ("Februari", "Kamis"),
        ("Maret", "Jumat"),
        ("April", "Senin"),
        ("Mei", "Rabu"),
        ("Juni", "Sabtu"),
        ("Juli", "Senin"),
        ("Agustus", "Kamis"),
        ("September", "Minggu"),
        ("Oktober", "Selasa"),
        ("November", "Jumat"),
        ("Desember", "Minggu"),
    ];
    for (month, (name, day)) in (1..).zip(months) {
        cases.push((format!("2024-{month:02}-15T02:30:00Z"), format!("{day}, 15 {name} 2024 | 09:30 WIB")));
    }
    let mut failures = Vec::new();
    for (published_at, expected) in &cases {
        let article = desk.publish(&app, json!({"published_at": published_at})).await;
        if article["published_at"] != published_at.as_str() || article["published_at_display"] != expected.as_str() {
            failures.push(format!(
                "{published_at}: expected {expected}, got {} / {}",
                article["published_at"], article["published_at_display"]
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    let draft = desk.write(&app, json!({})).await;
    assert_eq!((&draft["published_at"], &draft["published_at_display"]), (&Value::Null, &Value::Null));
    let dated = desk.edit(&app, &draft, &json!({"published_at": "2023-08-31T07:09:00Z"})).await;
    assert_eq!(dated["published_at_display"], "Kamis, 31 Agustus 2023 | 14:09 WIB", "{dated}");
    let undated = desk.edit(&app, &dated, &json!({"published_at": null})).await;
    assert_eq!(undated["published_at_display"], Value::Null, "null whenever published_at is null");
}

#[actix_web::test]
async fn other_time_zones_are_named_by_their_indonesian_abbreviation_or_offset() {
    let cases = [
        (chrono_tz::Asia::Makassar, "Kamis, 29 Februari 2024 | 09:05 WITA"),
        (chrono_tz::Asia::Jayapura, "Kamis, 29 Februari 2024 | 10:05 WIT"),
        (chrono_tz::Asia::Pontianak, "Kamis, 29 Februari 2024 | 08:05 WIB"),
        (chrono_tz::UTC, "Kamis, 29 Februari 2024 | 01:05 UTC+00:00"),
        (chrono_tz::Asia::Kolkata, "Kamis, 29 Februari 2024 | 06:35 UTC+05:30"),
    ];
    for (zone, expected) in cases {
        let app = TestApp::spawn_with(|s| s.timezone = zone).await;
        let desk = desk(&app).await;
        let article = desk.publish(&app, json!({"published_at": "2024-02-29T01:05:00Z"})).await;
        assert_eq!(article["published_at_display"], expected, "WARTA_TIMEZONE={zone}");
        assert_eq!(article["published_at"], "2024-02-29T01:05:00Z", "published_at stays in UTC");
    }
}

// ---------------------------------------------------------------------------------------------
// Slugs

#[actix_web::test]
async fn slugs_are_generated_from_titles_and_numbered_on_collision() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let cases = [
        ("Bédah Buku ‘Reset’", "bedah-buku-reset"),
        ("Bédah Buku ‘Reset’", "bedah-buku-reset-2"),
        ("bedah buku reset!", "bedah-buku-reset-3"),
        ("Kim Jong-un’s Visit", "kim-jong-uns-visit"),
        ("Berita 🎉 Terkini!!", "berita-terkini"),
        ("Straße Ça Va", "strasse-ca-va"),
        ("[Korea Utara]", "korea-utara"),
        ("2024", "article-2024"),
        ("2024", "article-2024-2"),
        ("  Ekonomi & Bisnis  ", "ekonomi-bisnis"),
    ];
    for (title, expected) in cases {
        let article = desk.write(&app, json!({"title": title})).await;
        assert_eq!(article["slug"], expected, "title {title:?}");
        assert_eq!(app.get_as(&desk.editor, &path_of(expected)).await.assert_status(200).json()["id"], article["id"]);
    }

    let long_title = "kata ".repeat(40);
    for suffix in ["", "-2"] {
        let article = desk.write(&app, json!({"title": long_title})).await;
        let slug = string(&article, "slug");
        assert!(slug.len() <= 120, "at most 120 characters: {slug} ({})", slug.len());
        assert!(slug.ends_with(&format!("kata{suffix}")), "cut at a word boundary: {slug}");
    }
}

#[actix_web::test]
async fn given_slugs_must_be_well_formed_and_free() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let too_long = "a".repeat(121);
    for bad in
        ["Berita", "berita--dunia", "-berita", "berita-", "2024", "berita dunia", "bérita", "../etc", "", &too_long]
    {
        let response = app.post(Some(&desk.editor), ARTICLES, &desk.body(json!({"slug": bad}))).await;
        assert_eq!(response.error_fields(), ["slug"], "slug {bad:?}");
    }
    let given = desk.write(&app, json!({"slug": "2024-pemilu"})).await;
    assert_eq!(given["slug"], "2024-pemilu");
    let longest = "a".repeat(120);
    assert_eq!(desk.write(&app, json!({"slug": longest})).await["slug"], longest.as_str());

    let taken = app.post(Some(&desk.editor), ARTICLES, &desk.body(json!({"slug": "2024-pemilu"}))).await;
    taken.assert_problem(409);
    let other = desk.write(&app, json!({"title": "Lain"})).await;
    let key = numeric_id(&other).to_string();
    app.patch_article(&desk.editor, &key, 1, &json!({"slug": "2024-pemilu"})).await.assert_problem(409);
    let bad = app.patch_article(&desk.editor, &key, 1, &json!({"slug": "Bukan Slug"})).await;
    assert_eq!(bad.error_fields(), ["slug"]);
}

#[actix_web::test]
async fn editing_the_title_never_changes_the_slug() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let article = desk.publish(&app, json!({"title": "Judul Pertama"})).await;
    let edited = desk.edit(&app, &article, &json!({"title": "Judul Kedua Sama Sekali"})).await;
    assert_eq!(edited["slug"], "judul-pertama");
    let draft = desk.write(&app, json!({"title": "Draf Awal"})).await;
    assert_eq!(desk.edit(&app, &draft, &json!({"title": "Draf Akhir"})).await["slug"], "draf-awal");
}

#[actix_web::test]
async fn a_slug_changed_after_publication_redirects_from_the_old_one() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let article = desk.publish(&app, json!({"title": "Judul Lama"})).await;
    let moved = desk.edit(&app, &article, &json!({"slug": "judul-baru"})).await;
    assert_eq!(moved["slug"], "judul-baru");

    let old = app.get(&path_of("judul-lama")).await;
    old.assert_status(301);
    let location = old.header("location").expect("a Location header");
    assert_eq!(location.strip_prefix(&app.address).unwrap_or(&location), "/api/v1/articles/judul-baru");
    assert_eq!(app.get(&path_of("judul-baru")).await.assert_status(200).json()["id"], article["id"]);

    desk.edit(&app, &moved, &json!({"slug": "judul-ketiga"})).await;
    for old_slug in ["judul-lama", "judul-baru"] {
        let response = app.get(&path_of(old_slug)).await;
        response.assert_status(301);
        let location = response.header("location").unwrap_or_default();
        assert!(location.ends_with("/api/v1/articles/judul-ketiga"), "{old_slug} redirects to {location}");
        let with_query = app.get(&format!("{}?utm_source=wa", path_of(old_slug))).await;
        let location = with_query.header("location").unwrap_or_default();
        assert!(location.ends_with("/api/v1/articles/judul-ketiga?utm_source=wa"), "the query goes along: {location}");
        // Pages still built with the old URL keep counting reads and showing related articles.
        app.post(None, &format!("{}/views", path_of(old_slug)), &json!({})).await.assert_status(202);
        app.get(&format!("{}/related", path_of(old_slug))).await.assert_status(200);
    }
}

#[actix_web::test]
async fn a_drafts_slug_change_leaves_no_redirect() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let draft = desk.write(&app, json!({"title": "Draf Lama"})).await;
    desk.edit(&app, &draft, &json!({"slug": "draf-baru"})).await;
    let old = app.get_as(&desk.editor, &path_of("draf-lama")).await;
    old.assert_problem(404);
    assert_eq!(app.get_as(&desk.editor, &path_of("draf-baru")).await.assert_status(200).json()["id"], draft["id"]);
    assert_eq!(
        desk.write(&app, json!({"title": "Draf Lama"})).await["slug"],
        "draf-lama",
        "the old slug is free again"
    );
}

// ---------------------------------------------------------------------------------------------
// Lists

/// The target of the `Link` relation `rel`.
fn link_target(response: &TestResponse, rel: &str) -> Option<String> {
    let header = response.header("link")?;
    let wanted = format!("rel=\"{rel}\"");
    let part = header.split(',').find(|part| part.contains(&wanted))?;
    Some(part.trim().trim_start_matches('<').split('>').next()?.to_owned())
}

#[actix_web::test]
async fn lists_are_paginated_with_an_envelope_and_links() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    for day in 1..=5 {
        desk.publish(
            &app,
            json!({"title": format!("Hari {day}"), "published_at": format!("2024-01-{day:02}T00:00:00Z")}),
        )
        .await;
    }
    let first = app.get(&format!("{ARTICLES}?per_page=2")).await;
    assert_eq!(titles(&first), ["Hari 5", "Hari 4"]);
    assert_eq!(first.json()["meta"], json!({"page": 1, "per_page": 2, "total": 5, "total_pages": 3}));
    let next = link_target(&first, "next").expect("page 1 links to the next");
    assert!(next.contains("page=2") && next.contains("per_page=2"), "next: {next}");
    assert_eq!(link_target(&first, "prev"), None, "page 1 has no prev");

    let last = app.get(&format!("{ARTICLES}?per_page=2&page=3")).await;
    assert_eq!(titles(&last), ["Hari 1"]);
    assert_eq!(last.json()["meta"], json!({"page": 3, "per_page": 2, "total": 5, "total_pages": 3}));
    assert_eq!(link_target(&last, "next"), None, "the last page has no next");
    assert!(link_target(&last, "prev").is_some_and(|p| p.contains("page=2")), "prev of the last page");

    let beyond = app.get(&format!("{ARTICLES}?per_page=2&page=9")).await;
    assert_eq!(titles(&beyond), Vec::<String>::new(), "beyond the end");
    assert_eq!(beyond.json()["meta"]["total"], 5);

    let default = app.get(ARTICLES).await;
    assert_eq!(default.json()["meta"], json!({"page": 1, "per_page": 20, "total": 5, "total_pages": 1}));
    let sorted = app.get(&format!("{ARTICLES}?per_page=2&sort=title")).await;
    let next = link_target(&sorted, "next").expect("a next link");
    assert!(next.contains("sort=title"), "links keep the other parameters: {next}");
    assert_eq!(titles(&app.get(&format!("{ARTICLES}?per_page=100")).await).len(), 5);

    for (query, status, field) in [
        ("per_page=101", 422, "per_page"),
        ("per_page=0", 422, "per_page"),
        ("page=0", 422, "page"),
        ("page=-1", 422, "page"),
        ("per_page=abc", 400, ""),
        ("page=1.5", 400, ""),
        ("page=99999999999999999999", 400, ""),
    ] {
        let response = app.get(&format!("{ARTICLES}?{query}")).await;
        assert_eq!(response.status, status, "{query}: {}", response.text());
        if status == 422 {
            assert_eq!(response.error_fields(), [field], "{query}");
        } else {
            response.assert_problem(status);
        }
    }
}

#[actix_web::test]
async fn lists_filter_by_category_with_descendants_author_and_tag() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let berita = desk.category;
    let dunia = app.create_category(&desk.editor, json!({"name": "Dunia", "parent_id": berita})).await;
    let asia = app.create_category(&desk.editor, json!({"name": "Asia", "parent_id": dunia["id"]})).await;
    let olahraga = app.create_category(&desk.editor, json!({"name": "Olahraga"})).await;
    let budi = app.create_author(&desk.editor, json!({"name": "Budi Santoso"})).await;
    for (title, category, author, tags) in [
        ("Di Berita", json!(berita), json!([desk.author]), json!(["Pemilu"])),
        ("Di Dunia", dunia["id"].clone(), json!([budi["id"]]), json!(["Pemilu", "Korea Utara"])),
        ("Di Asia", asia["id"].clone(), json!([desk.author, budi["id"]]), json!([])),
        ("Di Olahraga", olahraga["id"].clone(), json!([budi["id"]]), json!(["Sepak Bola"])),
    ] {
        desk.publish(&app, json!({"title": title, "category_id": category, "author_ids": author, "tags": tags})).await;
    }
    let cases = [
        ("category=berita", vec!["Di Berita", "Di Dunia", "Di Asia"]),
        ("category=dunia", vec!["Di Dunia", "Di Asia"]),
        ("category=asia", vec!["Di Asia"]),
        ("category=olahraga", vec!["Di Olahraga"]),
        ("author=reni-erina", vec!["Di Berita", "Di Asia"]),
        ("author=budi-santoso", vec!["Di Dunia", "Di Asia", "Di Olahraga"]),
        ("tag=pemilu", vec!["Di Berita", "Di Dunia"]),
        ("tag=korea-utara", vec!["Di Dunia"]),
        ("category=dunia&author=reni-erina", vec!["Di Asia"]),
        ("category=berita&tag=sepak-bola", vec![]),
        ("category=tidak-ada", vec![]),
        ("author=tidak-ada", vec![]),
        ("tag=tidak-ada", vec![]),
    ];
    for (query, expected) in cases {
        let response = app.get(&format!("{ARTICLES}?{query}")).await;
        let got: BTreeSet<String> = titles(&response).into_iter().collect();
        let expected: BTreeSet<String> = expected.into_iter().map(str::to_owned).collect();
        assert_eq!(got, expected, "?{query}");
        assert_eq!(response.json()["meta"]["total"], expected.len(), "?{query} total");
    }
}

#[actix_web::test]
async fn lists_are_sorted_as_asked() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    for (title, published_at) in [
        ("Cempaka", "2023-01-01T00:00:00Z"),
        ("Anggrek", "2023-03-01T00:00:00Z"),
        ("Bougenvil", "2023-02-01T00:00:00Z"),
    ] {
        desk.publish(&app, json!({"title": title, "published_at": published_at})).await;
    }
    for (query, expected) in [
        ("", ["Anggrek", "Bougenvil", "Cempaka"]),
        ("?sort=-published_at", ["Anggrek", "Bougenvil", "Cempaka"]),
        ("?sort=published_at", ["Cempaka", "Bougenvil", "Anggrek"]),
        ("?sort=title", ["Anggrek", "Bougenvil", "Cempaka"]),
    ] {
        assert_eq!(titles(&app.get(&format!("{ARTICLES}{query}")).await), expected, "{query}");
    }
    app.get(&format!("{ARTICLES}?sort=-view_count")).await.assert_status(200);
    for bad in ["bogus", "-title", "view_count", "published_at,title", "TITLE"] {
        let response = app.get(&list_path(&[("sort", bad)])).await;
        assert_eq!(response.error_fields(), ["sort"], "sort={bad}");
    }
}

#[actix_web::test]
async fn list_items_are_summaries_without_the_body() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let article = desk.publish(&app, json!({"body": "Isi **lengkap**."})).await;
    let item = items(&app.get(ARTICLES).await).pop().expect("one item");
    assert!(item.get("body").is_none() && item.get("body_html").is_none(), "a summary has no body: {item}");
    let mut full = article.as_object().cloned().expect("an object");
    full.remove("body");
    full.remove("body_html");
    assert_eq!(item, Value::Object(full), "every other field is the article's");
}

// ---------------------------------------------------------------------------------------------
// Search

async fn search(app: &TestApp, q: &str) -> Vec<String> {
    titles(&app.get(&list_path(&[("q", q)])).await)
}

#[actix_web::test]
async fn search_ignores_case_and_accents() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    desk.publish(&app, json!({"title": "Ékonomi Tumbuh Pesat"})).await;
    desk.publish(&app, json!({"title": "Desa", "body": "Kopi Gayo sangat NIKMAT dan ekonomi desa naik."})).await;
    desk.publish(&app, json!({"title": "Lain", "body": "Tidak ada yang cocok."})).await;
    for q in ["ekonomi", "EKONOMI", "Ékonomi", "ékonomi", "ekonomí"] {
        let found: BTreeSet<String> = search(&app, q).await.into_iter().collect();
        let expected: BTreeSet<String> = ["Ékonomi Tumbuh Pesat", "Desa"].iter().map(|t| (*t).to_owned()).collect();
        assert_eq!(found, expected, "q={q}");
    }
    assert_eq!(search(&app, "nikmat").await, ["Desa"]);
    assert_eq!(search(&app, "TUMBUH pesat").await, ["Ékonomi Tumbuh Pesat"]);
    assert_eq!(search(&app, "semangka").await, Vec::<String>::new());
}

#[actix_web::test]
async fn search_puts_title_matches_above_body_matches() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let in_title = json!({"title": "Banjir melanda Jakarta", "published_at": "2024-01-01T00:00:00Z",
        "body": "Air setinggi lutut menggenangi jalan utama sejak pagi hari, kata petugas di lapangan."});
    desk.publish(&app, in_title).await;
    let in_body = json!({"title": "Laporan cuaca pekan ini", "published_at": "2024-02-01T00:00:00Z",
        "excerpt": "Banjir datang lagi.", "body": "Warga diminta waspada banjir. Banjir datang hampir tiap tahun di kawasan ini."});
    desk.publish(&app, in_body).await;
    let in_body_excerpt = json!({"title": "Catatan redaksi", "published_at": "2024-03-01T00:00:00Z",
        "excerpt": "Tentang cuaca.", "body": "Sungai meluap dan banjir menggenang."});
    desk.publish(&app, in_body_excerpt).await;
    desk.publish(&app, json!({"title": "Harga cabai", "body": "Tidak terkait."})).await;

    // The title match, then the excerpt match, then the body match: tiers before dates, although
    // the last is the newest.
    let found = search(&app, "banjir").await;
    assert_eq!(found, ["Banjir melanda Jakarta", "Laporan cuaca pekan ini", "Catatan redaksi"]);
    let by_title = titles(&app.get(&list_path(&[("q", "banjir"), ("sort", "title")])).await);
    assert_eq!(
        by_title,
        ["Banjir melanda Jakarta", "Catatan redaksi", "Laporan cuaca pekan ini"],
        "sort wins over rank"
    );
}

#[actix_web::test]
async fn search_syntax_in_the_query_is_never_a_server_error() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    desk.publish(&app, json!({"title": "Rudal diluncurkan", "body": "Korea Utara meluncurkan rudal."})).await;
    let queries = [
        "\"rudal",
        "rudal\"",
        "\"",
        "*",
        "rudal*",
        "NEAR(",
        "NEAR(rudal korea",
        "title:rudal",
        "body:",
        "OR",
        "rudal OR",
        "AND rudal",
        "NOT",
        "-rudal",
        "^rudal",
        "(",
        ")",
        "{title body}: rudal",
        "'",
        "%",
        "\\",
        "rudal; DROP TABLE articles; --",
        "' OR 1=1 --",
        "",
        "   ",
        "…",
        "🎉",
        "a:b:c",
    ];
    for q in queries {
        let response = app.get(&list_path(&[("q", q)])).await;
        assert_eq!(response.status, 200, "q={q:?}: {}", response.text());
        assert!(response.json()["data"].is_array(), "q={q:?}");
    }
    assert_eq!(search(&app, "rudal\"").await, ["Rudal diluncurkan"], "a stray quote is just punctuation");
    assert_eq!(app.get(ARTICLES).await.json()["meta"]["total"], 1, "the table is still there");
}

#[actix_web::test]
async fn search_follows_edits_and_deletes_at_once() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let article = desk.publish(&app, json!({"title": "Harga semangka", "body": "Semangka murah di pasar."})).await;
    assert_eq!(search(&app, "semangka").await, ["Harga semangka"]);
    let edited = desk.edit(&app, &article, &json!({"title": "Harga durian", "body": "Durian mahal di pasar."})).await;
    assert_eq!(search(&app, "semangka").await, Vec::<String>::new(), "old words are no longer found");
    assert_eq!(search(&app, "durian").await, ["Harga durian"], "new words are found");
    let excerpted = desk.edit(&app, &edited, &json!({"excerpt": "Ringkasan rambutan."})).await;
    assert_eq!(search(&app, "rambutan").await, ["Harga durian"], "the excerpt is searched");

    let path = path_of(numeric_id(&excerpted));
    let if_match = format!("\"{}\"", excerpted["version"]);
    let deleted = app.request_with(Method::DELETE, &path, Some(&desk.editor), &[("If-Match", &if_match)], None).await;
    deleted.assert_status(204);
    assert_eq!(search(&app, "durian").await, Vec::<String>::new(), "a deleted article is no longer found");
}

// ---------------------------------------------------------------------------------------------
// Validation and tags

#[actix_web::test]
async fn invalid_article_writes_name_the_field() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let without = |field: &str| {
        let mut body = desk.body(json!({}));
        body.as_object_mut().expect("an object").remove(field);
        body
    };
    let cases = [
        ("an empty title", desk.body(json!({"title": ""})), "title"),
        ("a blank title", desk.body(json!({"title": "   "})), "title"),
        ("no title", without("title"), "title"),
        ("a title that is a number", desk.body(json!({"title": 5})), "title"),
        ("no body", without("body"), "body"),
        ("no category", without("category_id"), "category_id"),
        ("a category that names nothing", desk.body(json!({"category_id": 999})), "category_id"),
        ("an unknown body format", desk.body(json!({"body_format": "rtf"})), "body_format"),
        ("an unknown status", desk.body(json!({"status": "live"})), "status"),
        ("a javascript: cover", desk.body(json!({"cover_image": {"url": "javascript:alert(1)"}})), "cover_image.url"),
        ("a relative cover", desk.body(json!({"cover_image": {"url": "/gambar.jpg"}})), "cover_image.url"),
        ("a published_at that is no time", desk.body(json!({"published_at": "kemarin"})), "published_at"),
        ("tags that are not a list", desk.body(json!({"tags": "Pemilu"})), "tags"),
    ];
    for (what, body, field) in cases {
        let response = app.post(Some(&desk.editor), ARTICLES, &body).await;
        assert_eq!(response.error_fields(), [field], "{what}");
    }
    let response = app.post(Some(&desk.editor), ARTICLES, &desk.body(json!({"author_ids": [999]}))).await;
    let fields = response.error_fields();
    assert!(!fields.is_empty() && fields.iter().all(|f| f.starts_with("author_ids")), "unknown author: {fields:?}");
    let all = app.get_as(&desk.editor, &format!("{ARTICLES}?status=any")).await;
    assert_eq!(all.json()["meta"]["total"], 0, "no invalid write created an article");
}

#[actix_web::test]
async fn naming_a_new_tag_creates_it_and_names_are_deduplicated_ignoring_case() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let existing = app.create_tag(&desk.editor, json!({"name": "Korea Utara"})).await;
    let writer = app.token_for("writer").await;
    let body = desk.body(json!({"tags": ["Pemilu 2024", "pemilu 2024", "PEMILU 2024", "korea utara"]}));
    let article = app.create_article(&writer, body).await;
    let tags = article["tags"].as_array().expect("tags");
    assert_eq!(tags.len(), 2, "one tag per name, whatever the case: {}", article["tags"]);
    let korea = tags.iter().find(|t| t["slug"] == "korea-utara").expect("the existing tag");
    assert_eq!((&korea["id"], &korea["name"]), (&existing["id"], &json!("Korea Utara")), "the existing tag is reused");
    let pemilu = tags.iter().find(|t| t["slug"] == "pemilu-2024").expect("a new tag");
    assert_eq!(pemilu["name"], "Pemilu 2024", "a new tag keeps the first spelling");
    let stored = app.get_as(&writer, "/api/v1/tags/pemilu-2024").await.assert_status(200).json();
    assert_eq!((&stored["id"], &stored["name"]), (&pemilu["id"], &pemilu["name"]));
}

// ---------------------------------------------------------------------------------------------
// Categories, authors and tags

async fn article_count(app: &TestApp, path: &str) -> Value {
    app.get(path).await.assert_status(200).json()["article_count"].clone()
}

#[actix_web::test]
async fn category_author_and_tag_counts_include_only_visible_articles() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let dunia = app.create_category(&desk.editor, json!({"name": "Dunia", "parent_id": desk.category})).await;
    let budi = app.create_author(&desk.editor, json!({"name": "Budi Santoso"})).await;
    let future = (chrono::Utc::now() + chrono::Duration::days(1)).format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let in_dunia = json!({"category_id": dunia["id"], "tags": ["Pemilu"], "author_ids": [desk.author, budi["id"]]});
    desk.publish(&app, in_dunia.clone()).await;
    desk.publish(&app, json!({"tags": ["Pemilu"]})).await;
    desk.write(&app, in_dunia.clone()).await;
    desk.write(&app, with(in_dunia.clone(), json!({"status": "review"}))).await;
    desk.write(&app, with(in_dunia.clone(), json!({"status": "archived"}))).await;
    desk.publish(&app, with(in_dunia, json!({"published_at": future}))).await;

    for (path, expected) in [
        ("/api/v1/categories/berita", 2),
        ("/api/v1/categories/dunia", 1),
        ("/api/v1/authors/reni-erina", 2),
        ("/api/v1/authors/budi-santoso", 1),
        ("/api/v1/tags/pemilu", 2),
    ] {
        assert_eq!(article_count(&app, path).await, expected, "{path}");
    }
    let list = app.get("/api/v1/categories").await.assert_status(200).json();
    let berita = list["data"].as_array().expect("data").iter().find(|c| c["slug"] == "berita").cloned();
    assert_eq!(berita.map(|c| c["article_count"].clone()), Some(json!(2)), "the category list counts too");
}

#[actix_web::test]
async fn categories_and_authors_in_use_cannot_be_deleted() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let for_draft = app.create_category(&desk.editor, json!({"name": "Untuk Draf"})).await;
    let for_published = app.create_category(&desk.editor, json!({"name": "Untuk Terbit"})).await;
    let unused_category = app.create_category(&desk.editor, json!({"name": "Kosong"})).await;
    let draft_author = app.create_author(&desk.editor, json!({"name": "Penulis Draf"})).await;
    let unused_author = app.create_author(&desk.editor, json!({"name": "Penulis Kosong"})).await;
    desk.write(&app, json!({"category_id": for_draft["id"], "author_ids": [draft_author["id"]]})).await;
    desk.publish(&app, json!({"category_id": for_published["id"]})).await;

    for (what, path, expected) in [
        ("a category with only a draft", format!("/api/v1/categories/{}", for_draft["id"]), 409),
        ("a category with a published article", format!("/api/v1/categories/{}", for_published["id"]), 409),
        ("an author bylined on a draft", format!("/api/v1/authors/{}", draft_author["id"]), 409),
        ("an author bylined on a published article", "/api/v1/authors/reni-erina".to_owned(), 409),
        ("an unused category", format!("/api/v1/categories/{}", unused_category["id"]), 204),
        ("an unused author", format!("/api/v1/authors/{}", unused_author["id"]), 204),
    ] {
        let response = app.delete(Some(&desk.editor), &path).await;
        assert_eq!(response.status, expected, "deleting {what}: {}", response.text());
        let after = app.get(&path).await.status;
        assert_eq!(after, if expected == 204 { 404 } else { 200 }, "{what} afterwards");
    }
}

#[actix_web::test]
async fn deleting_a_tag_removes_it_from_articles() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let article = desk.publish(&app, json!({"tags": ["Pemilu", "Korea Utara"]})).await;
    app.delete(Some(&desk.editor), "/api/v1/tags/pemilu").await.assert_status(204);
    let read = app.get(&path_of(numeric_id(&article))).await.assert_status(200).json();
    let slugs: Vec<&str> = read["tags"].as_array().expect("tags").iter().map(|t| string(t, "slug")).collect();
    assert_eq!(slugs, ["korea-utara"], "the deleted tag is gone from the article");
    assert_eq!(titles(&app.get(&format!("{ARTICLES}?tag=pemilu")).await), Vec::<String>::new());
}

#[actix_web::test]
async fn unknown_articles_are_404() {
    let app = TestApp::spawn().await;
    let token = app.token_for("editor").await;
    for key in ["999999", "0", "99999999999999999999", "tidak-ada"] {
        app.get(&path_of(key)).await.assert_problem(404);
        app.get_as(&token, &path_of(key)).await.assert_problem(404);
    }
}
