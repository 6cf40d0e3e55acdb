//! Three `warta serve` processes on one PostgreSQL database behind HAProxy, as the README's
//! "Running several instances" sets them up: writes through the balancer show on every instance,
//! one reader's reads count once whichever instances see them, a stopped instance writes the views
//! it held, and a killed one loses no acknowledged write while the balancer routes around it.
//!
//! PostgreSQL only (`WARTA_TEST_POSTGRES`, as `.ci/run` sets it, which also installs HAProxy):
//! several instances are what PostgreSQL is for. Without it the test says so and passes.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::cli::{serve_with_stderr, terminate, Served};
use crate::helpers::TestDatabase;

const ADMIN: (&str, &str) = ("redaksi@warta.test", "a very long admin password");
const READER: &str = "Mozilla/5.0 (Pembaca setia)";

/// Where HAProxy is: on PATH, or where Debian puts it (sbin is not on every PATH).
fn haproxy_binary() -> PathBuf {
    let on_path = std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).map(|dir| dir.join("haproxy")).find(|p| p.is_file()))
        .unwrap_or_default();
    on_path.unwrap_or_else(|| PathBuf::from("/usr/sbin/haproxy"))
}

/// HAProxy in the foreground, round-robin over `ports`, each health-checked on `/readyz`.
struct Balancer {
    child: Child,
    port: u16,
}

impl Balancer {
    fn start(dir: &Path, ports: &[u16]) -> Balancer {
        let binary = haproxy_binary();
        assert!(
            binary.is_file(),
            "the cluster test needs HAProxy: `apt-get install haproxy` (.ci/run installs it when missing)"
        );
        let port = free_port();
        let servers: String = ports
            .iter()
            .enumerate()
            .map(|(n, p)| format!("    server warta{n} 127.0.0.1:{p} check inter 200ms fall 2 rise 2\n"))
            .collect();
        // The README's configuration, with faster health checks so the test need not wait long.
        let config = format!(
            "global\n    maxconn 1000\n\
             defaults\n    mode http\n    timeout connect 2s\n    timeout client 30s\n    timeout server 30s\n    \
             retries 2\n    option redispatch\n\
             frontend warta\n    bind 127.0.0.1:{port}\n    option forwardfor\n    default_backend instances\n\
             backend instances\n    balance roundrobin\n    option httpchk GET /readyz\n    \
             http-check expect status 200\n{servers}"
        );
        let path = dir.join("haproxy.cfg");
        std::fs::write(&path, config).expect("the HAProxy config is written");
        let check = Command::new(&binary).args(["-c", "-q", "-f"]).arg(&path).status().expect("haproxy runs");
        assert!(check.success(), "HAProxy refused its config");
        let child = Command::new(&binary)
            .args(["-db", "-f"])
            .arg(&path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("haproxy starts");
        Balancer { child, port }
    }
}

impl Drop for Balancer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The instances still running; any left when the test ends (a failed assertion) are killed, so
/// none outlives the test holding its database.
struct Instances(Vec<Option<Served>>);

impl Drop for Instances {
    fn drop(&mut self) {
        for served in self.0.iter_mut().flatten() {
            let _ = served.child.kill();
            let _ = served.child.wait();
        }
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

struct Client {
    http: awc::Client,
}

impl Client {
    async fn send(
        &self,
        method: &str,
        port: u16,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> (u16, Value) {
        let method = awc::http::Method::from_bytes(method.as_bytes()).expect("a method");
        let mut request = self
            .http
            .request(method, format!("http://127.0.0.1:{port}{path}"))
            .insert_header(("User-Agent", READER))
            .timeout(Duration::from_secs(30));
        if let Some(token) = token {
            request = request.insert_header(("Authorization", format!("Bearer {token}")));
        }
        let sent = match body {
            Some(body) => request.send_json(body).await,
            None => request.send().await,
        };
        let Ok(mut response) = sent else { return (0, Value::Null) };
        let status = response.status().as_u16();
        let body = response.body().limit(1 << 22).await.map(|b| b.to_vec()).unwrap_or_default();
        (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
    }

    async fn get(&self, port: u16, path: &str) -> (u16, Value) {
        self.send("GET", port, path, None, None).await
    }

    /// A Prometheus counter or gauge of one instance.
    async fn metric(&self, port: u16, name: &str) -> u64 {
        let response = self.http.get(format!("http://127.0.0.1:{port}/metrics")).send().await;
        let text = match response {
            Ok(mut r) => String::from_utf8_lossy(&r.body().await.unwrap_or_default()).into_owned(),
            Err(e) => panic!("no /metrics from {port}: {e}"),
        };
        text.lines()
            .find_map(|line| line.strip_prefix(name).and_then(|rest| rest.strip_prefix(' ')))
            .and_then(|value| value.trim().parse().ok())
            .unwrap_or_else(|| panic!("{name} missing from {port}'s /metrics"))
    }

    /// Waits until every read `port` accepted so far is written (two flushes later).
    async fn views_written(&self, port: u16) {
        let wanted = self.metric(port, "warta_view_flushes_total").await + 2;
        within(Duration::from_secs(60), "the views were flushed", || async {
            self.metric(port, "warta_view_flushes_total").await >= wanted
        })
        .await;
    }
}

/// Polls `done` until it holds; `limit` is only a backstop for a machine under load.
async fn within<F, Fut>(limit: Duration, what: &str, done: F) -> Duration
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    while !done().await {
        assert!(start.elapsed() < limit, "not within {limit:?}: {what}");
        actix_web::rt::time::sleep(Duration::from_millis(10)).await;
    }
    start.elapsed()
}

fn titles(feed: &Value) -> Vec<String> {
    feed["data"]
        .as_array()
        .map_or_else(Vec::new, |items| items.iter().filter_map(|a| a["title"].as_str().map(str::to_owned)).collect())
}

#[actix_web::test]
async fn three_instances_behind_haproxy_act_as_one() {
    if std::env::var_os("WARTA_TEST_POSTGRES").is_none() {
        eprintln!("cluster test: runs on PostgreSQL only; set WARTA_TEST_POSTGRES (as .ci/run does)");
        return;
    }
    let database = TestDatabase::new();
    let url = database.url();
    let dir = tempfile::tempdir().expect("tempdir");
    let secret = "a shared secret for three instances, 32+ bytes";
    let env = [
        ("WARTA_DATABASE_URL", url.as_str()),
        ("WARTA_JWT_SECRET", secret),
        ("WARTA_ADMIN_EMAIL", ADMIN.0),
        ("WARTA_ADMIN_PASSWORD", ADMIN.1),
        ("WARTA_TRUSTED_PROXIES", "127.0.0.1"),
        ("WARTA_VIEW_FLUSH_MS", "200"),
        ("WARTA_WORKERS", "2"),
    ];
    // Three first starts at once: the migrations and the first admin happen once.
    let mut instances = Instances(std::thread::scope(|scope| {
        let starting: Vec<_> = (0..3)
            .map(|n| {
                let log = std::fs::File::create(dir.path().join(format!("warta{n}.log"))).expect("a log file");
                let env = &env;
                let dir = dir.path();
                scope.spawn(move || serve_with_stderr(dir, env, Stdio::from(log)))
            })
            .collect();
        starting.into_iter().map(|s| Some(s.join().expect("an instance started"))).collect()
    }));
    let ports: Vec<u16> = instances.0.iter().flatten().map(|s| s.port).collect();
    let balancer = Balancer::start(dir.path(), &ports);
    let lb = balancer.port;
    let client = Client { http: awc::Client::default() };
    within(Duration::from_secs(30), "HAProxy answers", || async { client.get(lb, "/readyz").await.0 == 200 }).await;
    for &port in &ports {
        let (status, ready) = client.get(port, "/readyz").await;
        assert_eq!((status, ready["database"].as_str()), (200, Some("postgres")), "{ready}");
    }

    // Writes through the balancer; a token from one instance is good on all.
    let (status, login) = client
        .send("POST", lb, "/api/v1/auth/login", None, Some(&json!({"email": ADMIN.0, "password": ADMIN.1})))
        .await;
    assert_eq!(status, 200, "{login}");
    let token = login["access_token"].as_str().expect("a token").to_owned();
    let token = token.as_str();
    for &port in &ports {
        assert_eq!(client.send("GET", port, "/api/v1/auth/me", Some(token), None).await.0, 200, "on {port}");
    }
    let (_, category) =
        client.send("POST", lb, "/api/v1/categories", Some(token), Some(&json!({"name": "Pemilu"}))).await;
    let (_, author) = client.send("POST", lb, "/api/v1/authors", Some(token), Some(&json!({"name": "Reni"}))).await;
    let article = |title: &str| {
        json!({"title": title, "body": "Isi berita.", "status": "published",
               "category_id": category["id"], "author_ids": [author["id"]]})
    };

    // Every instance's cache holds the feed before the write; each drops it once the write commits.
    let latest = "/api/v1/feeds/latest?limit=50";
    for &port in &ports {
        client.get(port, latest).await;
        assert!(titles(&client.get(port, latest).await.1).is_empty(), "warmed on {port}");
    }
    let (status, story) =
        client.send("POST", lb, "/api/v1/articles", Some(token), Some(&article("Hasil hitung cepat"))).await;
    assert_eq!(status, 201, "{story}");
    for &port in &ports {
        let lag = within(Duration::from_secs(30), "the write shows on every instance", || async {
            titles(&client.get(port, latest).await.1).contains(&"Hasil hitung cepat".to_owned())
        })
        .await;
        eprintln!("cluster test: the write showed on {port} after {lag:?}");
    }

    // One reader, six reads through the balancer (two on each instance): one view. Eight other
    // readers, one read each. Then one instance is stopped at once: it writes what it held.
    let views = format!("/api/v1/articles/{}/views", story["id"]);
    for _ in 0..6 {
        assert_eq!(client.send("POST", lb, &views, None, None).await.0, 202);
    }
    for n in 0..8 {
        let request = client
            .http
            .post(format!("http://127.0.0.1:{lb}{views}"))
            .insert_header(("User-Agent", format!("Mozilla/5.0 (Pembaca {n})")));
        assert_eq!(request.send().await.map(|r| r.status().as_u16()).unwrap_or(0), 202);
    }
    let stopped = instances.0[2].take().expect("the third instance");
    let (exit, _, _) = terminate(stopped);
    assert!(exit.success(), "a graceful stop: {exit:?}");
    for &port in &ports[..2] {
        client.views_written(port).await;
    }
    let (_, read) = client.get(ports[0], &format!("/api/v1/articles/{}", story["id"])).await;
    assert_eq!(read["view_count"], 9, "one for the loyal reader, eight for the others, none lost: {read}");

    // The balancer notices the stopped instance; then one of the two left is killed while writes
    // stream in. Every write acknowledged is there afterwards, and writes go on being served.
    within(Duration::from_secs(30), "HAProxy routes around the stopped instance", || async {
        let mut served = 0;
        for _ in 0..6 {
            served += u32::from(client.get(lb, "/healthz").await.0 == 200);
        }
        served == 6
    })
    .await;
    // Four writes at a time, so some are in flight when the kill comes from another thread.
    let done = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut doomed = instances.0[1].take().expect("the second instance").child;
    let killer = {
        let done = done.clone();
        std::thread::spawn(move || {
            // Killed in any case, should the test fail before its writes get that far.
            let backstop = Instant::now() + Duration::from_secs(120);
            while done.load(std::sync::atomic::Ordering::Acquire) < 20 && Instant::now() < backstop {
                std::thread::sleep(Duration::from_millis(1));
            }
            doomed.kill().expect("SIGKILL");
            doomed.wait().expect("it died");
        })
    };
    let mut killer = Some(killer);
    let mut acknowledged = Vec::new();
    let mut failed = 0;
    let client = &client;
    for batch in 0..20 {
        let writes = (0..4).map(|n| {
            let body = article(&format!("Kabar {batch}-{n}"));
            async move { client.send("POST", lb, "/api/v1/articles", Some(token), Some(&body)).await }
        });
        let answers = futures_util::future::join_all(writes).await;
        if batch == 10 {
            if let Some(killer) = killer.take() {
                killer.join().expect("the killer thread");
            }
        }
        for (status, created) in answers {
            done.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
            match status {
                201 => acknowledged.push(created["id"].clone()),
                // Answered by the killed instance as it died, or sent to it before the health
                // check caught up: not acknowledged, so nothing was promised.
                _ => failed += 1,
            }
            if batch >= 15 {
                assert_eq!(status, 201, "a write well after the kill is served by the survivor: {created}");
            }
        }
    }
    eprintln!("cluster test: {} writes acknowledged, {failed} refused around the kill", acknowledged.len());
    for id in &acknowledged {
        let (status, found) = client.get(ports[0], &format!("/api/v1/articles/{id}")).await;
        assert_eq!(status, 200, "acknowledged article {id} is on the survivor: {found}");
    }
    if let Some(survivor) = instances.0[0].take() {
        let (exit, _, _) = terminate(survivor);
        assert!(exit.success());
    }
    drop(balancer);
}
