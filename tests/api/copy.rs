//! `warta copy`: a newsroom moved to another database and back answers the same everywhere. The
//! middle hop is PostgreSQL when the suite runs there (`WARTA_TEST_POSTGRES`), SQLite otherwise.

use serde_json::{json, Value};

use crate::cli::warta;
use crate::feeds::{add_views, desk};
use crate::helpers::{TestApp, TestDatabase};

/// Runs `warta copy` with `WARTA_DATABASE_URL` set to `database` and the given arguments.
fn copy(app_dir: &std::path::Path, database: &str, args: &[&str]) -> std::process::Output {
    let mut command = warta(app_dir);
    command.env("WARTA_DATABASE_URL", database).arg("copy").args(args);
    command.output().expect("warta copy runs")
}

/// What the three servers must answer alike, anonymously and as the source's admin.
const PUBLIC: [&str; 8] = [
    "/api/v1/articles?per_page=100",
    "/api/v1/articles?q=pemilu",
    "/api/v1/categories?tree=true",
    "/api/v1/authors?per_page=100",
    "/api/v1/tags?per_page=100",
    "/api/v1/feeds/latest",
    "/api/v1/feeds/trending?window=7d",
    "/api/v1/articles/kabar-lama",
];
const PRIVATE: [&str; 3] =
    ["/api/v1/audit?per_page=100", "/api/v1/users?per_page=100", "/api/v1/articles?status=draft&per_page=100"];

async fn answers(app: &TestApp, admin: &str) -> Vec<(String, u16, Value)> {
    let mut seen = Vec::new();
    for path in PUBLIC {
        let response = app.get(path).await;
        let body = if response.body.is_empty() { Value::Null } else { response.json() };
        seen.push((path.to_owned(), response.status, body));
    }
    for path in PRIVATE {
        let response = app.get_as(admin, path).await;
        seen.push((path.to_owned(), response.status, response.json()));
    }
    seen
}

#[actix_web::test]
async fn a_newsroom_copied_there_and_back_answers_the_same() {
    let source = TestApp::spawn_on(TestDatabase::sqlite(), |_| {}).await;
    let admin = source.admin_token().await;
    let room = desk(&source).await;
    let section = source.create_category(&admin, json!({"name": "Pemilu Daerah", "parent_id": room.category})).await;
    let mut published = Vec::new();
    for n in 0..6 {
        let article = room
            .publish(
                &source,
                json!({"title": format!("Pemilu serentak {n}"), "body": format!("Isi berita pemilu nomor {n}."),
                       "category_id": section["id"], "tags": ["Pemilu", format!("Daerah {n}")]}),
            )
            .await;
        published.push(article);
    }
    let renamed = room.publish(&source, json!({"title": "Kabar lama", "body": "Isi."})).await;
    room.edit(&source, &renamed, &json!({"slug": "kabar-baru"})).await;
    room.write(&source, json!({"title": "Masih draf", "body": "Belum terbit."})).await;
    add_views(&source, &[(&published[0], 0, 7), (&published[1], 2, 3)]);
    let deleted = room.write(&source, json!({"title": "Sementara", "body": "Dihapus."})).await;
    room.delete(&source, &deleted).await;
    let expected = answers(&source, &admin).await;

    let middle = TestDatabase::new();
    let middle_url = middle.url();
    let source_url = source.database_url();
    let there = copy(middle.dir(), &source_url, &["--to", &middle_url]);
    assert!(there.status.success(), "{}", String::from_utf8_lossy(&there.stderr));
    let printed = String::from_utf8_lossy(&there.stdout);
    assert!(printed.contains("copied 8 rows of articles"), "a line per table: {printed}");
    let again = copy(middle.dir(), &source_url, &["--to", &middle_url]);
    assert!(!again.status.success(), "a target that holds data is refused");
    assert!(String::from_utf8_lossy(&again.stderr).contains("already holds data"));

    let back = TestDatabase::sqlite();
    let back_url = back.url();
    let home = copy(back.dir(), &back_url, &["--from", &middle_url]);
    assert!(home.status.success(), "{}", String::from_utf8_lossy(&home.stderr));

    for data in [middle, back] {
        let copied = TestApp::spawn_on(data, |_| {}).await;
        let seen = answers(&copied, &admin).await;
        for (expected, seen) in expected.iter().zip(&seen) {
            assert_eq!(expected, seen, "{} on {:?}", expected.0, copied.database);
        }
        // Article ids go on after the copied ones, past the deleted article's too: never reused.
        let next = room.write(&copied, json!({"title": "Baru", "body": "Isi."})).await;
        assert!(next["id"].as_i64() > deleted["id"].as_i64(), "on {:?}: {next} after {deleted}", copied.database);
    }
}

/// `warta backup` writes a SQLite file on either engine (on PostgreSQL through the copy's code),
/// which a server then answers from exactly as from the live database.
#[actix_web::test]
async fn a_backup_of_either_engine_is_a_sqlite_file_that_serves_the_same() {
    let source = TestApp::spawn().await;
    let admin = source.admin_token().await;
    let room = desk(&source).await;
    for n in 0..3 {
        room.publish(&source, json!({"title": format!("Pemilu hari {n}"), "body": "Isi berita pemilu."})).await;
    }
    let renamed = room.publish(&source, json!({"title": "Kabar lama", "body": "Isi."})).await;
    room.edit(&source, &renamed, &json!({"slug": "kabar-baru"})).await;
    let expected = answers(&source, &admin).await;

    let kept = TestDatabase::sqlite();
    let file = kept.dir().join("cadangan.db");
    let mut command = warta(kept.dir());
    command.env("WARTA_DATABASE_URL", source.database_url()).arg("backup").arg(&file);
    let output = command.output().expect("warta backup runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let again = warta(kept.dir()).env("WARTA_DATABASE_URL", source.database_url()).arg("backup").arg(&file).output();
    assert!(!again.expect("runs").status.success(), "a backup never overwrites");

    let restored = TestApp::spawn_on(kept, |s| s.database = warta::config::Database::Sqlite(file.clone())).await;
    let seen = answers(&restored, &admin).await;
    for (expected, seen) in expected.iter().zip(&seen) {
        assert_eq!(expected, seen, "{}", expected.0);
    }
}
