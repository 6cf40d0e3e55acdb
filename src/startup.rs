//! Building the application: the only place that wires the database, shared state, middleware and
//! routes together, so the binary and the tests start exactly the same server.

use std::net::TcpListener;

use actix_cors::Cors;
use actix_web::dev::Server;
use actix_web::http::header;
use actix_web::middleware::{from_fn, Compress, DefaultHeaders};
use actix_web::web::{self, Data};
use actix_web::{App, HttpServer};
use anyhow::Context;
use chrono::NaiveDateTime;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::articles::service::Totals;
use crate::auth::jwt::JwtKeys;
use crate::auth::password::Passwords;
use crate::clock::Clock;
use crate::config::{CorsOrigins, Settings};
use crate::db::Db;
use crate::domain::validation::Email;
use crate::error::{self, ApiError};
use crate::feeds::service::TrendingCache;
use crate::health::OpenApiJson;
use crate::http_cache::{self, ResponseCache};
use crate::http_head;
use crate::metrics::Metrics;
use crate::views::service::ArticleKeys;
use crate::views::ViewCounter;
use crate::{auth, media, routes, security, telemetry, users};

pub struct Application {
    server: Server,
    port: u16,
    db: Data<Db>,
    views: Data<ViewCounter>,
    clock: Clock,
}

impl Application {
    /// Opens and migrates the database, creates the first admin if there is no account, and binds.
    pub async fn build(settings: Settings) -> anyhow::Result<Application> {
        Application::build_with_clock(settings, Clock::system()).await
    }

    /// [`Application::build`] on a clock the caller keeps: tests move it instead of sleeping.
    pub async fn build_with_clock(settings: Settings, clock: Clock) -> anyhow::Result<Application> {
        let db = Db::open(&settings.database, settings.db_pool_size)?;
        let applied = db.migrate()?;
        if applied > 0 {
            tracing::info!(applied, database = %settings.database.display(), "applied migrations");
        }
        create_first_admin(&db, &settings, clock.now()).await?;
        let keys = Data::new(JwtKeys::from_settings(&settings, clock.clone())?);
        let passwords = Data::new(Passwords::with_cost(auth::password::HashCost::of(&settings))?);
        let metrics = Data::new(Metrics::default());
        let spec = Data::new(OpenApiJson(crate::openapi::document_json()));
        let db = Data::new(db);
        let views = Data::new(ViewCounter::new(
            std::time::Duration::from_secs(settings.view_dedupe_seconds),
            settings.view_reads_per_address,
            keys.derived_key("warta view claims"),
        ));
        spawn_view_flusher(db.clone(), views.clone(), settings.view_flush_interval, clock.clone());
        spawn_change_follower(db.clone());
        let listener = TcpListener::bind(&settings.bind)
            .with_context(|| format!("cannot listen on {} (WARTA_BIND)", settings.bind))?;
        let port = listener.local_addr()?.port();
        let workers = settings.workers;
        let request_timeout = settings.request_timeout;
        // actix counts connections per worker; the setting is the total.
        let per_worker = settings.max_connections.div_ceil(workers).max(1);
        let limits = std::sync::Arc::new(security::ConnectionLimits::new(
            settings.max_connections_per_address,
            settings.trusted_proxies.clone(),
        ));
        let library = Data::new(media::service::Library::new(
            media::transfer::store_of(&settings)?,
            settings.media_url.clone(),
            settings.max_upload_bytes,
        ));
        let settings = Data::new(settings);
        // One content epoch for every cache of public answers; the database's writes move it on.
        let epoch = db.epoch().clone();
        let trending = Data::new(TrendingCache::new(settings.trending_cache, epoch.clone()));
        let article_keys = Data::new(ArticleKeys::new(epoch.clone()));
        let totals = Data::new(Totals::new(settings.totals_cache, epoch.clone()));
        let responses_cache = Data::new(ResponseCache::new(
            settings.response_cache_ttl,
            settings.response_cache_bytes,
            settings.cache_max_age,
            epoch.clone(),
        ));
        let cached = responses_cache.clone();
        metrics.gauge(
            "warta_response_cache_bytes",
            "Bytes the response cache holds: keys, bodies, headers and a fixed overhead per entry.",
            move || cached.usage().0,
        );
        let cached = responses_cache.clone();
        metrics.gauge("warta_response_cache_entries", "Answers the response cache holds.", move || cached.usage().1);
        let moved = epoch.clone();
        metrics.gauge(
            "warta_content_epoch",
            "Moves on with every committed content write and scheduled publication; caches older answers are stale.",
            move || moved.current(),
        );
        let counted = views.clone();
        metrics.counter(
            "warta_view_flushes_total",
            "Flushes of buffered article reads finished; a read accepted before a flush began is written once it is counted.",
            move || counted.flushes(),
        );
        let waits = db.pool_waits();
        metrics.counter("warta_db_pool_acquired_total", "Database connections handed to request work.", move || {
            waits.acquired()
        });
        let waits = db.pool_waits();
        metrics.counter(
            "warta_db_pool_wait_microseconds_total",
            "Time request work spent waiting for a database connection, in microseconds.",
            move || waits.waited_micros(),
        );
        let waits = db.pool_waits();
        metrics.counter(
            "warta_db_pool_timeouts_total",
            "Requests for a database connection that gave up after the pool's 10 s timeout (answered 503).",
            move || waits.timed_out(),
        );
        let followed = epoch.clone();
        metrics.counter(
            "warta_cache_invalidations_followed_total",
            "Content writes of other processes (another instance, the command line) that emptied this instance's caches.",
            move || followed.followed().0,
        );
        let followed = epoch.clone();
        metrics.counter(
            "warta_cache_invalidation_lag_microseconds_total",
            "For those writes, the time from their commit until this instance's caches dropped what they made stale, in all.",
            move || followed.followed().1,
        );
        let followed = epoch.clone();
        metrics.counter(
            "warta_content_notifications_total",
            "Notifications of content writes heard (PostgreSQL LISTEN/NOTIFY; 0 on SQLite, which is polled only).",
            move || followed.notifications(),
        );
        let counted = views.clone();
        metrics.gauge("warta_views_pending", "Article reads accepted and not yet written.", move || {
            u64::try_from(counted.pending()).unwrap_or(0)
        });
        let content_epoch = Data::from(epoch);
        let app_clock = Data::new(clock.clone());
        let edge_headers = Data::new(http_cache::EdgeHeaders(any_origin_header_values(&settings.cors_origins)));
        let (app_db, app_views) = (db.clone(), views.clone());
        let server = HttpServer::new(move || {
            let (app, _) = routes::register_routes(
                App::new()
                    .app_data(app_db.clone())
                    .app_data(app_views.clone())
                    .app_data(trending.clone())
                    .app_data(article_keys.clone())
                    .app_data(totals.clone())
                    .app_data(responses_cache.clone())
                    .app_data(content_epoch.clone())
                    .app_data(app_clock.clone())
                    .app_data(edge_headers.clone())
                    .app_data(keys.clone())
                    .app_data(passwords.clone())
                    .app_data(metrics.clone())
                    .app_data(settings.clone())
                    .app_data(spec.clone())
                    .app_data(library.clone())
                    .app_data(
                        web::QueryConfig::default()
                            .error_handler(|e, _| ApiError::BadRequest(format!("bad query string: {e}")).into()),
                    )
                    .app_data(web::PathConfig::default().error_handler(|_, _| ApiError::NotFound("resource").into()))
                    .wrap(from_fn(http_cache::http_cache))
                    .wrap(from_fn(http_head::head_as_get))
                    .wrap(Compress::default())
                    .wrap(cors(&settings.cors_origins))
                    .wrap(any_origin_headers(&settings.cors_origins))
                    .wrap(from_fn(error::problem_bodies))
                    .wrap(from_fn(security::security_headers))
                    .wrap(from_fn(http_cache::serve_cached_first))
                    .wrap(from_fn(telemetry::observe))
                    .into_utoipa_app(),
            )
            .split_for_parts();
            app.service(web::redirect("/docs", "/docs/").permanent())
                .service(SwaggerUi::new("/docs/{_:.*}").config(utoipa_swagger_ui::Config::new(["/openapi.json"])))
                .default_service(web::to(|req: actix_web::HttpRequest| async move {
                    // A known path: OPTIONS lists its methods (CORS preflights are answered before
                    // this), any other method it does not answer is a 405. Anything else is a 404.
                    match routes::find(req.match_info().as_str()).map(routes::Route::allow) {
                        Some(allow) if req.method() == actix_web::http::Method::OPTIONS => {
                            Ok(actix_web::HttpResponse::NoContent().insert_header((header::ALLOW, allow)).finish())
                        }
                        Some(allow) => Err(ApiError::MethodNotAllowed(allow)),
                        None => Err(ApiError::NotFound("route")),
                    }
                }))
        })
        .workers(workers)
        .max_connections(per_worker)
        // A request head must arrive whole within this (else 408 and close); the body read has its
        // own timeout of the same length in the JSON extractor.
        .client_request_timeout(request_timeout)
        .on_connect(move |io, data| {
            let Some(stream) = io.downcast_ref::<actix_web::rt::net::TcpStream>() else { return };
            let Ok(peer) = stream.peer_addr() else { return };
            match limits.admit(peer.ip()) {
                Some(slot) => {
                    data.insert(slot);
                }
                None => security::refuse_connection(stream),
            }
        })
        .shutdown_timeout(10)
        .listen(listener)?
        .run();
        Ok(Application { server, port, db, views, clock })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until SIGTERM or SIGINT, lets in-flight requests finish, then writes the views
    /// still buffered.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let served = self.server.await;
        let (views, now) = (self.views.clone(), self.clock.now());
        match self.db.run(move |conn| views.flush(conn, now)).await {
            Ok(written) => tracing::info!(written, "wrote the buffered views"),
            Err(e) => tracing::error!(error = %e, pending = self.views.pending(), "could not write the buffered views"),
        }
        served
    }
}

/// Writes buffered views every `interval`, for as long as the server runs.
fn spawn_view_flusher(db: Data<Db>, views: Data<ViewCounter>, interval: std::time::Duration, clock: Clock) {
    actix_web::rt::spawn(async move {
        let mut ticks = actix_web::rt::time::interval(interval);
        loop {
            ticks.tick().await;
            let (views, now) = (views.clone(), clock.now());
            if let Err(e) = db.run(move |conn| views.flush(conn, now)).await {
                tracing::error!(error = %e, "could not write buffered views; keeping them for the next try");
            }
        }
    });
}

/// How often the server asks the database whether another process wrote content: well within
/// the contract's "a write shows on every instance within 1 second".
const CHANGE_POLL: std::time::Duration = std::time::Duration::from_millis(250);
/// Looks in a row left for later while this process's own writes were in flight, at most; then
/// the count is followed anyway (at worst moving the epoch on once more than needed).
const MAX_WAITS: u32 = 20;
/// How often, on PostgreSQL, the listening connection is checked for notifications of content
/// writes (a read of what already arrived on its socket, no round trip).
const NOTIFICATION_CHECK: std::time::Duration = std::time::Duration::from_millis(10);

/// Moves the content epoch on when content writes committed that this process did not make (the
/// command line, another instance): its caches then drop what those writes made stale. Polls the
/// database's count of content writes, and on PostgreSQL also as soon as one is notified.
fn spawn_change_follower(db: Data<Db>) {
    use crate::db::listen::{ChangeListener, Heard};
    let mut listener = ChangeListener::new(db.database());
    let tick = if listener.is_some() { NOTIFICATION_CHECK } else { CHANGE_POLL };
    actix_web::rt::spawn(async move {
        let mut ticks = actix_web::rt::time::interval(tick);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut last_poll = std::time::Instant::now();
        let mut listen_failed_at: Option<std::time::Instant> = None;
        // Looks left for later because a write of this process was in flight (see `follow`).
        let mut waited = 0;
        loop {
            ticks.tick().await;
            let mut notified = false;
            // After a failure to listen, the next try waits for a poll interval.
            let may_listen = listen_failed_at.is_none_or(|at| at.elapsed() >= CHANGE_POLL);
            if let Some(mut checking) = listener.take_if(|_| may_listen) {
                match actix_web::web::block(move || (checking.check(), checking)).await {
                    Ok((outcome, checked)) => {
                        listener = Some(checked);
                        match outcome {
                            Ok(heard) => {
                                if heard == Heard::Notified {
                                    db.epoch().heard_notification();
                                }
                                notified = heard != Heard::Nothing;
                                listen_failed_at = None;
                            }
                            Err(e) => {
                                if listen_failed_at.is_none() {
                                    tracing::warn!(error = %e, "not listening for content changes; polling meanwhile");
                                }
                                listen_failed_at = Some(std::time::Instant::now());
                            }
                        }
                    }
                    Err(e) => tracing::error!(error = %e, "the content change listener stopped"),
                }
            }
            if !notified && waited == 0 && last_poll.elapsed() < CHANGE_POLL {
                continue;
            }
            last_poll = std::time::Instant::now();
            match db.run(crate::db::content_changes).await {
                Ok((count, changed_at)) => {
                    let lag = crate::db::wall_clock_micros().saturating_sub(changed_at);
                    let lag = std::time::Duration::from_micros(u64::try_from(lag).unwrap_or(0));
                    waited = if db.epoch().follow(count, lag, waited < MAX_WAITS) { 0 } else { waited + 1 };
                }
                Err(e) => tracing::warn!(error = %e, "could not read the count of content writes"),
            }
        }
    });
}

/// Headers a browser reads from other origins, besides the ones it may always read.
const EXPOSED_HEADERS: [header::HeaderName; 5] = [
    header::ETAG,
    header::LINK,
    header::LOCATION,
    header::RETRY_AFTER,
    header::HeaderName::from_static("x-request-id"),
];

/// With `*` every answer is the same whatever the `Origin`, so it carries the CORS headers always
/// (not only when the request named an origin) and `Vary` does not name `Origin`: a shared cache
/// keeps one copy for every site instead of one per site, and a copy fetched without `Origin`
/// still works in a browser. With a list of origins the answer depends on `Origin`, and the CORS
/// middleware says so in `Vary`.
fn any_origin_headers(origins: &CorsOrigins) -> DefaultHeaders {
    any_origin_header_values(origins).into_iter().flatten().fold(DefaultHeaders::new(), |d, h| d.add(h))
}

/// The headers of `any_origin_headers`; `None` with a list of origins.
fn any_origin_header_values(origins: &CorsOrigins) -> Option<Vec<(header::HeaderName, header::HeaderValue)>> {
    match origins {
        CorsOrigins::Any => {
            let exposed = EXPOSED_HEADERS.iter().map(|h| h.as_str()).collect::<Vec<_>>().join(", ");
            Some(vec![
                (header::ACCESS_CONTROL_ALLOW_ORIGIN, header::HeaderValue::from_static("*")),
                (header::ACCESS_CONTROL_EXPOSE_HEADERS, header::HeaderValue::from_str(&exposed).ok()?),
            ])
        }
        CorsOrigins::List(_) => None,
    }
}

fn cors(origins: &CorsOrigins) -> Cors {
    let cors = Cors::default()
        .allowed_methods(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_MATCH,
            header::IF_NONE_MATCH,
            header::ACCEPT,
            header::HeaderName::from_static("x-request-id"),
        ])
        .expose_headers(EXPOSED_HEADERS)
        .max_age(3600);
    match origins {
        // Tokens travel in a header, never in cookies, so any origin may read the public API.
        CorsOrigins::Any => cors.allow_any_origin().send_wildcard().disable_vary_header(),
        // Browsers send the scheme and host in lower case; a configured `https://Admin.Example` means the same.
        CorsOrigins::List(list) => {
            list.iter().fold(cors, |cors, origin| cors.allowed_origin(&origin.to_ascii_lowercase()))
        }
    }
}

/// With no account at all, creates the first admin from `WARTA_ADMIN_EMAIL`/`WARTA_ADMIN_PASSWORD`,
/// or with a generated one-time password printed once.
pub async fn create_first_admin(db: &Db, settings: &Settings, now: NaiveDateTime) -> anyhow::Result<()> {
    if db.run_now(users::service::count).map_err(|e| anyhow::anyhow!("{e}"))? > 0 {
        return Ok(());
    }
    let email = settings.admin_email.clone().unwrap_or_else(|| "admin@warta.local".into());
    let email = Email::parse("email", &email).map_err(|e| anyhow::anyhow!("WARTA_ADMIN_EMAIL: {}", e.message))?;
    let cost = auth::password::HashCost::of(settings);
    let (password, generated) = match &settings.admin_password {
        Some(password) => (secrecy::ExposeSecret::expose_secret(password).to_owned(), false),
        None => (crate::auth::random_token(), true),
    };
    let hash =
        tokio::task::spawn_blocking(move || auth::password::hash_at(&password, cost).map(|h| (h, password))).await??;
    let (hash, password) = hash;
    let created = db
        .run_now(|conn| users::service::create_first_admin(conn, &email, hash, now))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    if created && generated {
        // Printed, not logged: log pipelines keep what they are given, and this must be seen once only.
        println!(
            "\n  Warta created the first admin account.\n\n    email:    {}\n    password: {password}\n\n  \
             This password is shown only this once. Log in with POST /api/v1/auth/login and change it with\n  \
             PUT /api/v1/auth/me/password, or set WARTA_ADMIN_EMAIL and WARTA_ADMIN_PASSWORD before the first start.\n",
            email.as_str()
        );
    } else if created {
        tracing::info!(email = email.as_str(), "created the first admin from WARTA_ADMIN_EMAIL");
    }
    Ok(())
}
