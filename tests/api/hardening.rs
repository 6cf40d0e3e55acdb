//! Concurrent edits, the audit log, backups, and security headers.

use actix_web::http::Method;
use futures_util::future::join_all;
use serde_json::{json, Value};

use crate::helpers::{TestApp, TestDatabase, PASSWORD};

async fn desk(app: &TestApp) -> (String, i64) {
    let editor = app.token_for("editor").await;
    let category = app.create_category(&editor, json!({"name": "Berita"})).await["id"].as_i64().expect("id");
    (editor, category)
}

#[actix_web::test]
async fn twenty_concurrent_edits_of_one_version_let_exactly_one_win() {
    let app = TestApp::spawn().await;
    let (editor, category) = desk(&app).await;
    let article = app.create_article(&editor, json!({"title": "Awal", "body": "b", "category_id": category})).await;
    let id = article["id"].to_string();
    let (app_ref, editor_ref, id_ref) = (&app, &editor, &id);
    let attempts = (0..20).map(|i| async move {
        app_ref.patch_article(editor_ref, id_ref, 1, &json!({"title": format!("Versi {i}")})).await
    });
    let statuses: Vec<u16> = join_all(attempts).await.into_iter().map(|r| r.status).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 412).count(), 19, "{statuses:?}");
    let now = app.get_as(&editor, &format!("/api/v1/articles/{id}")).await.json();
    assert_eq!(now["version"], 2);
    assert!(now["title"].as_str().is_some_and(|t| t.starts_with("Versi ")));
}

#[actix_web::test]
async fn twenty_concurrent_articles_with_one_title_get_twenty_slugs() {
    let app = TestApp::spawn().await;
    let (editor, category) = desk(&app).await;
    let body = json!({"title": "Banjir Jakarta", "body": "b", "category_id": category});
    let creates = (0..20).map(|_| app.post(Some(&editor), "/api/v1/articles", &body));
    let responses = join_all(creates).await;
    let mut slugs: Vec<String> = responses
        .iter()
        .map(|r| {
            r.assert_status(201);
            r.json()["slug"].as_str().expect("slug").to_owned()
        })
        .collect();
    slugs.sort();
    slugs.dedup();
    assert_eq!(slugs.len(), 20, "{slugs:?}");
    assert!(slugs.contains(&"banjir-jakarta".to_owned()) && slugs.contains(&"banjir-jakarta-20".to_owned()));
}

#[actix_web::test]
async fn concurrent_category_moves_cannot_make_a_cycle() {
    let app = TestApp::spawn().await;
    let (editor, _) = desk(&app).await;
    for round in 0..10 {
        let a = app.create_category(&editor, json!({"name": format!("A {round}")})).await["id"].as_i64().expect("id");
        let b = app.create_category(&editor, json!({"name": format!("B {round}")})).await["id"].as_i64().expect("id");
        let (path_a, path_b) = (format!("/api/v1/categories/{a}"), format!("/api/v1/categories/{b}"));
        let (body_a, body_b) = (json!({"parent_id": b}), json!({"parent_id": a}));
        let (first, second) = futures_util::future::join(
            app.patch(Some(&editor), &path_a, &body_a),
            app.patch(Some(&editor), &path_b, &body_b),
        )
        .await;
        let won = [first.status, second.status];
        assert!(won.contains(&200) && won.contains(&422), "round {round}: {won:?}");
        let path_a = app.get(&format!("/api/v1/categories/{a}")).await.json()["path"].as_array().map(Vec::len);
        let path_b = app.get(&format!("/api/v1/categories/{b}")).await.json()["path"].as_array().map(Vec::len);
        assert_eq!([path_a, path_b].iter().flatten().sum::<usize>(), 3, "one is under the other, once");
    }
}

fn entries(page: &Value) -> Vec<(String, String, Value, Value)> {
    page["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap_or_default().to_owned(),
                e["resource"].as_str().unwrap_or_default().to_owned(),
                e["version_before"].clone(),
                e["version_after"].clone(),
            )
        })
        .collect()
}

#[actix_web::test]
async fn the_audit_log_records_every_editorial_write_with_versions() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let (editor_id, editor) = app.user_with_token("editor").await;
    let category = app.create_category(&editor, json!({"name": "Berita"})).await["id"].as_i64().expect("id");
    let author = app.create_author(&editor, json!({"name": "Reni"})).await["id"].as_i64().expect("id");
    app.patch(Some(&editor), &format!("/api/v1/authors/{author}"), &json!({"title": "Wartawan"}))
        .await
        .assert_status(200);
    let article = app
        .create_article(&editor, json!({"title": "Satu", "body": "b", "category_id": category, "author_ids": [author]}))
        .await;
    let id = article["id"].as_i64().expect("id");
    app.patch_article(&editor, &id.to_string(), 1, &json!({"title": "Dua"})).await.assert_status(200);
    app.patch_article(&editor, &id.to_string(), 2, &json!({"status": "published"})).await.assert_status(200);
    app.request_with(Method::DELETE, &format!("/api/v1/articles/{id}"), Some(&editor), &[("If-Match", "\"3\"")], None)
        .await
        .assert_status(204);

    let for_article = app.get_as(&admin, &format!("/api/v1/audit?article={id}")).await;
    for_article.assert_status(200);
    let null = Value::Null;
    assert_eq!(
        entries(&for_article.json()),
        [
            ("delete".into(), "article".into(), json!(3), null.clone()),
            ("update".into(), "article".into(), json!(2), json!(3)),
            ("update".into(), "article".into(), json!(1), json!(2)),
            ("create".into(), "article".into(), null.clone(), json!(1)),
        ]
    );
    let by_editor = app.get_as(&admin, &format!("/api/v1/audit?user={editor_id}&per_page=100")).await.json();
    assert_eq!(by_editor["meta"]["total"], 7, "category, author twice, article four times");
    let first = &by_editor["data"][0];
    assert_eq!(first["user_id"], editor_id);
    assert!(first["user_email"].as_str().is_some_and(|e| e.starts_with("editor-")));
    assert!(first["at"].as_str().is_some_and(|t| t.ends_with('Z')));
    let everything = app.get_as(&admin, "/api/v1/audit?per_page=2").await;
    assert!(everything.header("link").is_some_and(|l| l.contains("rel=\"next\"")));

    app.get_as(&editor, "/api/v1/audit").await.assert_problem(403);
    app.get("/api/v1/audit").await.assert_problem(401);
    app.get_as(&admin, "/api/v1/audit?user=abc").await.assert_problem(400);
    assert_eq!(app.get_as(&admin, "/api/v1/audit?per_page=0").await.error_fields(), ["per_page"]);
    assert_eq!(app.get_as(&admin, "/api/v1/audit?article=0").await.error_fields(), ["article"]);
}

/// `(action, resource, resource_id, user_email)` of each entry on an audit page, newest first.
fn account_entries(page: &Value) -> Vec<(String, String, i64, String)> {
    page["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap_or_default().to_owned(),
                e["resource"].as_str().unwrap_or_default().to_owned(),
                e["resource_id"].as_i64().unwrap_or_default(),
                e["user_email"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

#[actix_web::test]
async fn the_audit_log_records_account_changes_and_who_made_them() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let admin_id = app.get_as(&admin, "/api/v1/auth/me").await.json()["id"].as_i64().expect("id");
    let email = format!("akun-{}@warta.test", crate::helpers::unique());
    let body = json!({"email": email, "name": "Akun", "role": "writer", "password": PASSWORD});
    let user = app.post(Some(&admin), "/api/v1/users", &body).await.json()["id"].as_i64().expect("id");
    let path = format!("/api/v1/users/{user}");
    app.patch(Some(&admin), &path, &json!({"role": "editor"})).await.assert_status(200);
    let own = app.login(&email, PASSWORD).await.json()["access_token"].as_str().expect("token").to_owned();
    let change = json!({"current_password": PASSWORD, "new_password": "kata sandi baru sekali"});
    app.put(Some(&own), "/api/v1/auth/me/password", &change).await.assert_status(204);
    // Refused writes leave no entry.
    app.patch(Some(&admin), &format!("/api/v1/users/{admin_id}"), &json!({"role": "writer"})).await.assert_problem(409);
    app.patch(Some(&admin), &path, &json!({"email": "bukan email"})).await.assert_problem(422);
    app.delete(Some(&admin), &path).await.assert_status(204);

    let log = app.get_as(&admin, "/api/v1/audit?per_page=100").await.json();
    let admin_email = crate::helpers::ADMIN_EMAIL.to_owned();
    assert_eq!(
        account_entries(&log),
        [
            ("delete".into(), "user".into(), user, admin_email.clone()),
            ("update".into(), "user".into(), user, email.clone()),
            ("update".into(), "user".into(), user, admin_email.clone()),
            ("create".into(), "user".into(), user, admin_email),
            ("create".into(), "user".into(), admin_id, "(operator)".into()),
        ],
        "the first admin is created by the operator, from WARTA_ADMIN_*"
    );
    let entries = log["data"].as_array().expect("data");
    assert_eq!(entries[1]["user_id"], Value::Null, "the deleted account's own entry keeps its email only");
    assert_eq!(entries[4]["user_id"], Value::Null, "the operator has no account");
    assert_eq!(entries[0]["user_id"], admin_id);
    let by_admin = app.get_as(&admin, &format!("/api/v1/audit?user={admin_id}")).await.json();
    assert_eq!(by_admin["meta"]["total"], 3);
}

#[actix_web::test]
async fn a_backup_taken_under_write_load_restores_into_a_new_server() {
    // `VACUUM INTO`: SQLite's.
    let app = TestApp::spawn_on(TestDatabase::sqlite(), |_| {}).await;
    let (editor, category) = desk(&app).await;
    for i in 0..5 {
        app.create_article(
            &editor,
            json!({"title": format!("Sebelum {i}"), "body": "b", "category_id": category, "status": "published"}),
        )
        .await;
    }
    let backup_dir = tempfile::tempdir().expect("tempdir");
    let target = backup_dir.path().join("backup.db");
    let writers = async {
        let mut written = 0;
        for i in 0..40 {
            let body =
                json!({"title": format!("Selama {i}"), "body": "b", "category_id": category, "status": "published"});
            app.post(Some(&editor), "/api/v1/articles", &body).await.assert_status(201);
            written += 1;
        }
        written
    };
    let backup = {
        let (database, target) = (app.database.clone(), target.clone());
        actix_web::rt::task::spawn_blocking(move || {
            std::thread::sleep(std::time::Duration::from_millis(50));
            warta::db::Db::open(&database, 1).expect("open").backup(&target)
        })
    };
    let (written, backed_up) = futures_util::future::join(writers, backup).await;
    backed_up.expect("joined").expect("the backup succeeds under load");
    assert_eq!(written, 40);
    let restored_database = warta::config::Database::Sqlite(target.clone());
    assert!(
        warta::db::Db::open(&restored_database, 1).expect("open").backup(&target).is_err(),
        "a backup never overwrites"
    );

    let restored = TestApp::spawn_with(|s| s.database = restored_database).await;
    let listed = restored.get("/api/v1/articles?per_page=100").await.json();
    let total = listed["meta"]["total"].as_i64().expect("total");
    assert!((5..=45).contains(&total), "a consistent snapshot: {total}");
    for item in listed["data"].as_array().expect("data") {
        let slug = item["slug"].as_str().expect("slug");
        restored.get(&format!("/api/v1/articles/{slug}")).await.assert_status(200);
    }
    let editor_again = restored.admin_token().await;
    restored.get_as(&editor_again, "/api/v1/auth/me").await.assert_status(200);
}

#[actix_web::test]
async fn every_answer_carries_a_content_security_policy() {
    let app = TestApp::spawn().await;
    let api = app.get("/api/v1/categories").await;
    assert_eq!(api.header("content-security-policy").as_deref(), Some("default-src 'none'; frame-ancestors 'none'"));
    let docs = app.get("/docs/").await;
    let policy = docs.header("content-security-policy").expect("a policy on /docs");
    for directive in ["default-src 'none'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"] {
        assert!(policy.contains(directive), "{directive} missing: {policy}");
    }
    assert!(!policy.contains("script-src 'self' 'unsafe"), "no inline scripts: {policy}");
    let problem = app.get("/nope").await;
    assert!(problem.header("content-security-policy").is_some());
    assert_eq!(problem.header("x-content-type-options").as_deref(), Some("nosniff"));
}

#[actix_web::test]
async fn behind_a_proxy_the_client_cannot_pick_its_throttle_address_with_an_unparsable_entry() {
    let app = TestApp::spawn_with(|s| {
        s.login_window = std::time::Duration::from_secs(60);
        s.trusted_proxies = vec!["127.0.0.1".parse().expect("ip")];
    })
    .await;
    // The proxy wrote `unknown` (or ip:port) for the client; each attempt claims another address
    // to the left of it. All are the proxy's hop, so they share one throttle.
    for i in 0..20 {
        let (claimed, hop) = (format!("203.0.113.{i}"), if i % 2 == 0 { "unknown" } else { "garbage:x" });
        let forwarded = format!("{claimed}, {hop}");
        let body = json!({"email": format!("n{i}@warta.test"), "password": "whatever"});
        let response = app
            .request_with(Method::POST, "/api/v1/auth/login", None, &[("X-Forwarded-For", &forwarded)], Some(&body))
            .await;
        response.assert_problem(401);
    }
    let body = json!({"email": crate::helpers::ADMIN_EMAIL, "password": crate::helpers::ADMIN_PASSWORD});
    let fresh = [("X-Forwarded-For", "198.51.100.77, unknown")];
    app.request_with(Method::POST, "/api/v1/auth/login", None, &fresh, Some(&body)).await.assert_problem(429);
    // A well-formed `ip:port` entry from the proxy is the client itself, and it is not throttled.
    let real = [("X-Forwarded-For", "203.0.113.5, 198.51.100.77:4321")];
    app.request_with(Method::POST, "/api/v1/auth/login", None, &real, Some(&body)).await.assert_status(200);
}
