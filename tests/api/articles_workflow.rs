//! Black-box tests of the editorial workflow of articles: which role may put an article in which
//! status, what each kind of reader sees, and optimistic concurrency with `version` and `If-Match`.

use std::collections::BTreeSet;

use actix_web::http::Method;
use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

use crate::helpers::{TestApp, TestResponse};

const ARTICLES: &str = "/api/v1/articles";

fn article_path(key: impl std::fmt::Display) -> String {
    format!("{ARTICLES}/{key}")
}

fn id(article: &Value) -> i64 {
    article["id"].as_i64().unwrap_or_else(|| panic!("an article has a numeric id: {article}"))
}

fn version(article: &Value) -> i64 {
    article["version"].as_i64().unwrap_or_else(|| panic!("an article has a numeric version: {article}"))
}

/// A time as the contract writes it, to the second.
fn rfc3339(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn parse_time(value: &Value) -> DateTime<Utc> {
    let text = value.as_str().unwrap_or_else(|| panic!("not a time: {value}"));
    DateTime::parse_from_rfc3339(text).unwrap_or_else(|e| panic!("not RFC 3339 ({e}): {text}")).with_timezone(&Utc)
}

fn merge(base: &mut Value, extra: Value) {
    if let (Some(base), Value::Object(extra)) = (base.as_object_mut(), extra) {
        base.extend(extra);
    }
}

/// The fields that ask for a status; `scheduled` comes with a time a day ahead.
fn status_fields(status: &str) -> Value {
    match status {
        "scheduled" => json!({"status": "scheduled", "published_at": rfc3339(Utc::now() + Duration::days(1))}),
        other => json!({"status": other}),
    }
}

fn writers_may_set(status: &str) -> bool {
    matches!(status, "draft" | "review")
}

/// The titles of a list answer, as a set.
fn title_set(list: &TestResponse) -> BTreeSet<String> {
    list.assert_status(200);
    list.json()["data"]
        .as_array()
        .expect("data is an array")
        .iter()
        .map(|a| a["title"].as_str().expect("a title").to_owned())
        .collect()
}

fn set_of(titles: &[&str]) -> BTreeSet<String> {
    titles.iter().map(|t| (*t).to_owned()).collect()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Writer,
    Editor,
    Admin,
}

/// Who wrote an article, for the ownership rules.
#[derive(Clone, Copy, Debug)]
enum Owner {
    Writer,
    OtherWriter,
    Editor,
}

/// The accounts of a newsroom and the category their articles go in.
struct Newsroom {
    admin: String,
    editor: String,
    writer: String,
    other_writer: String,
    category: i64,
}

async fn newsroom(app: &TestApp) -> Newsroom {
    let admin = app.admin_token().await;
    let editor = app.token_for("editor").await;
    let writer = app.token_for("writer").await;
    let other_writer = app.token_for("writer").await;
    let category = id(&app.create_category(&editor, json!({"name": "Berita"})).await);
    Newsroom { admin, editor, writer, other_writer, category }
}

impl Newsroom {
    fn token(&self, role: Role) -> &str {
        match role {
            Role::Writer => &self.writer,
            Role::Editor => &self.editor,
            Role::Admin => &self.admin,
        }
    }

    fn owner_token(&self, owner: Owner) -> &str {
        match owner {
            Owner::Writer => &self.writer,
            Owner::OtherWriter => &self.other_writer,
            Owner::Editor => &self.editor,
        }
    }

    /// A valid write body in the newsroom's category, with `extra` fields on top.
    fn body(&self, title: &str, extra: Value) -> Value {
        let mut body = json!({"title": title, "body": "Isi berita semangka.", "category_id": self.category});
        merge(&mut body, extra);
        body
    }

    /// An article written by `owner` and brought to `status`: writers create drafts and submit
    /// them; an editor moves them on to the statuses writers may not set.
    async fn article(&self, app: &TestApp, owner: Owner, title: &str, status: &str) -> Value {
        let token = self.owner_token(owner);
        let article = app.create_article(token, self.body(title, json!({}))).await;
        if status == "draft" {
            return article;
        }
        let mover = if writers_may_set(status) { token } else { &self.editor };
        let response = app.patch_article(mover, &id(&article).to_string(), 1, &status_fields(status)).await;
        response.assert_status(200);
        response.json()
    }

    /// The article as an editor reads it.
    async fn current(&self, app: &TestApp, article: &Value) -> Value {
        let response = app.get_as(&self.editor, &article_path(id(article))).await;
        response.assert_status(200);
        response.json()
    }
}

/// Extra request headers, such as `If-Match`.
type Headers<'a> = &'a [(&'a str, &'a str)];

/// What a write attempts: a description, the method and path, a token and a body.
type AnonymousWrite<'a> = (&'a str, Method, String, Option<&'a str>, Option<Value>);

const TRANSITIONS: [(Option<&str>, &str); 13] = [
    (None, "draft"),
    (None, "review"),
    (None, "scheduled"),
    (None, "published"),
    (None, "archived"),
    (Some("draft"), "review"),
    (Some("review"), "draft"),
    (Some("draft"), "scheduled"),
    (Some("draft"), "published"),
    (Some("review"), "published"),
    (Some("draft"), "archived"),
    (Some("published"), "draft"),
    (Some("published"), "archived"),
];

#[actix_web::test]
async fn each_role_may_make_exactly_the_transitions_the_contract_allows() {
    let app = TestApp::spawn().await;
    let room = newsroom(&app).await;
    let mut failures = Vec::new();
    for role in [Role::Writer, Role::Editor, Role::Admin] {
        for (from, to) in TRANSITIONS {
            let label = format!("{role:?} {} to {to}", from.unwrap_or("new"));
            let token = room.token(role);
            let allowed = role != Role::Writer || (writers_may_set(to) && from.is_none_or(writers_may_set));
            let (response, before) = match from {
                None => (app.post(Some(token), ARTICLES, &room.body(&label, status_fields(to))).await, None),
                Some(from) => {
                    // Writers start from their own article wherever they could have made it.
                    let owner =
                        if role == Role::Writer && writers_may_set(from) { Owner::Writer } else { Owner::Editor };
                    let article = room.article(&app, owner, &label, from).await;
                    let key = id(&article).to_string();
                    (app.patch_article(token, &key, version(&article), &status_fields(to)).await, Some(article))
                }
            };
            let expected = match (allowed, from) {
                (false, _) => 403,
                (true, None) => 201,
                (true, Some(_)) => 200,
            };
            if response.status != expected {
                failures.push(format!("{label}: expected {expected}, got {}: {}", response.status, response.text()));
            } else if allowed && response.json()["status"] != to {
                failures.push(format!("{label}: stored status {}", response.json()["status"]));
            } else if let (false, Some(before)) = (allowed, before) {
                let after = room.current(&app, &before).await;
                if after["status"] != before["status"] || after["version"] != before["version"] {
                    failures.push(format!("{label}: a refused move changed the article: {after}"));
                }
            }
        }
    }
    let everything = app.get_as(&room.editor, &format!("{ARTICLES}?status=any&per_page=100")).await;
    let stray: Vec<String> = title_set(&everything)
        .into_iter()
        .filter(|t| t.starts_with("Writer new to") && !t.ends_with("draft") && !t.ends_with("review"))
        .collect();
    assert!(stray.is_empty(), "a writer's refused create still made articles: {stray:?}");
    assert!(failures.is_empty(), "{} transition(s) wrong:\n{}", failures.len(), failures.join("\n"));
}

#[actix_web::test]
async fn writers_edit_only_their_own_articles_that_are_not_visible() {
    let app = TestApp::spawn().await;
    let room = newsroom(&app).await;
    let cases = [
        ("own draft", Owner::Writer, "draft", 200),
        ("own review", Owner::Writer, "review", 200),
        ("own scheduled", Owner::Writer, "scheduled", 403),
        ("own archived", Owner::Writer, "archived", 200),
        ("own published", Owner::Writer, "published", 403),
        ("another writer's draft", Owner::OtherWriter, "draft", 404),
        ("another writer's review", Owner::OtherWriter, "review", 404),
        ("another writer's published", Owner::OtherWriter, "published", 403),
        ("an editor's draft", Owner::Editor, "draft", 404),
        ("an editor's scheduled", Owner::Editor, "scheduled", 404),
        ("an editor's archived", Owner::Editor, "archived", 404),
        ("an editor's published", Owner::Editor, "published", 403),
    ];
    let mut failures = Vec::new();
    for (what, owner, status, expected) in cases {
        let article = room.article(&app, owner, what, status).await;
        let key = id(&article).to_string();
        let response = app.patch_article(&room.writer, &key, version(&article), &json!({"title": "Disunting"})).await;
        if response.status != expected {
            failures.push(format!("PATCH {what}: expected {expected}, got {}: {}", response.status, response.text()));
            continue;
        }
        if expected != 200 {
            response.assert_problem(expected);
            let after = room.current(&app, &article).await;
            if after["title"] != what || after["version"] != article["version"] {
                failures.push(format!("{what}: a refused edit changed the article: {after}"));
            }
        }
        let read = app.get_as(&room.writer, &article_path(&key)).await.status;
        let readable = if expected == 404 { 404 } else { 200 };
        if read != readable {
            failures.push(format!("GET {what} as the writer: expected {readable}, got {read}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[actix_web::test]
async fn writers_may_not_move_the_time_of_an_article_an_editor_scheduled() {
    let app = TestApp::spawn().await;
    let room = newsroom(&app).await;
    let scheduled = room.article(&app, Owner::Writer, "Dijadwalkan", "scheduled").await;
    let (key, at) = (id(&scheduled).to_string(), scheduled["published_at"].clone());
    for when in [rfc3339(Utc::now() - chrono::Duration::days(1)), rfc3339(Utc::now() + chrono::Duration::days(9))] {
        let response = app.patch_article(&room.writer, &key, version(&scheduled), &json!({"published_at": when})).await;
        response.assert_problem(403);
    }
    let now = room.current(&app, &scheduled).await;
    assert_eq!((now["status"].clone(), now["published_at"].clone()), (json!("scheduled"), at));
    assert_eq!(version(&now), version(&scheduled), "refused writes change nothing");
    app.get(&article_path(&key)).await.assert_problem(404);
}

/// What an editor scheduled is what appears: the writer cannot rewrite it meanwhile (403, as for a
/// visible article), though they still read it.
#[actix_web::test]
async fn writers_cannot_edit_their_article_once_an_editor_scheduled_it() {
    let app = TestApp::spawn().await;
    let room = newsroom(&app).await;
    let draft = room.article(&app, Owner::Writer, "Naskah", "draft").await;
    let key = id(&draft).to_string();
    let at = rfc3339(Utc::now() + Duration::days(1));
    let scheduled = app
        .patch_article(&room.editor, &key, version(&draft), &json!({"status": "published", "published_at": at}))
        .await;
    let scheduled = scheduled.assert_status(200).json();
    assert_eq!(scheduled["status"], "scheduled");
    for change in [json!({"title": "Judul baru"}), json!({"body": "Isi lain."}), json!({"status": "draft"})] {
        app.patch_article(&room.writer, &key, version(&scheduled), &change).await.assert_problem(403);
    }
    let after = room.current(&app, &scheduled).await;
    assert_eq!((&after["title"], &after["version"]), (&scheduled["title"], &scheduled["version"]));
    app.get_as(&room.writer, &article_path(&key)).await.assert_status(200);
}

/// A time a writer put on a draft does not survive an editor's publish without a time: it
/// publishes now.
#[actix_web::test]
async fn publishing_a_draft_without_a_time_uses_now_even_when_the_draft_carried_one() {
    let app = TestApp::spawn().await;
    let room = newsroom(&app).await;
    let backdated = json!({"status": "draft", "published_at": "2001-01-01T00:00:00Z"});
    let draft = app.create_article(&room.writer, room.body("Mundur", backdated)).await;
    assert_eq!(draft["published_at"], "2001-01-01T00:00:00Z", "{draft}");
    let before = Utc::now() - Duration::seconds(2);
    let published = app
        .patch_article(&room.editor, &id(&draft).to_string(), version(&draft), &json!({"status": "published"}))
        .await;
    let published = published.assert_status(200).json();
    let at = parse_time(&published["published_at"]);
    assert!(before <= at && at <= Utc::now() + Duration::seconds(2), "published at {at}, not now");
}

#[actix_web::test]
async fn publication_times_outside_years_1_to_9999_are_refused() {
    let app = TestApp::spawn().await;
    let room = newsroom(&app).await;
    for at in [
        "-0001-01-01T00:00:00Z",
        "0000-12-31T23:00:00Z",
        "0001-01-01T00:30:00+01:00",
        "+10000-01-01T00:00:00Z",
        "2016-12-31T23:59:60.5Z",
    ] {
        let body = room.body("Waktu aneh", json!({"status": "published", "published_at": at}));
        let response = app.post(Some(&room.editor), "/api/v1/articles", &body).await;
        assert_eq!(response.error_fields(), ["published_at"], "{at}: {}", response.text());
    }
    let draft = room.article(&app, Owner::Editor, "Draf", "draft").await;
    let response = app
        .patch_article(&room.editor, &id(&draft).to_string(), 1, &json!({"published_at": "+10000-01-01T00:00:00Z"}))
        .await;
    assert_eq!(response.error_fields(), ["published_at"]);
    for at in ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"] {
        let body = room.body(&format!("Batas {at}"), json!({"status": "published", "published_at": at}));
        app.post(Some(&room.editor), "/api/v1/articles", &body).await.assert_status(201);
    }
    // Both limits end up in the feeds, which format them without failing.
    app.get("/api/v1/syndication/rss.xml").await.assert_status(200);
    app.get("/api/v1/syndication/feed.json").await.assert_status(200);
    let latest = app.get("/api/v1/feeds/latest?limit=50").await.json();
    assert!(latest["data"].as_array().is_some_and(|items| items.len() == 1), "9999 is scheduled: {latest}");
}

#[actix_web::test]
async fn only_editors_delete_and_writers_learn_only_what_they_can_see() {
    let app = TestApp::spawn().await;
    let room = newsroom(&app).await;
    let (writer, editor, admin) = (Some(room.writer.as_str()), Some(room.editor.as_str()), Some(room.admin.as_str()));
    let cases = [
        ("anonymous on a published article", None, Owner::Editor, "published", 401),
        ("anonymous on a draft", None, Owner::Writer, "draft", 401),
        ("writer on their own draft", writer, Owner::Writer, "draft", 403),
        ("writer on their own review", writer, Owner::Writer, "review", 403),
        ("writer on their own published article", writer, Owner::Writer, "published", 403),
        ("writer on another writer's published article", writer, Owner::OtherWriter, "published", 403),
        ("writer on another writer's draft", writer, Owner::OtherWriter, "draft", 404),
        ("writer on an editor's archived article", writer, Owner::Editor, "archived", 404),
        ("editor on a writer's draft", editor, Owner::Writer, "draft", 204),
        ("editor on a published article", editor, Owner::Editor, "published", 204),
        ("admin on an archived article", admin, Owner::Editor, "archived", 204),
        ("admin on a writer's review", admin, Owner::OtherWriter, "review", 204),
    ];
    let mut failures = Vec::new();
    for (what, caller, owner, status, expected) in cases {
        let article = room.article(&app, owner, what, status).await;
        let if_match = format!("\"{}\"", version(&article));
        let path = article_path(id(&article));
        let response = app.request_with(Method::DELETE, &path, caller, &[("If-Match", &if_match)], None).await;
        if response.status != expected {
            failures.push(format!("{what}: expected {expected}, got {}: {}", response.status, response.text()));
            continue;
        }
        let still_there = app.get_as(&room.editor, &path).await.status;
        let expected_after = if expected == 204 { 404 } else { 200 };
        if still_there != expected_after {
            failures.push(format!("{what}: afterwards an editor reads {still_there}, expected {expected_after}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[actix_web::test]
async fn anonymous_callers_get_401_on_every_article_write() {
    let app = TestApp::spawn().await;
    let room = newsroom(&app).await;
    let published = room.article(&app, Owner::Editor, "Terbit", "published").await;
    let draft = room.article(&app, Owner::Editor, "Draf", "draft").await;
    let change = json!({"title": "Dibajak"});
    let v1 = [("If-Match", "\"1\"")];
    let cases: Vec<AnonymousWrite> = vec![
        ("create", Method::POST, ARTICLES.to_owned(), None, Some(room.body("Anonim", json!({})))),
        (
            "create as published",
            Method::POST,
            ARTICLES.to_owned(),
            None,
            Some(room.body("A", status_fields("published"))),
        ),
        ("edit a published article", Method::PATCH, article_path(id(&published)), None, Some(change.clone())),
        ("edit a draft", Method::PATCH, article_path(id(&draft)), None, Some(change.clone())),
        ("edit an unknown article", Method::PATCH, article_path(999_999), None, Some(change.clone())),
        ("delete a published article", Method::DELETE, article_path(id(&published)), None, None),
        ("delete an unknown article", Method::DELETE, article_path("tidak-ada"), None, None),
        (
            "edit with a token that is not a JWT",
            Method::PATCH,
            article_path(id(&draft)),
            Some("bukan-token"),
            Some(change),
        ),
        ("delete with a token that is not a JWT", Method::DELETE, article_path(id(&draft)), Some("bukan-token"), None),
    ];
    for (what, method, path, token, body) in cases {
        let response = app.request_with(method, &path, token, &v1, body.as_ref()).await;
        assert_eq!(response.status, 401, "{what}: {}", response.text());
        response.assert_problem(401);
        let challenge = response.header("www-authenticate").unwrap_or_default();
        assert!(challenge.starts_with("Bearer"), "{what}: WWW-Authenticate is {challenge:?}");
    }
    let broken = app.send_raw(Method::POST, ARTICLES, None, Some("application/json"), b"{not json".to_vec()).await;
    broken.assert_problem(401);
    assert_eq!(room.current(&app, &published).await["title"], "Terbit");
    assert_eq!(room.current(&app, &draft).await["title"], "Draf");
    let all = app.get_as(&room.editor, &format!("{ARTICLES}?status=any")).await;
    assert_eq!(title_set(&all), set_of(&["Terbit", "Draf"]), "anonymous writes created or deleted nothing");
}

#[actix_web::test]
async fn unpublished_articles_are_invisible_to_anonymous_readers() {
    let app = TestApp::spawn().await;
    let room = newsroom(&app).await;
    let author = app.create_author(&room.editor, json!({"name": "Reni Erina"})).await;
    let taxonomy = json!({"author_ids": [id(&author)], "tags": ["Rahasia"]});
    let mut hidden = Vec::new();
    for status in ["draft", "review", "archived", "scheduled"] {
        let mut fields = status_fields(status);
        merge(&mut fields, taxonomy.clone());
        hidden.push(app.create_article(&room.editor, room.body(&format!("Semangka {status}"), fields)).await);
    }
    let mut fields = status_fields("published");
    merge(&mut fields, taxonomy);
    let published = app.create_article(&room.editor, room.body("Semangka terbit", fields)).await;
    let expected = vec![id(&published)];

    for query in [
        "",
        "?category=berita",
        "?author=reni-erina",
        "?tag=rahasia",
        "?q=semangka",
        "?sort=title",
        "?sort=published_at",
        "?sort=-view_count",
        "?per_page=100",
        "?category=berita&author=reni-erina&tag=rahasia&q=semangka",
    ] {
        let response = app.get(&format!("{ARTICLES}{query}")).await;
        response.assert_status(200);
        let body = response.json();
        let ids: Vec<i64> = body["data"].as_array().expect("data").iter().map(id).collect();
        assert_eq!(ids, expected, "GET /articles{query} as anonymous: {body}");
        assert_eq!(body["meta"]["total"], 1, "GET /articles{query}: {}", body["meta"]);
    }
    for article in &hidden {
        for key in [id(article).to_string(), article["slug"].as_str().expect("a slug").to_owned()] {
            let response = app.get(&article_path(&key)).await;
            assert_eq!(response.status, 404, "anonymous GET {} ({}): {}", key, article["status"], response.text());
            response.assert_problem(404);
            assert_eq!(app.get_as(&room.editor, &article_path(&key)).await.status, 200, "an editor reads {key}");
        }
        let stranger = app.get_as(&room.other_writer, &article_path(id(article))).await;
        assert_eq!(stranger.status, 404, "another writer reads {}", article["status"]);
    }
    assert_eq!(app.get(&article_path(id(&published))).await.assert_status(200).json()["status"], "published");
    for counted in ["/api/v1/categories/berita", "/api/v1/authors/reni-erina", "/api/v1/tags/rahasia"] {
        let body = app.get(counted).await.assert_status(200).json();
        assert_eq!(body["article_count"], 1, "{counted} counts only the published article: {body}");
    }
}

#[actix_web::test]
async fn a_scheduled_article_appears_by_itself_once_its_time_has_passed() {
    let app = TestApp::spawn().await;
    let room = newsroom(&app).await;
    // Ten minutes ahead, so a slow machine cannot reach it before the checks below, and within
    // the editor's token lifetime; the test then moves the server's clock past it instead of waiting.
    let due = app.clock.now().and_utc() + Duration::minutes(10);
    let due_text = rfc3339(due);
    let created = app
        .create_article(&room.editor, room.body("Jadwal", json!({"status": "published", "published_at": due_text})))
        .await;
    assert_eq!(created["status"], "scheduled", "a future publication time schedules: {created}");
    assert_eq!(created["published_at"], due_text.as_str());
    let path = article_path(id(&created));
    let count =
        || async { app.get("/api/v1/categories/berita").await.assert_status(200).json()["article_count"].clone() };

    assert_eq!(app.get(&path).await.status, 404, "not yet visible");
    assert!(title_set(&app.get(ARTICLES).await).is_empty(), "not yet listed");
    assert_eq!(count().await, 0, "not yet counted");
    let page_of_one = format!("{ARTICLES}?per_page=1");
    assert_eq!(app.get(&page_of_one).await.json()["meta"]["total"], 0, "not yet in the total");

    let wait = (parse_time(&created["published_at"]) - app.clock.now().and_utc()).to_std().unwrap_or_default();
    app.clock.advance(wait + std::time::Duration::from_secs(1));

    let read = app.get(&path).await;
    read.assert_status(200);
    assert_eq!(read.json()["status"], "published", "it reads as published: {}", read.text());
    let listed = app.get(ARTICLES).await.assert_status(200).json();
    assert_eq!(listed["data"][0]["id"], created["id"], "listed by itself: {listed}");
    assert_eq!(listed["data"][0]["status"], "published");
    assert_eq!(count().await, 1, "counted in its category");
    assert_eq!(room.current(&app, &created).await["status"], "published", "editors also see it as published");
    let page = app.get(&page_of_one).await;
    assert_eq!(page.json()["meta"]["total"], 1, "the total moves with the list: {}", page.text());
}

#[actix_web::test]
async fn writers_list_their_own_unpublished_articles_and_editors_list_everything() {
    let app = TestApp::spawn().await;
    let room = newsroom(&app).await;
    for (owner, title, status) in [
        (Owner::Writer, "A draf", "draft"),
        (Owner::Writer, "A tinjau", "review"),
        (Owner::OtherWriter, "B draf", "draft"),
        (Owner::OtherWriter, "B tinjau", "review"),
        (Owner::Editor, "Terbit", "published"),
        (Owner::Editor, "Editor draf", "draft"),
        (Owner::Editor, "Arsip", "archived"),
        (Owner::Editor, "Terjadwal", "scheduled"),
    ] {
        room.article(&app, owner, title, status).await;
    }
    let list = |token: &str, status: &str| {
        let (app, token, path) = (&app, token.to_owned(), format!("{ARTICLES}?per_page=100&status={status}"));
        async move { title_set(&app.get_as(&token, &path).await) }
    };

    let writers_view = list(&room.writer, "draft,review").await;
    for own in ["A draf", "A tinjau"] {
        assert!(writers_view.contains(own), "status=draft,review shows the writer's own {own}: {writers_view:?}");
    }
    for foreign in ["B draf", "B tinjau", "Editor draf", "Arsip", "Terjadwal"] {
        assert!(!writers_view.contains(foreign), "status=draft,review leaks {foreign} to a writer: {writers_view:?}");
    }
    assert_eq!(list(&room.writer, "any").await, set_of(&["A draf", "A tinjau", "Terbit"]), "a writer's status=any");
    assert_eq!(list(&room.writer, "draft").await, set_of(&["A draf"]), "a writer's status=draft");
    assert_eq!(
        list(&room.writer, "draft,review,published").await,
        set_of(&["A draf", "A tinjau", "Terbit"]),
        "a writer's status=draft,review,published"
    );
    let all = ["A draf", "A tinjau", "B draf", "B tinjau", "Terbit", "Editor draf", "Arsip", "Terjadwal"];
    assert_eq!(list(&room.editor, "any").await, set_of(&all), "an editor's status=any");
    assert_eq!(list(&room.admin, "any").await, set_of(&all), "an admin's status=any");
    assert_eq!(list(&room.editor, "draft").await, set_of(&["A draf", "B draf", "Editor draf"]), "status=draft");
    assert_eq!(list(&room.editor, "scheduled,archived").await, set_of(&["Arsip", "Terjadwal"]), "two statuses");

    for status in ["draft", "any", "published", "draft,review"] {
        let response = app.get(&format!("{ARTICLES}?status={status}")).await;
        assert_eq!(response.status, 401, "anonymous status={status}: {}", response.text());
        response.assert_problem(401);
    }
    for token in [&room.writer, &room.editor] {
        for bogus in ["bogus", "draft,bogus", "DRAFT"] {
            let response = app.get_as(token, &format!("{ARTICLES}?status={bogus}")).await;
            assert_eq!(response.error_fields(), ["status"], "status={bogus}");
        }
    }
}

#[actix_web::test]
async fn new_articles_are_drafts_and_publishing_fixes_the_time() {
    let app = TestApp::spawn().await;
    let room = newsroom(&app).await;
    for token in [&room.writer, &room.editor] {
        let draft = app.create_article(token, room.body("Tanpa status", json!({}))).await;
        assert_eq!(draft["status"], "draft", "{draft}");
        assert_eq!(draft["published_at"], Value::Null);
        assert_eq!(draft["published_at_display"], Value::Null);
    }

    let before = Utc::now() - Duration::seconds(2);
    let now_published = app.create_article(&room.editor, room.body("Sekarang", status_fields("published"))).await;
    let after = Utc::now() + Duration::seconds(2);
    let at = parse_time(&now_published["published_at"]);
    assert!(before <= at && at <= after, "publishing without a time uses now: {at} not in {before}..{after}");
    assert_eq!(now_published["status"], "published");

    let future = rfc3339(Utc::now() + Duration::days(2));
    let body = room.body("Nanti", json!({"status": "published", "published_at": future}));
    let scheduled = app.create_article(&room.editor, body).await;
    assert_eq!(scheduled["status"], "scheduled", "{scheduled}");
    assert_eq!(scheduled["published_at"], future.as_str());
    let stored = room.current(&app, &scheduled).await;
    assert_eq!(stored["status"], "scheduled", "it stays scheduled when read back: {stored}");

    let draft = app.create_article(&room.editor, room.body("Draf", json!({}))).await;
    let key = id(&draft).to_string();
    let before = Utc::now() - Duration::seconds(2);
    let response = app.patch_article(&room.editor, &key, 1, &json!({"status": "published"})).await;
    response.assert_status(200);
    let at = parse_time(&response.json()["published_at"]);
    assert!(before <= at && at <= Utc::now() + Duration::seconds(2), "publishing a draft uses now: {at}");

    let later = app.create_article(&room.editor, room.body("Draf nanti", json!({}))).await;
    let body = json!({"status": "published", "published_at": future});
    let response = app.patch_article(&room.editor, &id(&later).to_string(), 1, &body).await;
    assert_eq!(response.assert_status(200).json()["status"], "scheduled", "PATCH to published in the future");
}

#[actix_web::test]
async fn the_version_starts_at_one_and_grows_by_one_with_each_write() {
    let app = TestApp::spawn().await;
    let room = newsroom(&app).await;
    let created = app.post(Some(&room.editor), ARTICLES, &room.body("Versi 1", json!({}))).await;
    created.assert_status(201);
    assert_eq!(created.header("etag").as_deref(), Some("\"1\""), "ETag of the create answer");
    let article = created.json();
    assert_eq!(version(&article), 1);
    let key = id(&article).to_string();

    for expected in 2..=5 {
        let body = json!({"title": format!("Versi {expected}")});
        let response = app.patch_article(&room.editor, &key, expected - 1, &body).await;
        response.assert_status(200);
        assert_eq!(version(&response.json()), expected, "after {} PATCHes", expected - 1);
        assert_eq!(response.header("etag"), Some(format!("\"{expected}\"")), "ETag after a PATCH");
    }
    for token in [&room.editor, &room.writer, &room.admin] {
        let read = app.get_as(token, &article_path(&key)).await;
        let read = if read.status == 404 { app.get_as(&room.editor, &article_path(&key)).await } else { read };
        read.assert_status(200);
        assert_eq!(read.header("etag").as_deref(), Some("\"5\""), "reads carry the version and do not change it");
    }

    app.patch(Some(&room.editor), "/api/v1/categories/berita", &json!({"name": "Kabar"})).await.assert_status(200);
    let after_rename = room.current(&app, &article).await;
    assert_eq!(after_rename["category"]["name"], "Kabar", "{after_rename}");
    assert_eq!(version(&after_rename), 5, "renaming the category is not a write of the article");
}

#[actix_web::test]
async fn a_patch_must_name_the_current_version() {
    let app = TestApp::spawn().await;
    let room = newsroom(&app).await;
    let article = app.create_article(&room.editor, room.body("Awal", json!({}))).await;
    let key = id(&article).to_string();
    app.patch_article(&room.editor, &key, 1, &json!({"title": "Asli"})).await.assert_status(200);

    let change = |version: Option<i64>| {
        let mut body = json!({"title": "Dibajak"});
        if let Some(version) = version {
            merge(&mut body, json!({"version": version}));
        }
        body
    };
    let refused: [(&str, Headers, Option<i64>, u16); 9] = [
        ("neither If-Match nor a body version", &[], None, 428),
        ("If-Match: *", &[("If-Match", "*")], None, 428),
        ("a stale If-Match", &[("If-Match", "\"1\"")], None, 412),
        ("a weak stale If-Match", &[("If-Match", "W/\"1\"")], None, 412),
        ("an If-Match from the future", &[("If-Match", "\"3\"")], None, 412),
        ("an If-Match that is not a version", &[("If-Match", "\"abc\"")], None, 412),
        ("a stale body version", &[], Some(1), 412),
        ("a body version from the future", &[], Some(9), 412),
        ("a stale If-Match with the right body version", &[("If-Match", "\"1\"")], Some(2), 412),
    ];
    for (what, headers, body_version, expected) in refused {
        let path = article_path(&key);
        let response =
            app.request_with(Method::PATCH, &path, Some(&room.editor), headers, Some(&change(body_version))).await;
        assert_eq!(response.status, expected, "{what}: {}", response.text());
        response.assert_problem(expected);
        let now = room.current(&app, &article).await;
        assert_eq!((now["title"].as_str(), version(&now)), (Some("Asli"), 2), "{what} changed the article");
    }

    let accepted: [(&str, Headers, Option<i64>); 3] = [
        ("a weak If-Match", &[("If-Match", "W/\"2\"")], None),
        ("a body version", &[], Some(3)),
        ("the right If-Match with a stale body version", &[("If-Match", "\"4\"")], Some(1)),
    ];
    for (n, (what, headers, body_version)) in (3..).zip(accepted) {
        let mut body = change(body_version);
        merge(&mut body, json!({"title": format!("Versi {n}")}));
        let response =
            app.request_with(Method::PATCH, &article_path(&key), Some(&room.editor), headers, Some(&body)).await;
        assert_eq!(response.status, 200, "{what}: {}", response.text());
        assert_eq!(version(&response.json()), n, "{what}");
        assert_eq!(response.json()["title"], format!("Versi {n}"), "{what}");
    }
}

#[actix_web::test]
async fn an_if_match_list_is_met_when_any_of_its_versions_is_current() {
    let app = TestApp::spawn().await;
    let room = newsroom(&app).await;
    let article = app.create_article(&room.editor, room.body("Daftar", json!({}))).await;
    let path = article_path(id(&article));
    // RFC 9110 13.1.1: the condition holds when any listed entity-tag matches.
    let response = app
        .request_with(
            Method::PATCH,
            &path,
            Some(&room.editor),
            &[("If-Match", "\"7\", \"1\"")],
            Some(&json!({"title": "Baru"})),
        )
        .await;
    assert_eq!(response.status, 200, "If-Match: \"7\", \"1\" on version 1: {}", response.text());
    assert_eq!(version(&response.json()), 2);
}

#[actix_web::test]
async fn a_delete_must_name_the_current_version() {
    let app = TestApp::spawn().await;
    let room = newsroom(&app).await;
    let article = room.article(&app, Owner::Editor, "Hapus", "published").await;
    let path = article_path(id(&article));
    let current = format!("\"{}\"", version(&article));
    let cases: [(&str, Headers, u16); 5] = [
        ("no If-Match", &[], 428),
        ("If-Match: *", &[("If-Match", "*")], 428),
        ("a stale If-Match", &[("If-Match", "\"1\"")], 412),
        ("an If-Match from the future", &[("If-Match", "\"7\"")], 412),
        ("the current version", &[("If-Match", &current)], 204),
    ];
    for (what, headers, expected) in cases {
        let response = app.request_with(Method::DELETE, &path, Some(&room.editor), headers, None).await;
        assert_eq!(response.status, expected, "{what}: {}", response.text());
        let read = app.get(&path).await.status;
        assert_eq!(read, if expected == 204 { 404 } else { 200 }, "after {what}, an anonymous read answers {read}");
    }
}

#[actix_web::test]
async fn two_editors_can_never_silently_overwrite_each_other() {
    let app = TestApp::spawn().await;
    let room = newsroom(&app).await;
    let second_editor = app.token_for("editor").await;
    let article = app.create_article(&room.editor, room.body("Judul awal", json!({}))).await;
    let path = article_path(id(&article));

    let first_read = app.get_as(&room.editor, &path).await;
    let second_read = app.get_as(&second_editor, &path).await;
    let first_etag = first_read.header("etag").expect("the first editor gets an ETag");
    let second_etag = second_read.header("etag").expect("the second editor gets an ETag");
    assert_eq!((first_etag.as_str(), second_etag.as_str()), ("\"1\"", "\"1\""));

    let first = app
        .request_with(
            Method::PATCH,
            &path,
            Some(&room.editor),
            &[("If-Match", &first_etag)],
            Some(&json!({"title": "Versi A"})),
        )
        .await;
    first.assert_status(200);
    let second = app
        .request_with(
            Method::PATCH,
            &path,
            Some(&second_editor),
            &[("If-Match", &second_etag)],
            Some(&json!({"title": "Versi B", "body": "Isi B"})),
        )
        .await;
    second.assert_problem(412);

    let now = room.current(&app, &article).await;
    assert_eq!(now["title"], "Versi A", "the first change is intact: {now}");
    assert_eq!(now["body"], "Isi berita semangka.", "nothing of the second change leaked in");
    assert_eq!(version(&now), 2);
}

/// A body that is JSON but breaks the type (a 422) still says enough for the checks ranked before
/// it: the status it asks for (403) and the version it names (428, 412).
#[actix_web::test]
async fn a_body_that_breaks_the_type_still_gets_403_428_and_412_first() {
    let app = TestApp::spawn().await;
    let room = newsroom(&app).await;
    let no_title = json!({"body": "b", "category_id": room.category, "status": "published"});
    app.post(Some(&room.writer), "/api/v1/articles", &no_title).await.assert_problem(403);
    assert_eq!(app.post(Some(&room.editor), "/api/v1/articles", &no_title).await.error_fields(), ["title"]);

    let own = room.article(&app, Owner::Writer, "Draf", "draft").await;
    let path = article_path(id(&own));
    let cases = [
        (&room.writer, json!({"title": 5, "status": "published", "version": 1}), 403, "a writer asking to publish"),
        (&room.editor, json!({"title": 5}), 428, "no version anywhere"),
        (&room.editor, json!({"title": 5, "version": 9}), 412, "a stale version in the body"),
    ];
    for (token, body, status, why) in cases {
        let response = app.patch(Some(token), &path, &body).await;
        assert_eq!(response.status, status, "{why}: {}", response.text());
    }
    let scheduled = room.article(&app, Owner::Writer, "Terjadwal", "scheduled").await;
    let moved = json!({"published_at": "2031-01-01T00:00:00Z", "title": 5, "version": version(&scheduled)});
    let response = app.patch(Some(&room.writer), &article_path(id(&scheduled)), &moved).await;
    assert_eq!(response.status, 403, "a writer moving a scheduled time: {}", response.text());
    let current = app.patch(Some(&room.editor), &path, &json!({"title": 5, "version": 1})).await;
    assert_eq!(current.error_fields(), ["title"], "the current version in the body: the 422 itself");
    assert_eq!(version(&room.current(&app, &own).await), 1, "nothing was written");
}

/// Several `If-Match` lines are one list; entity tags compare as the strings we issued.
#[actix_web::test]
async fn if_match_lines_form_one_list_and_tags_compare_exactly() {
    let app = TestApp::spawn().await;
    let room = newsroom(&app).await;
    let draft = room.article(&app, Owner::Editor, "Draf", "draft").await;
    let url = app.url(&article_path(id(&draft)));
    let patch = |tags: &'static [&'static str], title: &'static str| {
        let request = tags.iter().fold(
            app.client.patch(url.clone()).insert_header(("Authorization", format!("Bearer {}", room.editor))),
            |request, tag| request.append_header(("If-Match", *tag)),
        );
        async move { request.send_json(&json!({"title": title})).await.expect("sent").status().as_u16() }
    };
    assert_eq!(patch(&["\"01\""], "Nol satu").await, 412, "\"01\" is not the \"1\" we issued");
    assert_eq!(patch(&["\"+1\""], "Plus satu").await, 412);
    assert_eq!(patch(&["\"9\"", "\"1\""], "Dua baris").await, 200, "the second line names the current version");
}

#[actix_web::test]
async fn query_errors_rank_after_401_and_404() {
    let app = TestApp::spawn().await;
    let room = newsroom(&app).await;
    for query in ["status=bogus", "status=draft&per_page=abc", "status=any&page=0"] {
        app.get(&format!("{ARTICLES}?{query}")).await.assert_problem(401);
    }
    assert_eq!(app.get_as(&room.editor, &format!("{ARTICLES}?status=bogus")).await.error_fields(), ["status"]);
    for query in ["limit=abc", "limit=0", "limit=99"] {
        app.get(&format!("{}/related?{query}", article_path(999_999))).await.assert_problem(404);
    }
    let published = room.article(&app, Owner::Editor, "Terbit", "published").await;
    let related = format!("{}/related?limit=0", article_path(id(&published)));
    assert_eq!(app.get(&related).await.error_fields(), ["limit"]);
}

#[actix_web::test]
async fn patch_errors_come_in_the_contracts_order() {
    let app = TestApp::spawn().await;
    let room = newsroom(&app).await;
    let published = room.article(&app, Owner::Editor, "Terbit", "published").await;
    let foreign_draft = room.article(&app, Owner::Editor, "Draf editor", "draft").await;
    let draft = room.article(&app, Owner::Editor, "Draf", "draft").await;
    let json_type = Some("application/json");
    let broken = b"{\"title\": ".to_vec();
    let raw_cases: [(&str, &str, String, Option<&str>, u16); 7] = [
        ("an unknown id with a broken body", &room.editor, article_path(999_999), json_type, 404),
        ("an unknown slug with a broken body", &room.editor, article_path("tidak-ada"), json_type, 404),
        ("a writer, a visible article, a broken body", &room.writer, article_path(id(&published)), json_type, 403),
        (
            "a writer, someone else's draft, a broken body",
            &room.writer,
            article_path(id(&foreign_draft)),
            json_type,
            404,
        ),
        ("a broken body and no version", &room.editor, article_path(id(&draft)), json_type, 400),
        (
            "a writer, a visible article, text/plain",
            &room.writer,
            article_path(id(&published)),
            Some("text/plain"),
            403,
        ),
        ("text/plain and no version", &room.editor, article_path(id(&draft)), Some("text/plain"), 415),
    ];
    for (what, token, path, content_type, expected) in raw_cases {
        let response = app.send_raw(Method::PATCH, &path, Some(token), content_type, broken.clone()).await;
        assert_eq!(response.status, expected, "{what}: {}", response.text());
        response.assert_problem(expected);
    }

    let invalid = [
        ("an empty title", json!({"title": ""}), "title"),
        ("a title that is a number", json!({"title": 5}), "title"),
        ("an unknown status", json!({"status": "live"}), "status"),
        ("a category that names nothing", json!({"category_id": 999}), "category_id"),
        ("a bad slug", json!({"slug": "Bukan Slug"}), "slug"),
        ("a cover with a javascript: URL", json!({"cover_image": {"url": "javascript:alert(1)"}}), "cover_image.url"),
    ];
    let key = id(&draft).to_string();
    let mut failures = Vec::new();
    for (what, body, field) in invalid {
        for (when, version, expected) in [("without a version", None, 428), ("with a stale version", Some(9), 412)] {
            let response = match version {
                None => app.patch(Some(&room.editor), &article_path(&key), &body).await,
                Some(stale) => app.patch_article(&room.editor, &key, stale, &body).await,
            };
            if response.status != expected {
                failures.push(format!(
                    "{what} {when}: expected {expected}, got {}: {}",
                    response.status,
                    response.text()
                ));
            }
        }
        let current = app.patch_article(&room.editor, &key, 1, &body).await;
        assert_eq!(current.error_fields(), [field], "{what} with the current version");
    }
    assert_eq!(version(&room.current(&app, &draft).await), 1, "no refused PATCH changed the draft");
    assert!(failures.is_empty(), "428 and 412 must come before 422:\n{}", failures.join("\n"));
}

/// The audit entries of one article, as the admin reads them.
async fn audit_entries(app: &TestApp, room: &Newsroom, article: i64) -> usize {
    let history = app.get_as(&room.admin, &format!("/api/v1/audit?article={article}&per_page=100")).await;
    history.assert_status(200).json()["data"].as_array().map_or(0, Vec::len)
}

/// A PATCH that changes nothing (an empty object, or values equal to the stored ones, the same
/// bylines and the same tags in another order and case) is a 200 with the article as it was: the
/// same version and `updated_at`, and no audit entry.
#[actix_web::test]
async fn a_patch_that_changes_nothing_writes_nothing() {
    let app = TestApp::spawn().await;
    let room = newsroom(&app).await;
    let author = id(&app.create_author(&room.editor, json!({"name": "Reni"})).await);
    let fields = json!({"author_ids": [author], "tags": ["Korea Utara", "Rudal"], "excerpt": "Ringkas.",
        "cover_image": {"url": "https://img.example/a.jpg", "caption": "Ilustrasi"}, "status": "published"});
    let article = app.create_article(&room.editor, room.body("Tetap", fields)).await;
    let key = id(&article).to_string();
    let entries = audit_entries(&app, &room, id(&article)).await;
    let same = [
        json!({}),
        json!({"title": "Tetap", "body": "Isi berita semangka.", "body_format": "markdown"}),
        json!({"category_id": room.category, "status": "published", "published_at": article["published_at"]}),
        json!({"author_ids": [author], "tags": ["rudal", "KOREA UTARA"], "excerpt": "Ringkas."}),
        json!({"cover_image": {"url": "https://img.example/a.jpg", "caption": "Ilustrasi"}, "slug": article["slug"]}),
    ];
    for change in same {
        let response = app.patch_article(&room.editor, &key, version(&article), &change).await;
        let answer = response.assert_status(200).json();
        assert_eq!(
            (&answer["version"], &answer["updated_at"], &answer["body_html"]),
            (&article["version"], &article["updated_at"], &article["body_html"]),
            "{change}"
        );
        assert_eq!(response.header("etag").as_deref(), Some(format!("\"{}\"", version(&article)).as_str()));
    }
    assert_eq!(audit_entries(&app, &room, id(&article)).await, entries, "a no-op PATCH wrote an audit entry");
    let after = room.current(&app, &article).await;
    assert_eq!((&after["version"], &after["updated_at"]), (&article["version"], &article["updated_at"]));
    // A real change still writes, once.
    let changed = app.patch_article(&room.editor, &key, version(&article), &json!({"title": "Berubah"})).await;
    assert_eq!(changed.assert_status(200).json()["version"], version(&article) + 1);
    assert_eq!(audit_entries(&app, &room, id(&article)).await, entries + 1);
}

/// `null` for a field that cannot be null is a 422 on that field (never ignored), titles are at
/// most 300 characters, and one 422 names every broken field; nothing changes.
#[actix_web::test]
async fn nulls_overlong_titles_and_misfits_are_422_on_every_broken_field_at_once() {
    let app = TestApp::spawn().await;
    let room = newsroom(&app).await;
    let article = app.create_article(&room.editor, room.body("Asli", json!({}))).await;
    let key = id(&article).to_string();
    let not_null = ["title", "slug", "body", "body_format", "category_id", "author_ids", "tags", "status"];
    for field in not_null {
        let response = app.patch_article(&room.editor, &key, 1, &json!({ field: null })).await;
        assert_eq!(response.error_fields(), [field], "{field}: null");
    }
    let mut all_null = serde_json::Map::new();
    for field in not_null {
        all_null.insert(field.to_owned(), Value::Null);
    }
    let response = app.patch_article(&room.editor, &key, 1, &Value::Object(all_null)).await;
    assert_eq!(response.error_fields().into_iter().collect::<BTreeSet<_>>(), not_null.map(String::from).into());

    let broken = json!({"title": "x".repeat(301), "category_id": "satu", "body_format": "rtf", "tags": null,
        "cover_image": {"url": 5}, "author_ids": [1, "dua"], "excerpt": "e".repeat(1001), "published_at": "kemarin"});
    let response = app.patch_article(&room.editor, &key, 1, &broken).await;
    let fields: BTreeSet<String> = response.error_fields().into_iter().collect();
    let expected: BTreeSet<String> =
        ["title", "category_id", "body_format", "tags", "cover_image.url", "author_ids[1]", "excerpt", "published_at"]
            .map(String::from)
            .into();
    assert_eq!(fields, expected, "{}", response.text());

    // Nullable fields stay nullable; 300 characters is a title.
    let fine = json!({"excerpt": null, "cover_image": null, "published_at": null, "title": "é".repeat(300)});
    app.patch_article(&room.editor, &key, 1, &fine).await.assert_status(200);
    let created = app.post(Some(&room.editor), ARTICLES, &room.body(&"x".repeat(301), json!({}))).await;
    assert_eq!(created.error_fields(), ["title"]);
    let after = room.current(&app, &article).await;
    assert_eq!(after["version"], 2, "only the valid PATCH wrote");
}

/// A new article's body that does not fit names every field it gets wrong at once: values of the
/// wrong type (down to the item or nested field) and required fields missing or null.
#[actix_web::test]
async fn a_create_that_does_not_fit_names_every_broken_field_at_once() {
    let app = TestApp::spawn().await;
    let room = newsroom(&app).await;
    let cases = [
        (json!({"title": 5, "body": [], "category_id": "satu"}), vec!["body", "category_id", "title"]),
        (json!({"title": null, "category_id": room.category}), vec!["body", "title"]),
        (
            json!({"title": "T", "body": "B", "category_id": room.category, "author_ids": [1, "dua"],
                "cover_image": {"url": 5}, "status": "terbit", "published_at": "kemarin"}),
            vec!["author_ids[1]", "cover_image.url", "published_at", "status"],
        ),
    ];
    for (body, expected) in cases {
        let response = app.post(Some(&room.editor), ARTICLES, &body).await;
        let fields: BTreeSet<String> = response.error_fields().into_iter().collect();
        assert_eq!(fields, expected.into_iter().map(String::from).collect::<BTreeSet<_>>(), "{body}");
    }
    let all = app.get_as(&room.editor, &format!("{ARTICLES}?status=any")).await.json();
    assert_eq!(all["meta"]["total"], 0, "refused creates wrote nothing");
}
