//! `TestApp`: a real Warta server on a random port with its own temporary database, and typed
//! helpers to talk to it.

#![allow(dead_code)]

use actix_web::http::header::HeaderMap;
use actix_web::http::Method;
use serde_json::{json, Value};
use tempfile::TempDir;
use warta::clock::Clock;
use warta::config::{Database, MediaStorage, Settings};
use warta::startup::Application;

pub const ADMIN_EMAIL: &str = "admin@warta.test";
pub const ADMIN_PASSWORD: &str = "admin-password-for-tests";
pub const PASSWORD: &str = "a long passphrase";

pub struct TestApp {
    pub address: String,
    pub client: awc::Client,
    /// Where the server keeps its data (see `TestDatabase`).
    pub database: Database,
    /// The server's clock: `clock.advance(..)` moves the server's time (schedules fall due,
    /// windows and tokens expire) without sleeping.
    pub clock: Clock,
    pub media_storage: MediaStorage,
    _data: TestDatabase,
}

/// Where a test server keeps its data: a new SQLite file in a temporary folder or, when
/// `WARTA_TEST_POSTGRES` names a PostgreSQL server (`postgres://postgres@127.0.0.1:5432`), a new
/// database there, dropped when the test ends. The whole suite runs once on each (`.ci/run`).
pub struct TestDatabase {
    pub database: Database,
    dir: TempDir,
    postgres: Option<(String, String)>,
}

impl TestDatabase {
    /// The engine the suite runs on this time.
    pub fn new() -> TestDatabase {
        match std::env::var("WARTA_TEST_POSTGRES") {
            Ok(server) if !server.trim().is_empty() => TestDatabase::postgres(server.trim().trim_end_matches('/')),
            _ => TestDatabase::sqlite(),
        }
    }

    /// A SQLite file, whatever the suite runs on: for what only SQLite has (its file, `VACUUM INTO`).
    pub fn sqlite() -> TestDatabase {
        let dir = tempfile::tempdir().expect("temporary directory");
        TestDatabase { database: Database::Sqlite(dir.path().join("warta.db")), dir, postgres: None }
    }

    fn postgres(server: &str) -> TestDatabase {
        use diesel::{Connection, RunQueryDsl};
        let name = format!("warta_test_{}_{}", std::process::id(), unique());
        let mut admin = diesel::PgConnection::establish(&format!("{server}/postgres"))
            .unwrap_or_else(|e| panic!("PostgreSQL at {server} (WARTA_TEST_POSTGRES) answers: {e}"));
        diesel::sql_query(format!("CREATE DATABASE {name}")).execute(&mut admin).expect("a test database is created");
        let url = format!("{server}/{name}");
        TestDatabase {
            database: Database::Postgres(url.into()),
            dir: tempfile::tempdir().expect("temporary directory"),
            postgres: Some((server.to_owned(), name)),
        }
    }

    /// `WARTA_DATABASE_URL` for a process on this database.
    pub fn url(&self) -> String {
        database_url(&self.database)
    }

    /// A folder of the test's own, for files beside the database.
    pub fn dir(&self) -> &std::path::Path {
        self.dir.path()
    }
}

/// Where a test server keeps media files: a folder of the test's own or, when `WARTA_TEST_S3`
/// names an S3-compatible server (`http://127.0.0.1:5555`, with `AWS_ACCESS_KEY_ID` and
/// `AWS_SECRET_ACCESS_KEY` set), a new bucket there.
async fn media_storage(dir: &std::path::Path) -> MediaStorage {
    match std::env::var("WARTA_TEST_S3") {
        Ok(endpoint) if !endpoint.trim().is_empty() => {
            let endpoint = endpoint.trim().trim_end_matches('/').to_owned();
            let bucket = format!("warta-test-{}-{}", std::process::id(), unique());
            // An S3 test server takes an unsigned bucket creation.
            let created = awc::Client::default().put(format!("{endpoint}/{bucket}")).send().await;
            let status = created
                .map(|r| r.status().as_u16())
                .unwrap_or_else(|e| panic!("{endpoint} (WARTA_TEST_S3) answers: {e}"));
            assert!(status == 200, "creating the bucket {bucket} at {endpoint} answered {status}");
            MediaStorage::Bucket { bucket, endpoint: Some(endpoint), region: Some("us-east-1".into()) }
        }
        _ => MediaStorage::Folder(dir.join("media")),
    }
}

/// `WARTA_DATABASE_URL` naming `database`, password included.
fn database_url(database: &Database) -> String {
    use secrecy::ExposeSecret;
    match database {
        Database::Sqlite(path) => path.display().to_string(),
        Database::Postgres(url) => url.expose_secret().to_owned(),
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        use diesel::{Connection, RunQueryDsl};
        let Some((server, name)) = &self.postgres else { return };
        // Best effort: a database left behind by a crashed run is only clutter, named by its test.
        if let Ok(mut admin) = diesel::PgConnection::establish(&format!("{server}/postgres")) {
            let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut admin);
        }
    }
}

/// An answer, read in full.
#[derive(Debug)]
pub struct TestResponse {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl TestResponse {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
    }

    /// Asserts the status, printing the body when it differs.
    #[track_caller]
    pub fn assert_status(&self, status: u16) -> &Self {
        assert_eq!(self.status, status, "unexpected status; body: {}", self.text());
        self
    }

    /// Asserts an RFC 9457 problem with this status.
    #[track_caller]
    pub fn assert_problem(&self, status: u16) -> Value {
        self.assert_status(status);
        assert_eq!(self.header("content-type").as_deref(), Some("application/problem+json"), "{}", self.text());
        let body = self.json();
        assert_eq!(body["status"], status, "{body}");
        assert!(body["title"].is_string() && body["detail"].is_string() && body["type"].is_string(), "{body}");
        body
    }

    /// The fields named in a 422's `errors`.
    #[track_caller]
    pub fn error_fields(&self) -> Vec<String> {
        let body = self.assert_problem(422);
        body["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .map(|e| e["field"].as_str().expect("field").to_owned())
            .collect()
    }
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        TestApp::spawn_with(|_| {}).await
    }

    /// Starts a server with settings adjusted by `adjust`.
    pub async fn spawn_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
        TestApp::spawn_on(TestDatabase::new(), adjust).await
    }

    /// Starts a server on `data` with settings adjusted by `adjust`.
    pub async fn spawn_on(data: TestDatabase, adjust: impl FnOnce(&mut Settings)) -> TestApp {
        if std::env::var_os("TEST_LOG").is_some() {
            // Kept for the whole test process: the log writer stops when its guard is dropped.
            std::mem::forget(warta::telemetry::init("info", warta::config::LogFormat::Text));
        }
        let mut settings = Settings::for_tests(data.database.clone());
        settings.media_storage = media_storage(data.dir()).await;
        adjust(&mut settings);
        let database = settings.database.clone();
        let media_storage = settings.media_storage.clone();
        let clock = Clock::system();
        let app = Application::build_with_clock(settings, clock.clone()).await.expect("the application builds");
        let address = format!("http://127.0.0.1:{}", app.port());
        actix_web::rt::spawn(app.run_until_stopped());
        let client = awc::Client::builder().disable_redirects().timeout(std::time::Duration::from_secs(30)).finish();
        TestApp { address, client, database, clock, media_storage, _data: data }
    }

    /// A pool of one connection to the server's database, for tests that look underneath the API.
    pub fn db(&self) -> warta::db::Db {
        warta::db::Db::open(&self.database, 1).expect("the test database opens")
    }

    /// `WARTA_DATABASE_URL` for another process on the same database.
    pub fn database_url(&self) -> String {
        database_url(&self.database)
    }

    /// The SQLite file, for tests of what only SQLite has; such tests start on `TestDatabase::sqlite()`.
    pub fn sqlite_path(&self) -> std::path::PathBuf {
        match &self.database {
            Database::Sqlite(path) => path.clone(),
            Database::Postgres(_) => {
                panic!("this test needs SQLite: start it with TestApp::spawn_on(TestDatabase::sqlite(), ..)")
            }
        }
    }

    /// Every file in the media store (the folder, or the bucket), as keys.
    pub async fn media_files(&self) -> Vec<String> {
        self.media_store().list().await.expect("the media store lists its files")
    }

    /// Every file in the media store with its bytes.
    pub async fn media_bytes(&self) -> std::collections::BTreeMap<String, Vec<u8>> {
        let store = self.media_store();
        let mut found = std::collections::BTreeMap::new();
        for key in store.list().await.expect("the media store lists its files") {
            let bytes = store.get(&key).await.expect("a file reads").expect("a listed file exists");
            found.insert(key, bytes);
        }
        found
    }

    fn media_store(&self) -> std::sync::Arc<dyn warta::media::store::MediaStore> {
        let mut settings = Settings::for_tests(self.database.clone());
        settings.media_storage = self.media_storage.clone();
        warta::media::transfer::store_of(&settings).expect("the media store opens")
    }

    /// The `WARTA_MEDIA_*` (and `AWS_*`) variables of this server's media store, for a `warta`
    /// process working on its files.
    pub fn media_env(&self) -> Vec<(String, String)> {
        match &self.media_storage {
            MediaStorage::Folder(dir) => vec![("WARTA_MEDIA_DIR".into(), dir.display().to_string())],
            MediaStorage::Bucket { bucket, endpoint, region } => {
                let mut env = vec![("WARTA_MEDIA_S3_BUCKET".to_owned(), bucket.clone())];
                env.extend(endpoint.iter().map(|e| ("WARTA_MEDIA_S3_ENDPOINT".to_owned(), e.clone())));
                env.extend(region.iter().map(|r| ("WARTA_MEDIA_S3_REGION".to_owned(), r.clone())));
                for name in ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"] {
                    env.extend(std::env::var(name).ok().map(|v| (name.to_owned(), v)));
                }
                env
            }
        }
    }

    /// The value of a gauge or counter on `/metrics`.
    pub async fn metric(&self, name: &str) -> u64 {
        let text = self.get("/metrics").await.text();
        let line = text
            .lines()
            .find(|line| line.starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("{name} in {text}"));
        line[name.len() + 1..].parse().unwrap_or_else(|_| panic!("a number in {line}"))
    }

    /// Waits until every read accepted so far has been written: two flushes finish after this is
    /// called (the first may have begun before it). Polls the flush counter; the deadline is only
    /// a backstop for a server that stopped flushing.
    pub async fn wait_for_views_written(&self) {
        let wanted = self.metric("warta_view_flushes_total").await + 2;
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
        while self.metric("warta_view_flushes_total").await < wanted {
            assert!(std::time::Instant::now() < deadline, "the views were not flushed within two minutes");
            actix_web::rt::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// Sends a request with optional bearer token and JSON body.
    pub async fn request(&self, method: Method, path: &str, token: Option<&str>, body: Option<&Value>) -> TestResponse {
        let mut req = self.client.request(method, self.url(path));
        if let Some(token) = token {
            req = req.insert_header(("Authorization", format!("Bearer {token}")));
        }
        let result = match body {
            Some(body) => req.send_json(body).await,
            None => req.send().await,
        };
        read(result).await
    }

    /// Sends a request with extra headers (such as `If-Match`), an optional token and JSON body.
    pub async fn request_with(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<&Value>,
    ) -> TestResponse {
        let mut req = self.client.request(method, self.url(path));
        if let Some(token) = token {
            req = req.insert_header(("Authorization", format!("Bearer {token}")));
        }
        for (name, value) in headers {
            req = req.insert_header((*name, *value));
        }
        let result = match body {
            Some(body) => req.send_json(body).await,
            None => req.send().await,
        };
        read(result).await
    }

    /// Sends raw bytes with the given content type.
    pub async fn send_raw(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> TestResponse {
        let mut req = self.client.request(method, self.url(path));
        if let Some(token) = token {
            req = req.insert_header(("Authorization", format!("Bearer {token}")));
        }
        if let Some(content_type) = content_type {
            req = req.insert_header(("Content-Type", content_type));
        }
        read(req.send_body(body).await).await
    }

    pub async fn get(&self, path: &str) -> TestResponse {
        self.request(Method::GET, path, None, None).await
    }

    pub async fn get_as(&self, token: &str, path: &str) -> TestResponse {
        self.request(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, token: Option<&str>, path: &str, body: &Value) -> TestResponse {
        self.request(Method::POST, path, token, Some(body)).await
    }

    pub async fn patch(&self, token: Option<&str>, path: &str, body: &Value) -> TestResponse {
        self.request(Method::PATCH, path, token, Some(body)).await
    }

    pub async fn put(&self, token: Option<&str>, path: &str, body: &Value) -> TestResponse {
        self.request(Method::PUT, path, token, Some(body)).await
    }

    pub async fn delete(&self, token: Option<&str>, path: &str) -> TestResponse {
        self.request(Method::DELETE, path, token, None).await
    }

    pub async fn login(&self, email: &str, password: &str) -> TestResponse {
        self.post(None, "/api/v1/auth/login", &json!({"email": email, "password": password})).await
    }

    /// The admin's access token.
    pub async fn admin_token(&self) -> String {
        let response = self.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
        response.assert_status(200);
        response.json()["access_token"].as_str().expect("access_token").to_owned()
    }

    /// Creates an account with `role` through the API and returns its access token.
    pub async fn token_for(&self, role: &str) -> String {
        self.user_with_token(role).await.1
    }

    /// Creates an account with `role` and returns `(user id, access token)`.
    pub async fn user_with_token(&self, role: &str) -> (i64, String) {
        let admin = self.admin_token().await;
        let email = format!("{role}-{}@warta.test", unique());
        let created = self
            .post(
                Some(&admin),
                "/api/v1/users",
                &json!({"email": email, "name": role, "role": role, "password": PASSWORD}),
            )
            .await;
        created.assert_status(201);
        let login = self.login(&email, PASSWORD).await;
        login.assert_status(200);
        (created.json()["id"].as_i64().expect("id"), login.json()["access_token"].as_str().expect("token").to_owned())
    }

    pub async fn create_category(&self, token: &str, body: Value) -> Value {
        let response = self.post(Some(token), "/api/v1/categories", &body).await;
        response.assert_status(201);
        response.json()
    }

    pub async fn create_author(&self, token: &str, body: Value) -> Value {
        let response = self.post(Some(token), "/api/v1/authors", &body).await;
        response.assert_status(201);
        response.json()
    }

    /// Creates an article and returns its body (a draft unless `body` names a status).
    pub async fn create_article(&self, token: &str, body: Value) -> Value {
        let response = self.post(Some(token), "/api/v1/articles", &body).await;
        response.assert_status(201);
        response.json()
    }

    /// PATCHes an article with `If-Match` set to `version`.
    pub async fn patch_article(&self, token: &str, key: &str, version: i64, body: &Value) -> TestResponse {
        let if_match = format!("\"{version}\"");
        self.request_with(
            Method::PATCH,
            &format!("/api/v1/articles/{key}"),
            Some(token),
            &[("If-Match", &if_match)],
            Some(body),
        )
        .await
    }

    pub async fn create_tag(&self, token: &str, body: Value) -> Value {
        let response = self.post(Some(token), "/api/v1/tags", &body).await;
        response.assert_status(201);
        response.json()
    }
}

async fn read<S>(result: Result<awc::ClientResponse<S>, awc::error::SendRequestError>) -> TestResponse
where
    S: futures_core::Stream<Item = Result<actix_web::web::Bytes, actix_web::error::PayloadError>> + Unpin,
{
    let mut response = result.expect("the request was sent");
    let body = response.body().limit(64 * 1024 * 1024).await.expect("the body was read").to_vec();
    TestResponse { status: response.status().as_u16(), headers: response.headers().clone(), body }
}

/// A number no other call in this process returns, for unique emails and names.
pub fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// The taxonomy tables whose rows tests backdate and read (`backdate`, `stored_updated_at`).
const TAXONOMY_TABLES: [&str; 3] = ["categories", "authors", "tags"];

impl TestApp {
    /// Sets `updated_at` of a row of `categories`, `authors` or `tags` to 2020-01-01T00:00:00Z, so
    /// that a test can tell whether a later write touched it without waiting for the clock.
    pub fn backdate(&self, table: &str, id: i64) {
        assert!(TAXONOMY_TABLES.contains(&table), "not a taxonomy table: {table}");
        let db = self.db();
        let sql = format!("UPDATE {table} SET updated_at = '2020-01-01 00:00:00' WHERE id = {id}");
        let changed = db.run_now(|conn| Ok(diesel::RunQueryDsl::execute(diesel::sql_query(sql), conn)?));
        assert_eq!(changed.expect("the row is backdated"), 1, "{table} {id} exists");
    }

    /// The stored `updated_at` of a row of `categories`, `authors` or `tags` (tags do not show it).
    pub fn stored_updated_at(&self, table: &str, id: i64) -> String {
        #[derive(diesel::QueryableByName)]
        struct Stamp {
            #[diesel(sql_type = diesel::sql_types::Text)]
            updated_at: String,
        }
        assert!(TAXONOMY_TABLES.contains(&table), "not a taxonomy table: {table}");
        let db = self.db();
        let sql = format!("SELECT CAST(updated_at AS TEXT) AS updated_at FROM {table} WHERE id = {id}");
        db.run_now(|conn| Ok(diesel::RunQueryDsl::get_result::<Stamp>(diesel::sql_query(sql), conn)?))
            .expect("the row exists")
            .updated_at
    }

    /// How many audit entries name `resource` (`category`, `author`, `tag`...) `id`, read as the admin.
    pub async fn audit_entries(&self, resource: &str, id: i64) -> usize {
        let admin = self.admin_token().await;
        let log = self.get_as(&admin, "/api/v1/audit?per_page=100").await;
        log.assert_status(200);
        log.json()["data"]
            .as_array()
            .expect("data")
            .iter()
            .filter(|e| e["resource"] == resource && e["resource_id"] == id)
            .count()
    }
}
