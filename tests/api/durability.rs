//! What the operator relies on: a SIGKILL loses no acknowledged write, SIGTERM under load finishes
//! what is in flight and writes the buffered views, and no secret ever reaches the logs.

use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use diesel::RunQueryDsl;
use serde_json::{json, Value};

use crate::cli::{serve, terminate, warta};

const EMAIL: &str = "redaksi@warta.test";
const PASSWORD: &str = "a very long admin password";
const SECRET: &str = "0123456789abcdef0123456789abcdef-secret";

/// The server's settings. Request logs are off: the child's output is a pipe read only when it
/// exits, and a full pipe would stall the server under load.
fn env() -> [(&'static str, &'static str); 4] {
    [
        ("WARTA_ADMIN_EMAIL", EMAIL),
        ("WARTA_ADMIN_PASSWORD", PASSWORD),
        ("WARTA_JWT_SECRET", SECRET),
        ("WARTA_LOG", "warn"),
    ]
}

struct Client {
    http: awc::Client,
    base: String,
    token: String,
}

impl Client {
    async fn login(port: u16) -> (Client, Value) {
        let http = awc::Client::builder().timeout(Duration::from_secs(20)).finish();
        let base = format!("http://127.0.0.1:{port}/api/v1");
        let mut response = http
            .post(format!("{base}/auth/login"))
            .send_json(&json!({"email": EMAIL, "password": PASSWORD}))
            .await
            .expect("login");
        let body: Value = response.json().await.expect("json");
        let token = body["access_token"].as_str().expect("token").to_owned();
        (Client { http, base, token }, body)
    }

    /// Sends a JSON request; `None` when the server did not answer (it was killed).
    async fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, String)],
        body: Option<Value>,
    ) -> Option<(u16, Value)> {
        let method = actix_web::http::Method::from_bytes(method.as_bytes()).expect("method");
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .insert_header(("Authorization", format!("Bearer {}", self.token)));
        for (name, value) in headers {
            request = request.insert_header((*name, value.as_str()));
        }
        let mut response = match body {
            Some(body) => request.send_json(&body).await.ok()?,
            None => request.send().await.ok()?,
        };
        let status = response.status().as_u16();
        let bytes = response.body().limit(1 << 22).await.ok()?;
        Some((status, serde_json::from_slice(&bytes).unwrap_or(Value::Null)))
    }
}

fn integrity(db: &Path) -> String {
    #[derive(diesel::QueryableByName)]
    struct Check {
        #[diesel(sql_type = diesel::sql_types::Text)]
        integrity_check: String,
    }
    let db = warta::db::Db::open(&warta::config::Database::Sqlite(db.to_owned()), 1).expect("open");
    db.run_now(|conn| Ok(diesel::sql_query("PRAGMA integrity_check").get_result::<Check>(conn)?.integrity_check))
        .expect("integrity_check")
}

/// One client's stream of writes: creates an article, then edits it again and again, remembering
/// what each 2xx acknowledged.
async fn writer(
    client: &Client,
    category: i64,
    name: usize,
    acknowledged: &std::cell::RefCell<HashMap<i64, (i64, String)>>,
) {
    let mut current: Option<(i64, i64)> = None;
    for step in 0.. {
        let title = format!("Penulis {name} langkah {step}");
        let answer = match current {
            None => {
                let body = json!({"title": title, "body": "Isi.", "category_id": category, "status": "published"});
                client.send("POST", "/articles", &[], Some(body)).await
            }
            Some((id, version)) => {
                let headers = [("If-Match", format!("\"{version}\""))];
                client.send("PATCH", &format!("/articles/{id}"), &headers, Some(json!({"title": title}))).await
            }
        };
        let Some((status, body)) = answer else { return };
        assert!(status == 200 || status == 201, "unexpected {status}: {body}");
        let (id, version) = (body["id"].as_i64().expect("id"), body["version"].as_i64().expect("version"));
        acknowledged.borrow_mut().insert(id, (version, title));
        current = if step % 5 == 4 { None } else { Some((id, version)) };
    }
}

#[actix_web::test]
async fn a_sigkill_mid_stream_loses_no_acknowledged_write() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("data/warta.db");
    for (round, kill_after) in [700u64, 1100, 450].into_iter().enumerate() {
        let child = serve(dir.path(), &env());
        let port = child.port;
        let (admin, _) = Client::login(port).await;
        let (_, category) = admin
            .send("POST", "/categories", &[], Some(json!({"name": format!("Ronde {round}")})))
            .await
            .expect("category");
        let category = category["id"].as_i64().expect("id");
        let acknowledged = std::cell::RefCell::new(HashMap::new());
        let pid = child.child.id().to_string();
        let killer = async {
            actix_web::rt::time::sleep(Duration::from_millis(kill_after)).await;
            Command::new("kill").args(["-KILL", &pid]).status().expect("kill");
        };
        let writers = futures_util::future::join_all((0..4).map(|n| writer(&admin, category, n, &acknowledged)));
        futures_util::future::join(writers, killer).await;
        let _ = terminate(child);
        let acknowledged = acknowledged.into_inner();
        assert!(acknowledged.len() >= 4, "round {round}: the writers got going ({})", acknowledged.len());
        assert_eq!(integrity(&db), "ok", "round {round}");

        let child = serve(dir.path(), &env());
        let (reader, _) = Client::login(child.port).await;
        for (id, (version, title)) in &acknowledged {
            let (status, article) = reader.send("GET", &format!("/articles/{id}"), &[], None).await.expect("answer");
            assert_eq!(status, 200, "round {round}: acknowledged article {id} is gone");
            let stored = article["version"].as_i64().expect("version");
            // A write may have been done but not acknowledged before the kill: never older, though.
            assert!(stored >= *version, "round {round}: article {id} went back from v{version} to v{stored}");
            if stored == *version {
                assert_eq!(article["title"].as_str(), Some(title.as_str()), "round {round}: article {id}");
            }
        }
        let (status, _, _) = terminate(child);
        assert!(status.success());
    }
}

#[actix_web::test]
async fn sigterm_under_load_finishes_in_flight_work_and_writes_buffered_views() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut env = env().to_vec();
    env.extend([("WARTA_VIEW_FLUSH_MS", "3600000"), ("WARTA_VIEW_DEDUPE_SECONDS", "0")]);
    let child = serve(dir.path(), &env);
    let port = child.port;
    let (admin, _) = Client::login(port).await;
    let (_, category) =
        admin.send("POST", "/categories", &[], Some(json!({"name": "Berita"}))).await.expect("category");
    let body = json!({"title": "Dibaca", "body": "b", "category_id": category["id"], "status": "published"});
    let (_, article) = admin.send("POST", "/articles", &[], Some(body)).await.expect("article");
    let id = article["id"].as_i64().expect("id");
    let counted = std::cell::Cell::new(0);
    let readers = (0..8).map(|_| async {
        let http = awc::Client::builder().timeout(Duration::from_secs(20)).finish();
        loop {
            let request = http
                .post(format!("http://127.0.0.1:{port}/api/v1/articles/{id}/views"))
                .insert_header(("User-Agent", "Mozilla/5.0 (load)"));
            match request.send().await {
                Ok(response) => {
                    assert_eq!(response.status().as_u16(), 202, "an answered beacon is accepted whole");
                    counted.set(counted.get() + 1);
                }
                Err(_) => return,
            }
        }
    });
    let pid = child.child.id().to_string();
    // The stop comes once the load is running (some reads answered), however slow the machine.
    let stopper = async {
        while counted.get() <= 10 {
            actix_web::rt::time::sleep(Duration::from_millis(10)).await;
        }
        Command::new("kill").args(["-TERM", &pid]).status().expect("kill");
    };
    let started = Instant::now();
    futures_util::future::join(futures_util::future::join_all(readers), stopper).await;
    let (status, _, stderr) = terminate(child);
    assert!(status.success(), "exit {status:?}: {stderr}");
    // Generous: shutdown waits at most 10 s for in-flight requests; a hang would be minutes.
    assert!(started.elapsed() < Duration::from_secs(60), "shut down promptly");
    assert!(counted.get() > 10, "the load ran ({})", counted.get());

    let child = serve(dir.path(), &env);
    let (reader, _) = Client::login(child.port).await;
    let (_, article) = reader.send("GET", &format!("/articles/{id}"), &[], None).await.expect("answer");
    assert_eq!(article["view_count"].as_i64(), Some(counted.get()), "every accepted read was written at shutdown");
    let _ = terminate(child);
}

#[actix_web::test]
async fn secrets_never_reach_the_logs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut env: Vec<_> = env().into_iter().filter(|(k, _)| *k != "WARTA_LOG").collect();
    env.extend([("WARTA_LOG", "debug"), ("WARTA_LOG_FORMAT", "json")]);
    let child = serve(dir.path(), &env);
    let port = child.port;
    let (client, login) = Client::login(port).await;
    let refresh = login["refresh_token"].as_str().expect("refresh").to_owned();
    client.send("GET", "/auth/me", &[], None).await.expect("me");
    client.send("POST", "/auth/refresh", &[], Some(json!({"refresh_token": refresh}))).await.expect("refresh");
    client.send("POST", "/auth/refresh", &[], Some(json!({"refresh_token": refresh}))).await.expect("reuse");
    let wrong = awc::Client::default()
        .post(format!("http://127.0.0.1:{port}/api/v1/auth/login"))
        .send_json(&json!({"email": EMAIL, "password": "a wrong password typed"}))
        .await
        .expect("login");
    assert_eq!(wrong.status().as_u16(), 401);
    let (status, stdout, stderr) = terminate(child);
    assert!(status.success());
    let logs = format!("{stdout}\n{stderr}");
    assert!(logs.contains("answered"), "the test did capture request logs");
    for secret in [PASSWORD, "a wrong password typed", SECRET, &client.token, &refresh] {
        assert!(!logs.contains(secret), "a secret reached the logs: {secret}");
    }
}

#[test]
fn the_backup_command_copies_a_database_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut migrate = warta(dir.path());
    assert!(migrate.arg("migrate").status().expect("runs").success());
    let target = dir.path().join("copy.db");
    let backup = warta(dir.path())
        .args(["backup", target.to_str().expect("utf-8")])
        .stdout(Stdio::piped())
        .output()
        .expect("runs");
    assert!(backup.status.success(), "{}", String::from_utf8_lossy(&backup.stderr));
    assert!(String::from_utf8_lossy(&backup.stdout).contains("backed up"));
    assert_eq!(integrity(&target), "ok");
    let again = warta(dir.path()).args(["backup", target.to_str().expect("utf-8")]).output().expect("runs");
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));

    // A database that is not there (a mistyped WARTA_DATABASE_URL) is an error, and nothing is created.
    let typo = dir.path().join("typo").join("none.db");
    let other = dir.path().join("other.db");
    let missing = warta(dir.path())
        .env("WARTA_DATABASE_URL", &typo)
        .args(["backup", other.to_str().expect("utf-8")])
        .output()
        .expect("runs");
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("does not exist"), "{missing:?}");
    assert!(!typo.exists() && !other.exists());
    // A folder is not a file name.
    let folder = format!("{}/", dir.path().join("folder").display());
    let into_folder = warta(dir.path()).args(["backup", &folder]).output().expect("runs");
    assert!(!into_folder.status.success());
    assert!(!dir.path().join("folder").exists());
}
