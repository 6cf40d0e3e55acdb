//! The access log as operators keep it: one line per request at the default level, written by a
//! thread of its own, and nothing queued is lost when the server stops gracefully.

use std::time::Duration;

use crate::cli::{serve, terminate};

#[actix_web::test]
async fn every_access_line_is_written_out_on_a_graceful_stop() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut served = serve(dir.path(), &[("WARTA_LOG", "info")]);
    let port = served.port;
    // Read as it comes, as a terminal or the journal would: a full pipe would hold the writer up.
    let mut pipe = served.child.stderr.take().expect("stderr");
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut pipe, &mut text).map(|_| text)
    });
    let http = awc::Client::builder().timeout(Duration::from_secs(20)).finish();
    const REQUESTS: usize = 400;
    for i in 0..REQUESTS {
        let response = http
            .get(format!("http://127.0.0.1:{port}/api/v1/feeds/latest"))
            .insert_header(("X-Request-Id", format!("logged-{i}")))
            .send()
            .await
            .expect("answered");
        assert_eq!(response.status().as_u16(), 200);
        assert_eq!(
            response.headers().get("x-request-id").and_then(|v| v.to_str().ok()),
            Some(format!("logged-{i}").as_str())
        );
    }
    // SIGTERM right after the last answer: its line may still be queued for the writer thread.
    let (status, _, _) = terminate(served);
    let stderr = reader.join().expect("reader").expect("utf-8 logs");
    assert!(status.success(), "exit {status:?}: {stderr}");
    let answered: Vec<&str> = stderr.lines().filter(|line| line.contains("answered")).collect();
    for i in 0..REQUESTS {
        let id = format!("request_id=logged-{i} ");
        assert!(answered.iter().any(|line| line.contains(&id)), "no access line for {id} in {} lines", answered.len());
    }
    let last = stderr.lines().rev().find(|line| !line.trim().is_empty()).unwrap_or_default();
    assert!(last.contains("stopped"), "the last line is the stop: {last}");
}

#[actix_web::test]
async fn the_access_log_has_a_target_of_its_own_to_filter_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    let served = serve(dir.path(), &[("WARTA_LOG", "info,warta::access=off")]);
    let response = awc::Client::default()
        .get(format!("http://127.0.0.1:{}/api/v1/feeds/latest", served.port))
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status().as_u16(), 200);
    let (status, _, stderr) = terminate(served);
    assert!(status.success(), "{stderr}");
    assert!(stderr.contains("stopped"), "other info lines are kept: {stderr}");
    assert!(!stderr.contains("answered"), "no access line: {stderr}");
}
