//! Two servers on one database, as behind a load balancer, and requests raced across them: the
//! contract's invariants hold whichever instance answers. On SQLite the servers share the file; with
//! `WARTA_TEST_POSTGRES` they share a PostgreSQL database, where nothing serialises writes but
//! Warta's own lock (`db::serialized_transaction`).

use futures_util::future::join_all;
use serde_json::{json, Value};

use warta::config::Settings;

use crate::feeds::{desk, fast_views, numeric_id, read_with, view_count};
use crate::helpers::{TestApp, TestResponse, ADMIN_EMAIL, ADMIN_PASSWORD};

/// How many requests each race sends, alternating between the instances.
const RACERS: usize = 8;

async fn two_instances() -> (TestApp, TestApp) {
    two_instances_with(|_| {}).await
}

async fn two_instances_with(adjust: impl Fn(&mut Settings)) -> (TestApp, TestApp) {
    let first = TestApp::spawn_with(&adjust).await;
    let database = first.database.clone();
    let second = TestApp::spawn_with(move |s| {
        adjust(s);
        s.database = database;
    })
    .await;
    (first, second)
}

/// Sends `RACERS` requests at once, the even ones to `a` and the odd ones to `b`, and returns the
/// answers in order.
async fn race<'a, F, Fut>(a: &'a TestApp, b: &'a TestApp, send: F) -> Vec<TestResponse>
where
    F: Fn(&'a TestApp, usize) -> Fut,
    Fut: std::future::Future<Output = TestResponse>,
{
    join_all((0..RACERS).map(|i| send(if i % 2 == 0 { a } else { b }, i))).await
}

async fn demote(app: &TestApp, token: &str, user: i64) -> TestResponse {
    app.patch(Some(token), &format!("/api/v1/users/{user}"), &json!({"role": "editor"})).await
}

async fn move_under(app: &TestApp, token: &str, child: &Value, parent: &Value) -> TestResponse {
    app.patch(Some(token), &format!("/api/v1/categories/{}", child["id"]), &json!({"parent_id": parent["id"]})).await
}

fn statuses(answers: &[TestResponse]) -> Vec<u16> {
    answers.iter().map(|r| r.status).collect()
}

#[actix_web::test]
async fn a_refresh_token_is_spent_once_whichever_instance_sees_it() {
    let (a, b) = two_instances().await;
    let login = a.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    login.assert_status(200);
    let body = json!({"refresh_token": login.json()["refresh_token"]});
    let answers = race(&a, &b, |app, _| app.post(None, "/api/v1/auth/refresh", &body)).await;
    let spent = statuses(&answers);
    assert_eq!(spent.iter().filter(|&&s| s == 200).count(), 1, "exactly one rotation: {spent:?}");
    assert!(spent.iter().all(|&s| s == 200 || s == 401), "{spent:?}");
}

#[actix_web::test]
async fn slugs_stay_unique_when_instances_create_the_same_name_at_once() {
    let (a, b) = two_instances().await;
    let admin = a.admin_token().await;
    let body = json!({"name": "Pemilu Serentak"});
    let answers = race(&a, &b, |app, _| app.post(Some(&admin), "/api/v1/categories", &body)).await;
    assert!(answers.iter().all(|r| r.status == 201), "{:?}", statuses(&answers));
    let mut slugs: Vec<String> = answers.iter().map(|r| r.json()["slug"].as_str().expect("slug").to_owned()).collect();
    slugs.sort();
    let mut expected: Vec<String> = (1..=RACERS)
        .map(|n| if n == 1 { "pemilu-serentak".to_owned() } else { format!("pemilu-serentak-{n}") })
        .collect();
    expected.sort();
    assert_eq!(slugs, expected, "each name once, numbered in turn");
}

#[actix_web::test]
async fn one_edit_of_a_version_wins_across_instances() {
    let (a, b) = two_instances().await;
    let admin = a.admin_token().await;
    let category = a.create_category(&admin, json!({"name": "Politik"})).await;
    let author = a.create_author(&admin, json!({"name": "Rina"})).await;
    let article = a
        .create_article(
            &admin,
            json!({"title": "Awal", "body": "Isi.", "category_id": category["id"], "author_ids": [author["id"]]}),
        )
        .await;
    let id = article["id"].to_string();
    let edits: Vec<Value> = (0..RACERS).map(|i| json!({"title": format!("Suntingan {i}")})).collect();
    let answers = race(&a, &b, |app, i| app.patch_article(&admin, &id, 1, &edits[i])).await;
    let edited = statuses(&answers);
    assert_eq!(edited.iter().filter(|&&s| s == 200).count(), 1, "one edit of version 1: {edited:?}");
    assert!(edited.iter().all(|&s| s == 200 || s == 412), "{edited:?}");
    let after = b.get_as(&admin, &format!("/api/v1/articles/{id}")).await.json();
    assert_eq!(after["version"], 2, "exactly one step");
}

#[actix_web::test]
async fn two_admins_demoting_each_other_at_once_leave_one_admin() {
    let (a, b) = two_instances().await;
    let first = a.admin_token().await;
    let first_id = a.get_as(&first, "/api/v1/auth/me").await.json()["id"].as_i64().expect("id");
    let (second_id, second) = a.user_with_token("admin").await;
    let (one, other) = futures_util::future::join(demote(&a, &first, second_id), demote(&b, &second, first_id)).await;
    let outcome = [one.status, other.status];
    let admins = async |token: &str| -> Option<usize> {
        let users = a.get_as(token, "/api/v1/users?per_page=100").await;
        (users.status == 200)
            .then(|| users.json()["data"].as_array().expect("data").iter().filter(|u| u["role"] == "admin").count())
    };
    let remaining = match admins(&first).await {
        Some(count) => count,
        None => admins(&second).await.expect("one of the two is still an admin"),
    };
    assert_eq!(remaining, 1, "one admin is left: {outcome:?}");
    // The later one is refused: 409 for the last admin, or 403 when its sender was demoted first.
    assert_eq!(outcome.iter().filter(|&&s| s == 200).count(), 1, "one demotion: {outcome:?}");
    assert!(outcome.iter().any(|&s| s == 409 || s == 403), "the other is refused: {outcome:?}");
}

#[actix_web::test]
async fn two_moves_that_would_close_a_cycle_cannot_both_succeed() {
    let (a, b) = two_instances().await;
    let admin = a.admin_token().await;
    let north = a.create_category(&admin, json!({"name": "Utara"})).await;
    let south = a.create_category(&admin, json!({"name": "Selatan"})).await;
    let (one, other) =
        futures_util::future::join(move_under(&a, &admin, &north, &south), move_under(&b, &admin, &south, &north))
            .await;
    let outcome = [one.status, other.status];
    assert_eq!(outcome.iter().filter(|&&s| s == 200).count(), 1, "one move, the other refused: {outcome:?}");
    let tree = a.get("/api/v1/categories?tree=true").await.json();
    assert_eq!(tree["data"].as_array().expect("data").len(), 1, "one root, the other under it: {tree}");
}

#[actix_web::test]
async fn failed_logins_are_counted_once_each_across_instances() {
    let (a, b) = two_instances().await;
    let answers = race(&a, &b, |app, _| app.login(ADMIN_EMAIL, "not the password")).await;
    let seen = statuses(&answers);
    // Five failures per account in the window (the contract), whichever instance counts them.
    assert_eq!(seen.iter().filter(|&&s| s == 401).count(), 5, "{seen:?}");
    assert_eq!(seen.iter().filter(|&&s| s == 429).count(), RACERS - 5, "{seen:?}");
    a.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.assert_problem(429);
}

/// A write acknowledged by one instance shows on the other, whose cache held the old answer: each
/// instance follows the database's count of content writes (polled four times a second).
#[actix_web::test]
async fn a_write_on_one_instance_shows_on_the_other_despite_its_cache() {
    let (a, b) = two_instances().await;
    let admin = a.admin_token().await;
    let category = a.create_category(&admin, json!({"name": "Ekonomi"})).await;
    let author = a.create_author(&admin, json!({"name": "Sari"})).await;
    let latest = "/api/v1/feeds/latest";
    let titles = |feed: &TestResponse| -> Vec<String> {
        feed.json()["data"]
            .as_array()
            .expect("data")
            .iter()
            .map(|a| a["title"].as_str().expect("title").to_owned())
            .collect()
    };
    assert!(titles(&b.get(latest).await).is_empty());
    assert!(titles(&b.get(latest).await).is_empty(), "now from b's cache");
    let published = std::time::Instant::now();
    a.create_article(
        &admin,
        json!({"title": "Harga beras turun", "body": "Isi.", "status": "published",
               "category_id": category["id"], "author_ids": [author["id"]]}),
    )
    .await;
    // The contract's bound is one second; the deadline here is only a backstop for a busy machine.
    let deadline = published + std::time::Duration::from_secs(30);
    while titles(&b.get(latest).await).is_empty() {
        assert!(std::time::Instant::now() < deadline, "b never showed the article a published");
        actix_web::rt::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    // b reports that it followed a's writes, and how late.
    assert!(b.metric("warta_cache_invalidations_followed_total").await >= 1);
    assert!(b.metric("warta_cache_invalidation_lag_microseconds_total").await > 0);
    assert_eq!(a.metric("warta_cache_invalidations_followed_total").await, 0, "a made every write itself");
    // On PostgreSQL b heard of the writes as they committed (LISTEN/NOTIFY), not only by polling.
    let notified = b.metric("warta_content_notifications_total").await;
    if a.database_url().starts_with("postgres") {
        assert!(notified >= 1, "b heard no notification");
    } else {
        assert_eq!(notified, 0, "SQLite has no notifications");
    }
}

/// The view dedupe is the database's, not each instance's: a reader whose reads the balancer
/// spreads over both instances counts once, and the readers behind one address count up to the
/// per-address cap in all, not per instance.
#[actix_web::test]
async fn reads_spread_over_instances_are_deduplicated_as_on_one() {
    let (a, b) = two_instances_with(|s| {
        fast_views(s);
        s.view_reads_per_address = 3;
    })
    .await;
    let desk = desk(&a).await;
    let one_reader = numeric_id(&desk.publish(&a, json!({"title": "Dibaca sekali"})).await);
    let one_address = numeric_id(&desk.publish(&a, json!({"title": "Satu kantor"})).await);
    for n in 0..6 {
        let app = if n % 2 == 0 { &a } else { &b };
        let reader = [("User-Agent", "Mozilla/5.0 (Pembaca)"), ("X-Forwarded-For", "198.51.100.20")];
        assert_eq!(read_with(app, one_reader, &reader).await, 202);
    }
    for n in 0..8 {
        let app = if n % 2 == 0 { &a } else { &b };
        let agent = format!("Mozilla/5.0 (Meja {n})");
        let colleague = [("User-Agent", agent.as_str()), ("X-Forwarded-For", "198.51.100.21")];
        assert_eq!(read_with(app, one_address, &colleague).await, 202);
    }
    a.wait_for_views_written().await;
    b.wait_for_views_written().await;
    assert_eq!(view_count(&a, one_reader).await, 1, "one reader, six reads over two instances");
    assert_eq!(view_count(&b, one_address).await, 3, "eight readers behind one address, a cap of three");
}
