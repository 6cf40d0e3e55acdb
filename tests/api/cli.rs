//! The `warta` binary as an operator uses it: first start, CLI commands, config errors, SIGTERM.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;

/// `warta` with a clean environment, run in `dir` (so no stray `.env` is read).
pub(crate) fn warta(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_warta"));
    command.current_dir(dir).env_clear().env("PATH", std::env::var_os("PATH").unwrap_or_default());
    command.env("WARTA_DATABASE_URL", dir.join("data/warta.db"));
    command
}

/// A `warta serve` process, and what it printed to stdout before it listened.
pub(crate) struct Served {
    pub child: Child,
    /// The port it bound: it is started with port 0 and reports the one it got, so no other
    /// process can take the port between a test choosing it and the server binding it.
    pub port: u16,
    /// Its stdout up to the line that names the port (the one-time admin password is printed there).
    pub printed: String,
    stdout: std::thread::JoinHandle<String>,
}

/// Starts `warta serve` on a port the system picks and waits until it says which one.
pub(crate) fn serve(dir: &Path, extra_env: &[(&str, &str)]) -> Served {
    serve_with_stderr(dir, extra_env, Stdio::piped())
}

/// [`serve`], its log going to `stderr` (a file, for a server that logs more than a pipe holds).
pub(crate) fn serve_with_stderr(dir: &Path, extra_env: &[(&str, &str)], stderr: Stdio) -> Served {
    let mut command = warta(dir);
    command.env("WARTA_BIND", "127.0.0.1:0").stdout(Stdio::piped()).stderr(stderr);
    for (k, v) in extra_env {
        command.env(k, v);
    }
    let mut child = command.spawn().expect("warta starts");
    // Stdout is read to its end on a thread, so a chatty server never blocks on a full pipe.
    let (lines, received) = std::sync::mpsc::channel();
    let stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let stdout = std::thread::spawn(move || {
        let mut all = String::new();
        for line in stdout.lines() {
            let Ok(line) = line else { break };
            all.push_str(&line);
            all.push('\n');
            let _ = lines.send(line);
        }
        all
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut printed = String::new();
    let port = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let Ok(line) = received.recv_timeout(left) else {
            let _ = child.kill();
            let output = child.wait_with_output().expect("output");
            panic!(
                "warta did not report its port; stdout: {printed}; stderr: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        };
        if let Some(address) = line.strip_prefix("Warta is listening on ") {
            break address.rsplit(':').next().and_then(|p| p.parse::<u16>().ok()).expect("a port");
        }
        printed.push_str(&line);
        printed.push('\n');
    };
    Served { child, port, printed, stdout }
}

/// Sends SIGTERM, waits for the exit, and returns the exit status, all of stdout and stderr.
pub(crate) fn terminate(served: Served) -> (std::process::ExitStatus, String, String) {
    let Served { mut child, stdout, .. } = served;
    let pid = child.id().to_string();
    Command::new("kill").args(["-TERM", &pid]).status().expect("kill runs");
    let output = {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if child.try_wait().expect("wait").is_some() {
                break;
            }
            assert!(Instant::now() < deadline, "warta did not stop on SIGTERM");
            std::thread::sleep(Duration::from_millis(50));
        }
        child.wait_with_output().expect("output")
    };
    (output.status, stdout.join().expect("stdout was read"), String::from_utf8_lossy(&output.stderr).into_owned())
}

async fn login(port: u16, email: &str, password: &str) -> u16 {
    awc::Client::default()
        .post(format!("http://127.0.0.1:{port}/api/v1/auth/login"))
        .send_json(&json!({"email": email, "password": password}))
        .await
        .expect("sent")
        .status()
        .as_u16()
}

#[actix_web::test]
async fn the_first_start_prints_a_one_time_admin_password_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let first = serve(dir.path(), &[]);
    let port = first.port;
    let printed = first.printed.clone();
    let password = printed
        .lines()
        .find_map(|line| line.trim().strip_prefix("password:"))
        .unwrap_or_else(|| panic!("no password printed: {printed}"))
        .trim()
        .to_owned();
    assert!(printed.contains("admin@warta.local"), "{printed}");
    assert!(password.len() >= 32, "a strong password: {password}");
    assert_eq!(login(port, "admin@warta.local", &password).await, 200);
    let (status, _, stderr) = terminate(first);
    assert!(status.success(), "exit {status:?}: {stderr}");
    assert!(dir.path().join("data/jwt-secret").exists(), "the generated secret is kept");

    let second = serve(dir.path(), &[]);
    let port = second.port;
    assert_eq!(login(port, "admin@warta.local", &password).await, 200, "the secret and account survive a restart");
    let (status, stdout, _) = terminate(second);
    assert!(status.success());
    assert!(!stdout.contains("password"), "printed again: {stdout}");
}

#[actix_web::test]
async fn the_first_admin_can_come_from_the_environment() {
    let dir = tempfile::tempdir().expect("tempdir");
    let env = [
        ("WARTA_ADMIN_EMAIL", "redaksi@warta.test"),
        ("WARTA_ADMIN_PASSWORD", "a very long admin password"),
        ("WARTA_JWT_SECRET", "0123456789abcdef0123456789abcdef"),
    ];
    let child = serve(dir.path(), &env);
    let port = child.port;
    assert_eq!(login(port, "redaksi@warta.test", "a very long admin password").await, 200);
    let (status, stdout, _) = terminate(child);
    assert!(status.success());
    assert!(!stdout.contains("a very long admin password"), "the password was echoed");
    assert!(!dir.path().join("data/jwt-secret").exists(), "no secret is generated when one is configured");
}

#[actix_web::test]
async fn user_create_reads_the_password_from_stdin() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut create = warta(dir.path())
        .args(["user", "create", "--email", "reni@warta.test", "--name", "Reni Erina", "--role", "editor"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    create.stdin.take().expect("stdin").write_all(b"kata sandi yang panjang\n").expect("write");
    let output = create.wait_with_output().expect("output");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(String::from_utf8_lossy(&output.stdout).contains("created editor reni@warta.test"));

    let mut short = warta(dir.path())
        .args(["user", "create", "--email", "x@warta.test", "--name", "X", "--role", "writer"])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    short.stdin.take().expect("stdin").write_all(b"short\n").expect("write");
    let output = short.wait_with_output().expect("output");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("password"));

    let child = serve(dir.path(), &[]);
    let port = child.port;
    assert_eq!(login(port, "reni@warta.test", "kata sandi yang panjang").await, 200);
    let (status, stdout, _) = terminate(child);
    assert!(status.success());
    assert!(!stdout.contains("password:"), "an account exists, so no admin is generated");
}

#[test]
fn invalid_configuration_fails_at_start_naming_the_variable() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (var, value) in
        [("WARTA_BIND", "not an address"), ("WARTA_JWT_SECRET", "short"), ("WARTA_TIMEZONE", "Mars/Base")]
    {
        let output = warta(dir.path()).env(var, value).arg("migrate").output().expect("runs");
        assert_eq!(output.status.code(), Some(2), "{var}");
        assert!(
            String::from_utf8_lossy(&output.stderr).contains(var),
            "{var}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn migrate_and_openapi_commands_work() {
    let dir = tempfile::tempdir().expect("tempdir");
    let output = warta(dir.path()).arg("migrate").output().expect("runs");
    assert!(output.status.success());
    assert!(dir.path().join("data/warta.db").exists());
    let spec = warta(dir.path()).arg("openapi").output().expect("runs");
    assert!(spec.status.success());
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json")).expect("spec");
    assert!(String::from_utf8_lossy(&spec.stdout) == committed, "run: UPDATE_OPENAPI=1 cargo test --test api openapi");
}

/// An answer's head, read from a connection that stays open.
fn read_head(stream: &mut std::net::TcpStream) -> String {
    use std::io::Read;
    let mut bytes = Vec::new();
    let mut byte = [0u8; 1];
    while !bytes.ends_with(b"\r\n\r\n") {
        assert_eq!(stream.read(&mut byte).expect("read a head"), 1, "the connection closed: {bytes:?}");
        bytes.push(byte[0]);
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

#[test]
fn sigterm_lets_in_flight_requests_finish() {
    use std::io::Read;
    let dir = tempfile::tempdir().expect("tempdir");
    let env = [("WARTA_ADMIN_EMAIL", "redaksi@warta.test"), ("WARTA_ADMIN_PASSWORD", "a very long admin password")];
    let child = serve(dir.path(), &env);
    let port = child.port;
    let body = json!({"email": "redaksi@warta.test", "password": "a very long admin password"}).to_string();
    let head = format!(
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n",
        body.len()
    );
    // The server has read the request's head (it answers `100 Continue`) and half the body is on
    // the wire when SIGTERM arrives; the rest follows after it.
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream.write_all(head.as_bytes()).expect("write head");
    let go_on = read_head(&mut stream);
    assert!(go_on.starts_with("HTTP/1.1 100"), "{go_on}");
    stream.write_all(&body.as_bytes()[..10]).expect("write part");
    let pid = child.child.id().to_string();
    Command::new("kill").args(["-TERM", &pid]).status().expect("kill runs");
    // Pacing only: the rest arrives a moment after the signal; the answer does not depend on it.
    std::thread::sleep(Duration::from_millis(300));
    stream.write_all(&body.as_bytes()[10..]).expect("write rest");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("read");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let (status, _, stderr) = terminate(child);
    assert!(status.success(), "{stderr}");
}

#[actix_web::test]
async fn json_logs_carry_one_structured_line_per_request() {
    let dir = tempfile::tempdir().expect("tempdir");
    let env = [
        ("WARTA_LOG_FORMAT", "json"),
        ("WARTA_ADMIN_EMAIL", "redaksi@warta.test"),
        ("WARTA_ADMIN_PASSWORD", "a very long admin password"),
    ];
    let child = serve(dir.path(), &env);
    let port = child.port;
    let response = awc::Client::default()
        .get(format!("http://127.0.0.1:{port}/api/v1/authors?per_page=5"))
        .insert_header(("X-Request-Id", "trace-me-42"))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status().as_u16(), 200);
    // An event logged while a request is answered (here from database work on another thread)
    // names that request too.
    let http = awc::Client::default();
    let mut login = http
        .post(format!("http://127.0.0.1:{port}/api/v1/auth/login"))
        .send_json(&serde_json::json!({"email": "redaksi@warta.test", "password": "a very long admin password"}))
        .await
        .expect("sent");
    assert_eq!(login.status().as_u16(), 200);
    let tokens: serde_json::Value = login.json().await.expect("json");
    let refresh = serde_json::json!({"refresh_token": tokens["refresh_token"]});
    for (id, expected) in [("spend-1", 200), ("replay-2", 401)] {
        let response = http
            .post(format!("http://127.0.0.1:{port}/api/v1/auth/refresh"))
            .insert_header(("X-Request-Id", id))
            .send_json(&refresh)
            .await
            .expect("sent");
        assert_eq!(response.status().as_u16(), expected, "{id}");
    }
    let (status, _, stderr) = terminate(child);
    assert!(status.success());
    let lines: Vec<serde_json::Value> =
        stderr.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}"))).collect();
    let line = lines.iter().find(|l| l["span"]["request_id"] == "trace-me-42").expect("a line for the request");
    assert_eq!(line["status"], 200);
    assert_eq!(line["span"]["method"], "GET");
    assert_eq!(line["span"]["path"], "/api/v1/authors");
    assert!(line["latency_ms"].as_f64().is_some_and(|ms| ms >= 0.0), "{line}");
    assert_eq!(line["target"], "warta::access");
    let replay = lines
        .iter()
        .find(|l| l["level"] == "WARN" && l["span"]["request_id"] == "replay-2")
        .unwrap_or_else(|| panic!("no warning names the replaying request: {stderr}"));
    assert!(replay["message"].as_str().is_some_and(|m| m.contains("spent refresh token")), "{replay}");
    assert_eq!(replay["span"]["path"], "/api/v1/auth/refresh");
    assert!(!stderr.contains("a very long admin password"), "a secret was logged");
}

#[actix_web::test]
async fn the_demo_newsroom_loads_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let env = [("WARTA_ADMIN_EMAIL", "redaksi@warta.test"), ("WARTA_ADMIN_PASSWORD", "a very long admin password")];
    let seed = || {
        let mut command = warta(dir.path());
        command.args(["seed", "--demo"]).envs(env);
        let output = command.output().expect("runs");
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let first = seed();
    assert!(first.contains("15 categories, 13 authors, 60 articles"), "{first}");
    let second = seed();
    assert!(second.contains("0 categories, 0 authors, 0 articles"), "{second}");

    let child = serve(dir.path(), &env);
    let port = child.port;
    let client = awc::Client::default();
    let get = |path: &str| {
        let request = client.get(format!("http://127.0.0.1:{port}/api/v1{path}"));
        async move {
            let mut response = request.send().await.expect("sent");
            let body = response.body().limit(1 << 22).await.expect("body");
            serde_json::from_slice::<serde_json::Value>(&body).expect("json")
        }
    };
    let articles = get("/articles?per_page=100").await;
    assert_eq!(articles["meta"]["total"], 52, "only the published articles are visible");
    // Covers from the library, drawn by the seed: each with its sizes, its file served.
    let covered: Vec<&serde_json::Value> = articles["data"]
        .as_array()
        .expect("data")
        .iter()
        .filter_map(|a| a.get("cover_image"))
        .filter(|c| !c.is_null())
        .collect();
    assert!(covered.len() >= 40, "{}", covered.len());
    let ids: std::collections::BTreeSet<i64> = covered.iter().filter_map(|c| c["media_id"].as_i64()).collect();
    assert_eq!(ids.len(), 24, "24 distinct pictures: {ids:?}");
    let cover = covered[0];
    assert!(cover["srcset"].as_str().is_some_and(|s| s.contains(".webp 320w")), "{cover}");
    let file = cover["url"].as_str().expect("a URL").split_once("/media/").expect("a media URL").1.to_owned();
    let mut served = client.get(format!("http://127.0.0.1:{port}/media/{file}")).send().await.expect("sent");
    assert_eq!(served.status().as_u16(), 200);
    let picture = served.body().limit(1 << 22).await.expect("body");
    assert!(image::load_from_memory(&picture).is_ok_and(|p| p.width() == 960), "the cover decodes");
    let first_item = &articles["data"][0];
    assert!(first_item["published_at_display"].as_str().is_some_and(|d| d.ends_with("WIB")), "{first_item}");
    let dunia = get("/categories/dunia").await;
    assert_eq!(dunia["path"][0]["slug"], "berita");
    assert!(dunia["article_count"].as_i64().is_some_and(|n| n > 0), "{dunia}");
    let berita = get("/categories/berita").await;
    assert!(berita["article_count"].as_i64() > dunia["article_count"].as_i64(), "descendants are counted");
    let (status, _, _) = terminate(child);
    assert!(status.success());
}

/// `warta` run through `sh` with this umask, so file modes are checked whatever the operator's is.
#[cfg(unix)]
fn warta_with_umask(dir: &Path, umask: &str) -> Command {
    let mut command = Command::new("sh");
    command
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("WARTA_DATABASE_URL", dir.join("data/warta.db"))
        .args(["-c", &format!("umask {umask} && exec \"$0\" \"$@\""), env!("CARGO_BIN_EXE_warta")]);
    command
}

#[cfg(unix)]
fn mode_of(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).permissions().mode() & 0o777
}

#[cfg(unix)]
#[test]
fn the_database_and_its_backups_are_readable_by_their_owner_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    let migrate = warta_with_umask(dir.path(), "000").arg("migrate").output().expect("runs");
    assert!(migrate.status.success(), "{}", String::from_utf8_lossy(&migrate.stderr));
    let db = dir.path().join("data/warta.db");
    assert_eq!(mode_of(&db), 0o600, "the database, even with umask 000");
    for extra in ["data/warta.db-wal", "data/warta.db-shm"] {
        let path = dir.path().join(extra);
        if path.exists() {
            assert_eq!(mode_of(&path), 0o600, "{extra}");
        }
    }
    let target = dir.path().join("copy.db");
    let backup = warta_with_umask(dir.path(), "000").arg("backup").arg(&target).output().expect("runs");
    assert!(backup.status.success(), "{}", String::from_utf8_lossy(&backup.stderr));
    assert_eq!(mode_of(&target), 0o600, "the backup, even with umask 000");
    assert!(std::fs::metadata(&target).expect("backup").len() > 0);
}

#[cfg(unix)]
#[test]
fn backup_refuses_targets_that_are_not_new_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    assert!(warta(dir.path()).arg("migrate").output().expect("runs").status.success());
    let refused = |target: &std::ffi::OsStr| {
        let output = warta(dir.path()).arg("backup").arg(target).output().expect("runs");
        assert!(!output.status.success(), "{target:?} was accepted: {}", String::from_utf8_lossy(&output.stdout));
        String::from_utf8_lossy(&output.stderr).into_owned()
    };
    for target in [":memory:", "file:copy.db", "file::memory:"] {
        let message = refused(target.as_ref());
        assert!(message.contains("not a file name"), "{target}: {message}");
    }
    assert!(!dir.path().join(":memory:").exists() && !dir.path().join("file:copy.db").exists());

    // A link to a file that does not exist yet is not followed: whoever planted it learns nothing.
    let planted = dir.path().join("elsewhere.db");
    let link = dir.path().join("link.db");
    std::os::unix::fs::symlink(&planted, &link).expect("symlink");
    let message = refused(link.as_os_str());
    assert!(message.contains("already exists"), "{message}");
    assert!(!planted.exists(), "the dangling link was followed");

    // A source that is not a database file.
    let output =
        warta(dir.path()).env("WARTA_DATABASE_URL", dir.path()).arg("backup").arg("x.db").output().expect("runs");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("not a database file"), "{output:?}");
    assert!(!dir.path().join("x.db").exists());
}
