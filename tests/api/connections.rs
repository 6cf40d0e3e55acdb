//! Connections as an attacker holds them: bodies that trickle in, and many connections from one
//! address. Raw sockets, because an HTTP client would neither trickle nor hold a connection idle.
//! Every wait ends on a condition (an answer, end of file) with a generous upper bound.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::helpers::TestApp;

/// Upper bound of any wait here; the conditions are met in about a second.
const PATIENCE: Duration = Duration::from_secs(60);

fn connect(app: &TestApp) -> TcpStream {
    let stream = TcpStream::connect(app.address.trim_start_matches("http://")).expect("connect");
    stream.set_read_timeout(Some(PATIENCE)).expect("read timeout");
    stream
}

/// Everything the server sends until it closes the connection (or the bound passes, or it resets
/// the connection after its answer).
fn read_to_end(stream: &mut TcpStream) -> String {
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => answer.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(_) => break,
        }
    }
    String::from_utf8_lossy(&answer).into_owned()
}

/// Reads until the answer so far contains `needle`; panics if the connection ends first.
fn read_until(stream: &mut TcpStream, needle: &str) -> String {
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(&answer).contains(needle) {
        match stream.read(&mut buf) {
            Ok(0) => panic!("closed before {needle:?}: {}", String::from_utf8_lossy(&answer)),
            Ok(n) => answer.extend_from_slice(&buf[..n]),
            Err(e) => panic!("no {needle:?} ({e}): {}", String::from_utf8_lossy(&answer)),
        }
    }
    String::from_utf8_lossy(&answer).into_owned()
}

const HEALTHZ: &[u8] = b"GET /healthz HTTP/1.1\r\nHost: warta.test\r\n\r\n";

#[actix_web::test]
async fn a_request_body_that_trickles_in_is_answered_408_and_the_connection_closed() {
    let app = TestApp::spawn_with(|s| s.request_timeout = Duration::from_secs(1)).await;
    let mut stream = connect(&app);
    let answer = actix_web::rt::task::spawn_blocking(move || {
        stream
            .write_all(
                b"POST /api/v1/auth/login HTTP/1.1\r\nHost: warta.test\r\nContent-Type: application/json\r\n\
                  Content-Length: 1000000\r\n\r\n{",
            )
            .expect("write the head");
        // One byte at a time, more often than any per-read timeout would notice, until the server
        // answers: only a timeout on the body as a whole ends this. (The pause paces the client; no
        // assertion depends on it.)
        let answered = Arc::new(AtomicBool::new(false));
        let mut trickle = stream.try_clone().expect("clone");
        let stop = answered.clone();
        let writer = std::thread::spawn(move || {
            let deadline = Instant::now() + PATIENCE;
            while !stop.load(Ordering::SeqCst) && Instant::now() < deadline && trickle.write_all(b" ").is_ok() {
                std::thread::sleep(Duration::from_millis(100));
            }
        });
        let mut first = [0u8; 1];
        let got = stream.read(&mut first).unwrap_or(0);
        answered.store(true, Ordering::SeqCst);
        let rest = read_to_end(&mut stream);
        writer.join().expect("the writer ends");
        format!("{}{rest}", String::from_utf8_lossy(&first[..got]))
    })
    .await
    .expect("joined");
    assert!(answer.starts_with("HTTP/1.1 408"), "a 408, then the connection closes: {answer:?}");
    assert!(answer.to_ascii_lowercase().contains("content-type: application/problem+json"), "{answer}");
    assert!(answer.contains("\"status\":408"), "{answer}");
    assert!(answer.to_ascii_lowercase().contains("connection: close"), "{answer}");
    app.get("/healthz").await.assert_status(200);
}

#[actix_web::test]
async fn one_address_gets_only_its_share_of_connections_and_others_are_still_served() {
    let app = TestApp::spawn_with(|s| {
        s.max_connections_per_address = 3;
        s.request_timeout = PATIENCE;
    })
    .await;
    let held: Vec<TcpStream> = (0..3).map(|_| connect(&app)).collect();
    let again = app.address.trim_start_matches("http://").to_owned();
    actix_web::rt::task::spawn_blocking(move || {
        let mut held = held;
        for stream in &mut held {
            // A whole request proves the server holds the connection; the half request that
            // follows keeps it open (busy, not idle).
            stream.write_all(HEALTHZ).expect("write");
            read_until(stream, "\"ok\"");
            stream.write_all(b"GET /healthz HTTP/1.1\r\n").expect("write half a request");
        }
        // Only now: the workers admit connections concurrently, so one opened earlier could take
        // a slot before the three above.
        let mut fourth = TcpStream::connect(&again).expect("connect");
        fourth.set_read_timeout(Some(PATIENCE)).expect("timeout");
        let refused = read_to_end(&mut fourth);
        assert!(refused.starts_with("HTTP/1.1 429"), "the fourth connection is refused: {refused:?}");
        assert!(refused.contains("application/problem+json") && refused.contains("\"status\":429"), "{refused}");

        // The three admitted connections are still served.
        held[0].write_all(b"Host: warta.test\r\n\r\n").expect("write the rest");
        read_until(&mut held[0], "\"ok\"");

        // A connection that ends gives its slot back.
        drop(held.remove(1));
        let deadline = Instant::now() + PATIENCE;
        loop {
            let mut stream = TcpStream::connect(&again).expect("connect");
            stream.set_read_timeout(Some(PATIENCE)).expect("timeout");
            stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: warta.test\r\nConnection: close\r\n\r\n").expect("write");
            let answer = read_to_end(&mut stream);
            if answer.starts_with("HTTP/1.1 200") {
                break;
            }
            assert!(Instant::now() < deadline, "the slot never came back: {answer:?}");
            std::thread::sleep(Duration::from_millis(20));
        }
    })
    .await
    .expect("joined");
}
