//! The media benchmark's ceiling for serving a file: bare actix-web with `actix-files`'
//! `NamedFile`, the same runtime settings as Warta, answering every path with one file.
//!
//! `cargo run --release --example file_baseline -- FILE`, listening on `BASELINE_BIND`
//! (default 127.0.0.1:18191) with `WARTA_WORKERS` workers (default one per core).

use actix_web::{web, App, HttpRequest, HttpServer};

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let file = std::env::args().nth(1).ok_or_else(|| std::io::Error::other("usage: file_baseline FILE"))?;
    let bind = std::env::var("BASELINE_BIND").unwrap_or_else(|_| "127.0.0.1:18191".into());
    let workers = std::env::var("WARTA_WORKERS")
        .ok()
        .and_then(|w| w.parse().ok())
        .unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2));
    eprintln!("file baseline: {file} on {bind} with {workers} worker(s)");
    HttpServer::new(move || {
        let file = file.clone();
        App::new().default_service(web::to(move |req: HttpRequest| {
            let file = file.clone();
            async move { actix_files::NamedFile::open_async(file).await.map(|f| f.into_response(&req)) }
        }))
    })
    .workers(workers)
    .bind(bind)?
    .run()
    .await
}
