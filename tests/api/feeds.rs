//! Black-box tests of the feeds ("UPDATE" latest and "Populer" trending), of the view beacon that
//! counts reads for trending and `view_count`, and of related articles. The small helpers here are
//! shared with `caching.rs`.

use std::fmt::Display;
use std::path::Path;
use std::time::Duration;

use actix_web::http::Method;
use chrono::Utc;
use serde_json::{json, Value};
use warta::config::Settings;
use warta::domain::ids::ArticleId;

use crate::helpers::{TestApp, TestResponse};

pub(crate) const ARTICLES: &str = "/api/v1/articles";
pub(crate) const CATEGORIES: &str = "/api/v1/categories";
pub(crate) const LATEST: &str = "/api/v1/feeds/latest";
pub(crate) const TRENDING: &str = "/api/v1/feeds/trending";
/// A reader's browser, which counts.
pub(crate) const READER: &str = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36";
/// Another reader's app.
const APP_READER: &str = "Warta/1.0 iOS";

// ---------------------------------------------------------------------------------------------
// Shared helpers

pub(crate) fn numeric_id(value: &Value) -> i64 {
    value["id"].as_i64().unwrap_or_else(|| panic!("no numeric id in {value}"))
}

pub(crate) fn slug(value: &Value) -> String {
    value["slug"].as_str().unwrap_or_else(|| panic!("no slug in {value}")).to_owned()
}

pub(crate) fn path_of(key: impl Display) -> String {
    format!("{ARTICLES}/{key}")
}

/// `path` with this query, encoded.
pub(crate) fn with_query(path: &str, query: &[(&str, &str)]) -> String {
    format!("{path}?{}", serde_urlencoded::to_string(query).expect("an encodable query"))
}

/// The items of a list or feed answer, which must be a 200.
pub(crate) fn items(list: &TestResponse) -> Vec<Value> {
    list.assert_status(200);
    list.json()["data"].as_array().unwrap_or_else(|| panic!("data is an array: {}", list.text())).clone()
}

pub(crate) fn titles(list: &TestResponse) -> Vec<String> {
    items(list).iter().map(|a| a["title"].as_str().unwrap_or_else(|| panic!("a title in {a}")).to_owned()).collect()
}

/// A time `hours` from now (negative: in the past), as the contract writes it.
pub(crate) fn hours_from_now(hours: i64) -> String {
    (Utc::now() + chrono::Duration::hours(hours)).format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn with(mut base: Value, extra: Value) -> Value {
    if let (Some(fields), Value::Object(extra)) = (base.as_object_mut(), extra) {
        fields.extend(extra);
    }
    base
}

/// Views are written every 100 ms and nothing computed is reused, so reads show quickly.
pub(crate) fn fast_views(s: &mut Settings) {
    s.view_flush_interval = Duration::from_millis(100);
    s.trending_cache = Duration::ZERO;
    s.response_cache_ttl = Duration::ZERO;
}

/// An editor, with a category and a byline to write in.
pub(crate) struct Desk {
    pub(crate) editor: String,
    pub(crate) category: i64,
    pub(crate) author: i64,
}

pub(crate) async fn desk(app: &TestApp) -> Desk {
    let editor = app.token_for("editor").await;
    let category = numeric_id(&app.create_category(&editor, json!({"name": "Berita"})).await);
    let author = numeric_id(&app.create_author(&editor, json!({"name": "Reni Erina"})).await);
    Desk { editor, category, author }
}

impl Desk {
    /// Creates an article as the editor (a draft unless `fields` names a status).
    pub(crate) async fn write(&self, app: &TestApp, fields: Value) -> Value {
        let base = json!({"title": "Berita hari ini", "body": "Isi berita.", "category_id": self.category,
            "author_ids": [self.author]});
        app.create_article(&self.editor, with(base, fields)).await
    }

    /// Creates a published article (at `published_at` when `fields` names one).
    pub(crate) async fn publish(&self, app: &TestApp, fields: Value) -> Value {
        self.write(app, with(json!({"status": "published"}), fields)).await
    }

    pub(crate) async fn edit(&self, app: &TestApp, article: &Value, change: &Value) -> Value {
        let version = article["version"].as_i64().expect("a version");
        let response = app.patch_article(&self.editor, &numeric_id(article).to_string(), version, change).await;
        response.assert_status(200);
        response.json()
    }

    pub(crate) async fn delete(&self, app: &TestApp, article: &Value) {
        let if_match = format!("\"{}\"", article["version"].as_i64().expect("a version"));
        let path = path_of(numeric_id(article));
        app.request_with(Method::DELETE, &path, Some(&self.editor), &[("If-Match", &if_match)], None)
            .await
            .assert_status(204);
    }

    pub(crate) async fn category(&self, app: &TestApp, name: &str, parent: Option<i64>) -> i64 {
        numeric_id(&app.create_category(&self.editor, json!({"name": name, "parent_id": parent})).await)
    }
}

/// Sends a request built on the app's client and reads the whole answer.
pub(crate) async fn fetch(request: awc::ClientRequest, body: Option<&Value>) -> TestResponse {
    let sent = match body {
        Some(body) => request.send_json(body).await,
        None => request.send().await,
    };
    let mut response = sent.expect("the request was sent");
    let body = response.body().limit(1 << 24).await.expect("the body was read").to_vec();
    TestResponse { status: response.status().as_u16(), headers: response.headers().clone(), body }
}

/// Posts one read of the article `key` with these headers; returns the status.
pub(crate) async fn read_with(app: &TestApp, key: impl Display, headers: &[(&str, &str)]) -> u16 {
    app.request_with(Method::POST, &format!("{}/views", path_of(key)), None, headers, None).await.status
}

pub(crate) async fn view_count(app: &TestApp, key: impl Display) -> i64 {
    let article = app.get(&path_of(key)).await;
    article.assert_status(200);
    article.json()["view_count"].as_i64().unwrap_or_else(|| panic!("a numeric view_count: {}", article.text()))
}

/// Waits until the reads accepted so far are written, then checks the article's `view_count`.
pub(crate) async fn wait_for_view_count(app: &TestApp, key: impl Display + Copy, expected: i64) {
    settles_at(app, key, expected, "every accepted read written").await;
}

/// Waits until the reads accepted so far are written (no more can arrive after that), then checks
/// that `expected` of them counted.
async fn settles_at(app: &TestApp, key: impl Display + Copy, expected: i64, why: &str) {
    app.wait_for_views_written().await;
    assert_eq!(view_count(app, key).await, expected, "{why}: view_count of {key}");
}

/// Writes reads into hourly buckets through the code: `(article, hours before the current hour, reads)`.
pub(crate) fn add_views(app: &TestApp, buckets: &[(&Value, i64, i64)]) {
    let db = app.db();
    let current = warta::views::service::hour_of(Utc::now().naive_utc());
    for (article, hours_back, views) in buckets {
        let id = ArticleId(i32::try_from(numeric_id(article)).expect("an id fits"));
        let hour = current - hours_back * 3600;
        db.run_now(|conn| Ok(warta::views::repo::add_to_bucket(conn, id, hour, *views)?))
            .expect("the bucket is written");
    }
    // Written around the view flush, as a bulk load would: the running totals are out of date.
    db.run_now(|conn| Ok(warta::views::repo::forget_trending_totals(conn)?)).expect("the totals are set aside");
}

/// Titles and `views` of a trending answer, most read first.
fn ranking(feed: &TestResponse) -> Vec<(String, i64)> {
    items(feed)
        .iter()
        .map(|item| {
            let views = item["views"].as_i64().unwrap_or_else(|| panic!("views in {item}"));
            (item["title"].as_str().unwrap_or_else(|| panic!("a title in {item}")).to_owned(), views)
        })
        .collect()
}

fn ranked(expected: &[(&str, i64)]) -> Vec<(String, i64)> {
    expected.iter().map(|(title, views)| (title.to_string(), *views)).collect()
}

/// The article's reads in the default trending window, if it is listed at all.
async fn trending_views(app: &TestApp, title: &str) -> Option<i64> {
    ranking(&app.get(TRENDING).await).into_iter().find(|(t, _)| t == title).map(|(_, views)| views)
}

/// Asserts that a list item is a summary: every field but `body` and `body_html`.
#[track_caller]
fn assert_summary(item: &Value, context: &str) {
    for absent in ["body", "body_html"] {
        assert!(item.get(absent).is_none(), "{context}: a summary has no {absent}: {item}");
    }
    for present in ["id", "slug", "title", "excerpt", "category", "authors", "tags", "published_at", "view_count"] {
        assert!(item.get(present).is_some(), "{context}: a summary has {present}: {item}");
    }
    assert_eq!(item["status"], "published", "{context}: only visible articles: {item}");
}

/// Asserts each `(parameter, value, status, why)` is refused as a problem; a 422 names the parameter.
async fn assert_refused(app: &TestApp, path: &str, cases: &[(&str, &str, u16, &str)]) {
    for (name, value, status, why) in cases {
        let response = app.get(&with_query(path, &[(name, value)])).await;
        assert_eq!(response.status, *status, "{path}, {why}: {}", response.text());
        response.assert_problem(*status);
        if *status == 422 {
            assert_eq!(response.error_fields(), [*name], "{path}, {why}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Latest

#[actix_web::test]
async fn the_latest_feed_lists_visible_articles_newest_first_as_summaries() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let twins_at = hours_from_now(-2);
    desk.publish(&app, json!({"title": "Lama", "published_at": hours_from_now(-5)})).await;
    desk.publish(&app, json!({"title": "Kembar Satu", "published_at": twins_at})).await;
    desk.publish(&app, json!({"title": "Kembar Dua", "published_at": twins_at})).await;
    desk.publish(&app, json!({"title": "Baru", "published_at": hours_from_now(-1)})).await;
    desk.write(&app, json!({"title": "Konsep"})).await;
    desk.write(&app, json!({"title": "Ditinjau", "status": "review"})).await;
    desk.write(&app, json!({"title": "Diarsipkan", "status": "archived", "published_at": hours_from_now(-3)})).await;
    desk.publish(&app, json!({"title": "Nanti", "published_at": hours_from_now(5)})).await;

    let feed = app.get(LATEST).await;
    assert_eq!(
        titles(&feed),
        ["Baru", "Kembar Dua", "Kembar Satu", "Lama"],
        "published_at descending, then id descending; drafts, reviews, archived and future articles never"
    );
    let body = feed.json();
    assert!(body.get("next_cursor").is_some_and(Value::is_null), "next_cursor is null on the last page: {body}");
    for item in items(&feed) {
        assert_summary(&item, "latest");
    }
}

#[actix_web::test]
async fn the_latest_feed_gives_ten_by_default_and_one_to_fifty_when_asked() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    for n in 1..=12 {
        desk.publish(&app, json!({"title": format!("Berita {n}"), "published_at": hours_from_now(-n)})).await;
    }
    let cases = [
        (LATEST.to_owned(), 10, true, "the default is 10, with more to come"),
        (with_query(LATEST, &[("limit", "1")]), 1, true, "limit=1 gives one"),
        (with_query(LATEST, &[("limit", "12")]), 12, false, "exactly everything: no next page"),
        (with_query(LATEST, &[("limit", "50")]), 12, false, "limit=50 is allowed"),
        (with_query(LATEST, &[("cursor", "")]), 10, true, "an empty cursor is the first page"),
        (format!("{LATEST}?limit=10&category=&cursor="), 10, true, "the contract's URL with both left empty"),
    ];
    for (path, count, more, why) in cases {
        let feed = app.get(&path).await;
        assert_eq!(items(&feed).len(), count, "{why}");
        assert_eq!(titles(&feed)[0], "Berita 1", "{why}: newest first");
        assert_eq!(feed.json()["next_cursor"].is_string(), more, "{why}: {}", feed.text());
    }
}

#[actix_web::test]
async fn the_latest_feed_refuses_limits_out_of_range_and_cursors_it_did_not_issue() {
    let app = TestApp::spawn().await;
    let cases = [
        ("limit", "0", 422, "limit below 1"),
        ("limit", "51", 422, "limit above 50"),
        ("limit", "-3", 422, "a negative limit"),
        ("limit", "abc", 400, "a limit that is not a number"),
        ("limit", "1.5", 400, "a limit that is not an integer"),
        ("limit", "99999999999999999999", 400, "a limit outside 64 bits"),
        ("cursor", "bukan-kursor!", 400, "a cursor that is not base64"),
        ("cursor", "bm90IGEgY3Vyc29y", 400, "base64 of something that is not a cursor"),
    ];
    assert_refused(&app, LATEST, &cases).await;
}

/// A cursor carries the publication time exactly as stored, so articles a microsecond apart (or at
/// the same instant) are neither skipped nor repeated. Times are kept to the microsecond on both
/// engines: finer digits are dropped.
#[actix_web::test]
async fn paging_keeps_articles_published_within_one_microsecond() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let times = ["2024-01-01T00:00:00.000001Z", "2024-01-01T00:00:00.000000200Z", "2024-01-01T00:00:00.000000700Z"];
    for (n, at) in times.iter().enumerate() {
        let published = desk.publish(&app, json!({"title": format!("Serentak {n}"), "published_at": at})).await;
        assert!(
            published["published_at"].as_str().is_some_and(|t| !t.contains("200") && !t.contains("700")),
            "{published}"
        );
    }
    let mut seen = Vec::new();
    let mut path = with_query(LATEST, &[("limit", "1")]);
    for _ in 0..10 {
        let feed = app.get(&path).await;
        seen.extend(titles(&feed));
        match feed.json()["next_cursor"].as_str() {
            Some(cursor) => path = with_query(LATEST, &[("limit", "1"), ("cursor", cursor)]),
            None => break,
        }
    }
    assert_eq!(seen, ["Serentak 0", "Serentak 2", "Serentak 1"], "newest first, then the higher id");
}

#[actix_web::test]
async fn paging_the_latest_feed_never_repeats_or_skips_while_articles_are_published() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    for n in 1..=25 {
        desk.publish(&app, json!({"title": format!("Berita {n}")})).await;
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    for page in 1..=5 {
        let path = match &cursor {
            Some(cursor) => with_query(LATEST, &[("limit", "10"), ("cursor", cursor)]),
            None => with_query(LATEST, &[("limit", "10")]),
        };
        let feed = app.get(&path).await;
        seen.extend(titles(&feed));
        // Newer articles arrive while the reader is between pages.
        desk.publish(&app, json!({"title": format!("Sela {page}")})).await;
        cursor = feed.json()["next_cursor"].as_str().map(str::to_owned);
        if cursor.is_none() {
            assert_eq!(page, 3, "25 articles are three pages of 10");
            break;
        }
    }
    assert!(cursor.is_none(), "paging ends");
    let expected: Vec<String> = (1..=25).rev().map(|n| format!("Berita {n}")).collect();
    assert_eq!(seen, expected, "every article exactly once, newest first, none published later");
}

/// Berita > Dunia > Asia, and Olahraga beside them, with one article in each: the deeper, the
/// newer and the more read, so both feeds order them the same way.
async fn one_article_per_category(app: &TestApp) -> Desk {
    let desk = desk(app).await;
    let dunia = desk.category(app, "Dunia", Some(desk.category)).await;
    let asia = desk.category(app, "Asia", Some(dunia)).await;
    let olahraga = desk.category(app, "Olahraga", None).await;
    let placed =
        [("Di Berita", desk.category, 1), ("Di Dunia", dunia, 2), ("Di Asia", asia, 3), ("Di Olahraga", olahraga, 4)];
    let mut buckets = Vec::new();
    for (title, category, rank) in placed {
        let fields = json!({"title": title, "category_id": category, "published_at": hours_from_now(rank - 10)});
        buckets.push((desk.publish(app, fields).await, rank));
    }
    let buckets: Vec<(&Value, i64, i64)> = buckets.iter().map(|(article, rank)| (article, 0, *rank)).collect();
    add_views(app, &buckets);
    desk
}

#[actix_web::test]
async fn both_feeds_filtered_by_category_include_its_descendants() {
    let app = TestApp::spawn_with(fast_views).await;
    one_article_per_category(&app).await;
    let cases = [
        ("berita", &["Di Asia", "Di Dunia", "Di Berita"][..], "a root with its children and grandchildren"),
        ("dunia", &["Di Asia", "Di Dunia"][..], "a middle category with its child"),
        ("asia", &["Di Asia"][..], "a leaf"),
        ("olahraga", &["Di Olahraga"][..], "another root"),
    ];
    for feed in [LATEST, TRENDING] {
        for (category, expected, why) in cases {
            let response = app.get(&with_query(feed, &[("category", category)])).await;
            assert_eq!(titles(&response), expected, "{feed}?category={category}: {why}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Trending

#[actix_web::test]
async fn trending_ranks_the_reads_of_each_window_most_first() {
    let app = TestApp::spawn_with(fast_views).await;
    let desk = desk(&app).await;
    let long_ago = hours_from_now(-24 * 60);
    let mut articles = Vec::new();
    for title in ["Satu Jam", "Sehari", "Sepekan", "Sebulan", "Kuno", "Tanpa Pembaca"] {
        articles.push(desk.publish(&app, json!({"title": title, "published_at": long_ago})).await);
    }
    let draft = desk.write(&app, json!({"title": "Konsep"})).await;
    let archived = desk.write(&app, json!({"title": "Arsip", "status": "archived", "published_at": long_ago})).await;
    let scheduled = desk.publish(&app, json!({"title": "Nanti", "published_at": hours_from_now(5)})).await;
    let [hour, day, week, month, ancient, _] = &articles[..] else { panic!("six articles") };
    add_views(
        &app,
        &[
            (hour, 0, 10),
            (day, 0, 4),
            (day, 5, 20),
            (week, 72, 100),
            (month, 20 * 24, 500),
            (ancient, 40 * 24, 1000),
            (&draft, 0, 9999),
            (&archived, 0, 9999),
            (&scheduled, 0, 9999),
        ],
    );
    let week_ranking = ranked(&[("Sepekan", 100), ("Sehari", 24), ("Satu Jam", 10)]);
    let cases = [
        (Some("1h"), ranked(&[("Satu Jam", 10), ("Sehari", 4)]), "the last hour"),
        (Some("24h"), ranked(&[("Sehari", 24), ("Satu Jam", 10)]), "the last day"),
        (Some("7d"), week_ranking.clone(), "the last week"),
        (Some("30d"), ranked(&[("Sebulan", 500), ("Sepekan", 100), ("Sehari", 24), ("Satu Jam", 10)]), "30 days"),
        (None, week_ranking, "the default window is 7d"),
    ];
    for (window, expected, why) in cases {
        let path = window.map_or(TRENDING.to_owned(), |w| with_query(TRENDING, &[("window", w)]));
        let feed = app.get(&path).await;
        assert_eq!(ranking(&feed), expected, "{why}: never drafts, archived, future or unread articles");
        let body = feed.json();
        assert!(body.get("next_cursor").is_none(), "{why}: trending has no next_cursor key: {body}");
        for item in items(&feed) {
            assert_summary(&item, why);
        }
    }
}

#[actix_web::test]
async fn trending_ties_go_to_the_later_publication_and_limit_defaults_to_ten() {
    let app = TestApp::spawn_with(fast_views).await;
    let desk = desk(&app).await;
    // Created before the older one, so the id order is the opposite of the publication order.
    let newer = desk.publish(&app, json!({"title": "Terbit Belakangan", "published_at": hours_from_now(-1)})).await;
    let older = desk.publish(&app, json!({"title": "Terbit Duluan", "published_at": hours_from_now(-10)})).await;
    let top = desk.publish(&app, json!({"title": "Paling Ramai", "published_at": hours_from_now(-20)})).await;
    let mut quiet = Vec::new();
    for n in 1..=9 {
        quiet.push(desk.publish(&app, json!({"title": format!("Sepi {n}"), "published_at": hours_from_now(-n)})).await);
    }
    let mut buckets = vec![(&newer, 0, 5), (&older, 0, 2), (&older, 1, 3), (&top, 0, 6)];
    buckets.extend(quiet.iter().map(|article| (article, 0, 1)));
    add_views(&app, &buckets);
    let leaders = ranked(&[("Paling Ramai", 6), ("Terbit Belakangan", 5), ("Terbit Duluan", 5), ("Sepi 1", 1)]);
    for (limit, count) in [(None, 10), (Some("50"), 12), (Some("2"), 2), (Some("1"), 1)] {
        let path = limit.map_or(TRENDING.to_owned(), |l| with_query(TRENDING, &[("limit", l)]));
        let feed = ranking(&app.get(&path).await);
        assert_eq!(feed.len(), count, "limit {limit:?} (the default is 10)");
        let shown = count.min(leaders.len());
        assert_eq!(feed[..shown], leaders[..shown], "limit {limit:?}: most first, ties to the later publication");
    }
}

#[actix_web::test]
async fn trending_refuses_unknown_windows_and_limits_out_of_range() {
    let app = TestApp::spawn().await;
    let cases = [
        ("window", "2h", 422, "an hour count that is not offered"),
        ("window", "1d", 422, "a day written differently"),
        ("window", "7D", 422, "windows are case-sensitive"),
        ("window", "1w", 422, "weeks are not a window"),
        ("window", "", 422, "an empty window"),
        ("limit", "0", 422, "limit below 1"),
        ("limit", "51", 422, "limit above 50"),
        ("limit", "abc", 400, "a limit that is not a number"),
    ];
    assert_refused(&app, TRENDING, &cases).await;
}

// ---------------------------------------------------------------------------------------------
// The view beacon

#[actix_web::test]
async fn the_view_beacon_accepts_reads_of_visible_articles_only() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let visible = desk.publish(&app, json!({"title": "Terbit"})).await;
    let draft = desk.write(&app, json!({"title": "Konsep"})).await;
    let scheduled = desk.publish(&app, json!({"title": "Nanti", "published_at": hours_from_now(5)})).await;
    let archived = desk.write(&app, json!({"title": "Arsip", "status": "archived"})).await;
    let cases = [
        (numeric_id(&visible).to_string(), 202, "a visible article by id"),
        (slug(&visible), 202, "a visible article by slug"),
        (numeric_id(&draft).to_string(), 404, "a draft by id"),
        (slug(&draft), 404, "a draft by slug"),
        (numeric_id(&scheduled).to_string(), 404, "an article scheduled for later"),
        (numeric_id(&archived).to_string(), 404, "an archived article"),
        ("999999".to_owned(), 404, "an unknown id"),
        ("tidak-ada".to_owned(), 404, "an unknown slug"),
    ];
    for (key, status, why) in cases {
        let path = format!("{}/views", path_of(&key));
        let response = app.request_with(Method::POST, &path, None, &[("User-Agent", READER)], None).await;
        assert_eq!(response.status, status, "{why}: {}", response.text());
        if status == 404 {
            response.assert_problem(404);
        }
    }
}

#[actix_web::test]
async fn robots_and_clients_without_a_user_agent_get_202_but_are_not_counted() {
    let app = TestApp::spawn_with(|s| {
        fast_views(s);
        s.view_dedupe_seconds = 0;
    })
    .await;
    let desk = desk(&app).await;
    let article = numeric_id(&desk.publish(&app, json!({"title": "Dibaca Robot"})).await);
    let robots = [
        "Googlebot/2.1",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "bingbot",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "my-crawler",
        "Baiduspider",
        "",
    ];
    for agent in robots {
        assert_eq!(read_with(&app, article, &[("User-Agent", agent)]).await, 202, "the robot {agent:?}");
    }
    let bare = awc::Client::builder().no_default_headers().finish();
    let without_agent = fetch(bare.post(app.url(&format!("{}/views", path_of(article)))), None).await;
    assert!(!without_agent.headers.contains_key("user-agent"));
    assert_eq!(without_agent.status, 202, "no User-Agent at all: {}", without_agent.text());
    assert_eq!(read_with(&app, article, &[("User-Agent", READER)]).await, 202, "a person");
    settles_at(&app, article, 1, "only the person counts").await;
    assert_eq!(trending_views(&app, "Dibaca Robot").await, Some(1), "only the person counts in trending");
}

#[actix_web::test]
async fn people_are_counted_whatever_their_browser_or_phone_is_called() {
    let app = TestApp::spawn_with(fast_views).await;
    let desk = desk(&app).await;
    let people = [
        READER,
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 Version/17.2 Mobile Safari/604.1",
        APP_READER,
        // Cubot is a phone maker; its model names end in "bot" without making the reader a robot.
        "Mozilla/5.0 (Linux; Android 10; CUBOT_X30) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36",
    ];
    let mut read = Vec::new();
    for (n, agent) in people.into_iter().enumerate() {
        let article = numeric_id(&desk.publish(&app, json!({"title": format!("Dibaca Orang {n}")})).await);
        assert_eq!(read_with(&app, article, &[("User-Agent", agent)]).await, 202, "{agent}");
        read.push((article, agent));
    }
    app.wait_for_views_written().await;
    let mut uncounted = Vec::new();
    for (article, agent) in read {
        if view_count(&app, article).await != 1 {
            uncounted.push(agent);
        }
    }
    assert!(uncounted.is_empty(), "each person's read counts once; these were taken for robots: {uncounted:?}");
}

/// One dedupe scenario: settings, then reads as `(by slug?, User-Agent, X-Forwarded-For)`.
struct DedupeCase {
    why: &'static str,
    dedupe_seconds: u64,
    trusted_proxies: &'static [&'static str],
    reads: &'static [(bool, &'static str, Option<&'static str>)],
    counted: i64,
}

#[actix_web::test]
async fn each_client_counts_once_per_dedupe_period() {
    let cases = [
        DedupeCase {
            why: "the same client reading again (by id and by slug) counts once",
            dedupe_seconds: 1800,
            trusted_proxies: &[],
            reads: &[(false, READER, None), (false, READER, None), (true, READER, None)],
            counted: 1,
        },
        DedupeCase {
            why: "another User-Agent at the same address is another client",
            dedupe_seconds: 1800,
            trusted_proxies: &[],
            reads: &[(false, READER, None), (false, APP_READER, None), (false, READER, None)],
            counted: 2,
        },
        DedupeCase {
            why: "WARTA_VIEW_DEDUPE_SECONDS=0 counts every read",
            dedupe_seconds: 0,
            trusted_proxies: &[],
            reads: &[(false, READER, None), (false, READER, None), (true, READER, None)],
            counted: 3,
        },
        DedupeCase {
            why: "behind a trusted proxy each forwarded address is a client",
            dedupe_seconds: 1800,
            trusted_proxies: &["127.0.0.1"],
            reads: &[(false, READER, Some("203.0.113.7")), (false, READER, Some("198.51.100.9"))],
            counted: 2,
        },
        DedupeCase {
            why: "a proxy that writes ip:port names the client; what the client wrote to its left is ignored",
            dedupe_seconds: 1800,
            trusted_proxies: &["127.0.0.1"],
            reads: &[
                (false, READER, Some("203.0.113.1, 198.51.100.9:5555")),
                (false, READER, Some("203.0.113.2, 198.51.100.9:6666")),
                (false, READER, Some("[2001:db8::1]:443")),
                (false, READER, Some("2001:db8::1")),
            ],
            counted: 2,
        },
        DedupeCase {
            why: "an unparsable entry is the proxy's own hop, never the client-chosen one to its left",
            dedupe_seconds: 1800,
            trusted_proxies: &["127.0.0.1"],
            reads: &[
                (false, READER, Some("203.0.113.1, unknown")),
                (false, READER, Some("203.0.113.2, _hidden")),
                (false, READER, Some("203.0.113.3, garbage")),
            ],
            counted: 1,
        },
        DedupeCase {
            why: "X-Forwarded-For from a peer that is not a trusted proxy is ignored",
            dedupe_seconds: 1800,
            trusted_proxies: &[],
            reads: &[(false, READER, Some("203.0.113.7")), (false, READER, Some("198.51.100.9"))],
            counted: 1,
        },
    ];
    for case in cases {
        let app = TestApp::spawn_with(|s| {
            fast_views(s);
            s.view_dedupe_seconds = case.dedupe_seconds;
            s.trusted_proxies = case.trusted_proxies.iter().map(|a| a.parse().expect("an address")).collect();
        })
        .await;
        let desk = desk(&app).await;
        let article = desk.publish(&app, json!({"title": "Banyak Dibaca"})).await;
        let id = numeric_id(&article);
        for (by_slug, agent, forwarded) in case.reads {
            let key = if *by_slug { slug(&article) } else { id.to_string() };
            let mut headers = vec![("User-Agent", *agent)];
            headers.extend(forwarded.map(|address| ("X-Forwarded-For", address)));
            assert_eq!(read_with(&app, &key, &headers).await, 202, "{}", case.why);
        }
        settles_at(&app, id, case.counted, case.why).await;
        assert_eq!(trending_views(&app, "Banyak Dibaca").await, Some(case.counted), "{}: trending", case.why);
    }
}

#[actix_web::test]
async fn one_address_rotating_user_agents_counts_at_most_its_cap_per_article() {
    let app = TestApp::spawn_with(|s| {
        fast_views(s);
        s.view_reads_per_address = 3;
        s.trusted_proxies = vec!["127.0.0.1".parse().expect("ip")];
    })
    .await;
    let desk = desk(&app).await;
    let id = numeric_id(&desk.publish(&app, json!({"title": "Dipompa"})).await);
    for n in 0..12 {
        let agent = format!("Mozilla/5.0 (Pembaca {n})");
        let headers = [("User-Agent", agent.as_str()), ("X-Forwarded-For", "203.0.113.7")];
        assert_eq!(read_with(&app, id, &headers).await, 202, "every read is answered alike");
    }
    // Readers sharing another address (a NAT) still count, each up to that address's cap.
    for agent in [READER, APP_READER] {
        assert_eq!(read_with(&app, id, &[("User-Agent", agent), ("X-Forwarded-For", "198.51.100.9")]).await, 202);
    }
    settles_at(&app, id, 5, "3 from the rotating address, 2 from the shared one").await;
    assert_eq!(trending_views(&app, "Dipompa").await, Some(5));
}

#[actix_web::test]
async fn a_read_reaches_trending_and_view_count_with_the_next_flush() {
    // The default flush interval (one second, pinned by the settings' unit test); only the
    // computed answers are not reused.
    let app = TestApp::spawn_with(|s| {
        s.trending_cache = Duration::ZERO;
        s.response_cache_ttl = Duration::ZERO;
    })
    .await;
    let desk = desk(&app).await;
    let article = numeric_id(&desk.publish(&app, json!({"title": "Kabar Cepat"})).await);
    assert_eq!(read_with(&app, article, &[("User-Agent", READER)]).await, 202);
    app.wait_for_views_written().await;
    assert_eq!(view_count(&app, article).await, 1, "in view_count");
    assert_eq!(trending_views(&app, "Kabar Cepat").await, Some(1), "in trending");
}

#[actix_web::test]
async fn the_most_viewed_sort_puts_the_most_read_first() {
    let app = TestApp::spawn_with(|s| {
        fast_views(s);
        s.view_dedupe_seconds = 0;
    })
    .await;
    let desk = desk(&app).await;
    for (title, reads) in [("Sepi", 0), ("Ramai", 3), ("Sedang", 1)] {
        let article = desk.publish(&app, json!({"title": title})).await;
        for n in 0..reads {
            let agent = format!("Mozilla/5.0 (Pembaca {n})");
            let path = format!("{}/views", path_of(numeric_id(&article)));
            let response = app.request_with(Method::POST, &path, None, &[("User-Agent", &agent)], None).await;
            assert_eq!(response.status, 202, "recording a read of {title}: {}", response.text());
        }
        // Reads are written by the next flush.
        wait_for_view_count(&app, numeric_id(&article), reads).await;
    }
    let list = app.get(&format!("{ARTICLES}?sort=-view_count")).await;
    assert_eq!(titles(&list), ["Ramai", "Sedang", "Sepi"]);
    let counts: Vec<i64> = items(&list).iter().map(|a| a["view_count"].as_i64().unwrap_or(-1)).collect();
    assert_eq!(counts, [3, 1, 0]);
}

// ---------------------------------------------------------------------------------------------
// Views survive a restart: the real binary, stopped with SIGTERM

const BINARY_ADMIN: (&str, &str) = ("redaksi@warta.test", "a very long admin password");

/// `warta serve` with a clean environment in `dir`, on the port it reports.
fn start_warta(dir: &Path) -> crate::cli::Served {
    crate::cli::serve(
        dir,
        &[
            ("WARTA_ADMIN_EMAIL", BINARY_ADMIN.0),
            ("WARTA_ADMIN_PASSWORD", BINARY_ADMIN.1),
            // Only the flush at shutdown writes views; nothing computed is reused.
            ("WARTA_VIEW_FLUSH_MS", "3600000"),
            ("WARTA_RESPONSE_CACHE_SECONDS", "0"),
            ("WARTA_TRENDING_CACHE_SECONDS", "0"),
        ],
    )
}

/// Sends SIGTERM and waits for a clean exit.
fn stop_warta(served: crate::cli::Served) {
    let (status, _, stderr) = crate::cli::terminate(served);
    assert!(status.success(), "exit {status:?}: {stderr}");
}

/// A request to the binary on `port`, as `token` when given.
async fn call(port: u16, method: Method, path: &str, token: Option<&str>, body: Option<&Value>) -> TestResponse {
    let mut request = awc::Client::default().request(method, format!("http://127.0.0.1:{port}{path}"));
    if let Some(token) = token {
        request = request.insert_header(("Authorization", format!("Bearer {token}")));
    }
    fetch(request.insert_header(("User-Agent", READER)), body).await
}

#[actix_web::test]
async fn views_buffered_at_shutdown_are_in_the_database_after_a_restart() {
    let dir = tempfile::tempdir().expect("a data folder");
    let first = start_warta(dir.path());
    let port = first.port;
    let login = json!({"email": BINARY_ADMIN.0, "password": BINARY_ADMIN.1});
    let login = call(port, Method::POST, "/api/v1/auth/login", None, Some(&login)).await;
    let token = login.assert_status(200).json()["access_token"].as_str().expect("a token").to_owned();
    let category = call(port, Method::POST, CATEGORIES, Some(&token), Some(&json!({"name": "Berita"}))).await;
    let fields = json!({"title": "Tersimpan", "body": "Isi.", "category_id": numeric_id(&category.json()),
        "status": "published"});
    let article = call(port, Method::POST, ARTICLES, Some(&token), Some(&fields)).await;
    let path = path_of(numeric_id(&article.assert_status(201).json()));
    for n in 0..3 {
        let agent = format!("Mozilla/5.0 (Pembaca {n})");
        let request = awc::Client::default()
            .post(format!("http://127.0.0.1:{port}{path}/views"))
            .insert_header(("User-Agent", agent));
        assert_eq!(fetch(request, None).await.status, 202, "read {n}");
    }
    let before = call(port, Method::GET, &path, None, None).await.json();
    assert_eq!(before["view_count"], 0, "nothing is flushed before the shutdown: {before}");
    stop_warta(first);

    let second = start_warta(dir.path());
    let port = second.port;
    let after = call(port, Method::GET, &path, None, None).await;
    let trending = call(port, Method::GET, TRENDING, None, None).await;
    stop_warta(second);
    assert_eq!(after.assert_status(200).json()["view_count"], 3, "view_count after the restart: {}", after.text());
    assert_eq!(ranking(&trending), ranked(&[("Tersimpan", 3)]), "trending after the restart");
}

// ---------------------------------------------------------------------------------------------
// Related articles

#[actix_web::test]
async fn related_articles_share_tags_first_then_the_category_newest_first() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let olahraga = desk.category(&app, "Olahraga", None).await;
    let main = desk
        .publish(
            &app,
            json!({"title": "Pemilu Jakarta", "tags": ["Pemilu", "Jakarta"], "published_at": hours_from_now(-1)}),
        )
        .await;
    let others = [
        ("Debat Capres", olahraga, json!(["Pemilu"]), -30),
        ("Banjir Jakarta", olahraga, json!(["Jakarta"]), -20),
        ("Kampanye Akbar", desk.category, json!(["Pemilu", "Kampanye"]), -25),
        ("Harga Cabai", desk.category, json!([]), -2),
        ("Kereta Cepat", desk.category, json!(["Transportasi"]), -5),
        ("Cuaca Ekstrem", desk.category, json!([]), -40),
        ("Sepak Bola", olahraga, json!(["Liga"]), -3),
    ];
    for (title, category, tags, hours) in others {
        let fields =
            json!({"title": title, "category_id": category, "tags": tags, "published_at": hours_from_now(hours)});
        desk.publish(&app, fields).await;
    }
    desk.write(&app, json!({"title": "Rancangan Pemilu", "tags": ["Pemilu"]})).await;
    let tag_group = ["Banjir Jakarta", "Kampanye Akbar", "Debat Capres"];
    let everything: Vec<&str> = tag_group.into_iter().chain(["Harga Cabai", "Kereta Cepat", "Cuaca Ekstrem"]).collect();
    let related = |key: String, limit: Option<&str>| {
        let base = format!("{}/related", path_of(key));
        match limit {
            Some(limit) => with_query(&base, &[("limit", limit)]),
            None => base,
        }
    };
    let cases = [
        (related(numeric_id(&main).to_string(), Some("10")), &everything[..], "tags first, then the category"),
        (related(slug(&main), Some("10")), &everything[..], "by slug"),
        (related(slug(&main), None), &everything[..5], "the default limit is 5"),
        (related(slug(&main), Some("2")), &tag_group[..2], "limit=2"),
    ];
    for (path, expected, why) in cases {
        let response = app.get(&path).await;
        assert_eq!(titles(&response), expected, "{why}: newest first in each group; never itself, drafts or unrelated");
        for item in items(&response) {
            assert_summary(&item, why);
        }
    }
}

#[actix_web::test]
async fn related_articles_of_an_article_nobody_may_read_are_404() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    let draft = desk.write(&app, json!({"title": "Konsep", "tags": ["Pemilu"]})).await;
    let visible = desk.publish(&app, json!({"title": "Terbit", "tags": ["Pemilu"]})).await;
    let cases = [
        (path_of(numeric_id(&draft)), "", 404, "a draft by id"),
        (path_of(slug(&draft)), "", 404, "a draft by slug"),
        (path_of("999999"), "", 404, "an unknown id"),
        (path_of("tidak-ada"), "", 404, "an unknown slug"),
        (path_of(slug(&visible)), "?limit=abc", 400, "a limit that is not a number"),
        (path_of(slug(&visible)), "?limit=0", 422, "a limit below 1"),
    ];
    for (path, query, status, why) in cases {
        let response = app.get(&format!("{path}/related{query}")).await;
        assert_eq!(response.status, status, "{why}: {}", response.text());
        response.assert_problem(status);
    }
    let related = app.get(&format!("{}/related", path_of(slug(&visible)))).await;
    assert!(titles(&related).is_empty(), "a draft sharing a tag is never related: {}", related.text());
}

/// An empty filter (`?category=`) is no filter, as clients that always send every parameter expect.
#[actix_web::test]
async fn empty_filters_are_no_filters() {
    let app = TestApp::spawn().await;
    let desk = desk(&app).await;
    desk.publish(&app, json!({"title": "Satu"})).await;
    for path in [
        "/api/v1/feeds/trending?window=7d&category=",
        "/api/v1/articles?category=&author=&tag=",
        "/api/v1/syndication/rss.xml?category=",
        "/api/v1/syndication/feed.json?category=",
    ] {
        app.get(path).await.assert_status(200);
    }
    let list = app.get("/api/v1/articles?category=&author=&tag=").await.json();
    assert_eq!(list["meta"]["total"], 1, "{list}");
    let feed = app.get("/api/v1/syndication/feed.json?category=").await.json();
    assert_eq!(feed["items"].as_array().map(Vec::len), Some(1), "{feed}");
}
