//! The benchmark's ceiling: bare actix-web on the same runtime settings as Warta, answering `GET /`
//! with a fixed JSON body (by default the bytes of a 10-item latest feed saved by `bench/run.sh`).
//!
//! `cargo run --release --example baseline -- BODY_FILE`, listening on `BASELINE_BIND`
//! (default 127.0.0.1:18190) with `WARTA_WORKERS` workers (default one per core).

use actix_web::http::header::ContentType;
use actix_web::{web, App, HttpResponse, HttpServer};

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let body: web::Bytes = match std::env::args().nth(1) {
        Some(path) => std::fs::read(&path)?.into(),
        None => web::Bytes::from(format!("{{\"data\":[{}],\"next_cursor\":null}}", ["{\"id\":1}"; 10].join(","))),
    };
    let bind = std::env::var("BASELINE_BIND").unwrap_or_else(|_| "127.0.0.1:18190".into());
    let workers = std::env::var("WARTA_WORKERS")
        .ok()
        .and_then(|w| w.parse().ok())
        .unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2));
    eprintln!("baseline: {} bytes on {bind} with {workers} worker(s)", body.len());
    HttpServer::new(move || {
        let body = body.clone();
        // Every path and method gets the body, so the Lua-driven scenarios (rotating paths, POSTs)
        // can be replayed against the baseline with the load generator doing the same work.
        App::new().default_service(web::to(move || {
            let body = body.clone();
            async move { HttpResponse::Ok().insert_header(ContentType::json()).body(body) }
        }))
    })
    .workers(workers)
    .bind(bind)?
    .run()
    .await
}
