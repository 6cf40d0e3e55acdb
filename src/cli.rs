//! The command line: `serve` (the default), `migrate`, `user create`, `openapi`, `seed`, `backup`,
//! `copy`.

use std::io::BufRead;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::clock::{Clock, Moment};
use crate::config::{Database, Settings};
use crate::db::Db;
use crate::domain::role::Role;
use crate::error::ApiError;
use crate::startup::Application;
use crate::users::dto::CreateUserRequest;
use crate::users::service::{self, NewUser};
use crate::{media, seed};

#[derive(Debug, Parser)]
#[command(name = "warta", version, about = "Warta: a headless CMS for news publishers")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Print the OpenAPI document.
    Openapi,
    /// Write a consistent copy of the database to PATH while the server keeps running.
    Backup {
        /// Where to write it; must not exist yet.
        path: std::path::PathBuf,
    },
    /// Copy the whole database into another one (SQLite path or PostgreSQL URL), or from another
    /// one into WARTA_DATABASE_URL's; the target must hold no data.
    Copy {
        /// The database to copy into.
        #[arg(long, conflicts_with = "from", required_unless_present = "from")]
        to: Option<String>,
        /// The database to copy from (into WARTA_DATABASE_URL's).
        #[arg(long)]
        from: Option<String>,
        /// Also copy the media files the copied rows name, from the store the settings name
        /// (WARTA_MEDIA_DIR) into this folder, to serve the target with WARTA_MEDIA_DIR set to it.
        #[arg(long)]
        media_to: Option<std::path::PathBuf>,
    },
    /// Load content into the database; adds only what is missing, so it can run again.
    Seed {
        /// The demo newsroom: categories, reporters and about 60 Indonesian articles.
        #[arg(long)]
        demo: bool,
        /// A generated archive of this many articles (for benchmarks), added to what is there.
        #[arg(long)]
        articles: Option<u64>,
        /// Authors of the generated archive.
        #[arg(long, default_value_t = 200)]
        authors: u32,
        /// Categories of the generated archive.
        #[arg(long, default_value_t = 30)]
        categories: u32,
        /// Tags of the generated archive.
        #[arg(long, default_value_t = 2000)]
        tags: u32,
        /// Reads spread over the last 30 days, so trending has data.
        #[arg(long, default_value_t = 0)]
        views: u64,
        /// Random seed of the generated archive.
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account; the password is read from the first line of standard input.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        #[arg(long, value_parser = parse_role)]
        role: Role,
    },
}

fn parse_role(raw: &str) -> Result<Role, String> {
    Role::parse(raw).ok_or_else(|| "must be admin, editor or writer".into())
}

/// Runs a command to completion.
pub fn run(command: Command, settings: Settings) -> anyhow::Result<()> {
    match command {
        Command::Serve => serve(settings),
        Command::Migrate => {
            let db = Db::open(&settings.database, 1)?;
            let applied = db.migrate()?;
            println!("applied {applied} migration(s) to {}", settings.database.display());
            Ok(())
        }
        Command::User(UserCommand::Create { email, name, role }) => create_user(&settings, email, name, role),
        Command::Openapi => {
            print!("{}", crate::openapi::document_json());
            Ok(())
        }
        Command::Backup { path } => backup(&settings, &path),
        Command::Copy { to, from, media_to } => copy(&settings, to.as_deref(), from.as_deref(), media_to.as_deref()),
        Command::Seed { demo, articles, authors, categories, tags, views, seed } => {
            anyhow::ensure!(demo || articles.is_some(), "nothing to seed: pass --demo or --articles N");
            let scale =
                articles.map(|articles| seed::scale::ScaleOptions { articles, authors, categories, tags, views, seed });
            seed_content(&settings, scale, demo)
        }
    }
}

fn serve(settings: Settings) -> anyhow::Result<()> {
    actix_web::rt::System::new().block_on(async move {
        raise_open_file_limit();
        let app = Application::build(settings.clone()).await?;
        // The address actually bound, on stdout: with WARTA_BIND=host:0 the system picks the
        // port, and whoever started Warta (a supervisor, the tests) learns it here.
        let host = settings.bind.rsplit_once(':').map_or(settings.bind.as_str(), |(host, _)| host);
        println!("Warta is listening on {host}:{}", app.port());
        tracing::info!(bind = %settings.bind, port = app.port(), docs = %format!("{}/docs/", settings.public_url), "Warta is serving");
        app.run_until_stopped().await?;
        tracing::info!("stopped");
        Ok(())
    })
}

fn create_user(settings: &Settings, email: String, name: String, role: Role) -> anyhow::Result<()> {
    let mut password = String::new();
    std::io::stdin().lock().read_line(&mut password).context("reading the password from standard input")?;
    let password = password.trim_end_matches(['\r', '\n']).to_owned();
    let user = NewUser::try_from(CreateUserRequest::new(email, name, role, password))
        .map_err(|e| anyhow::anyhow!("{}", describe(&e)))?;
    let hash = crate::auth::password::hash_now(&user.password)?;
    let db = Db::open(&settings.database, 1)?;
    db.migrate()?;
    let created = db
        .run_now(|conn| service::create(conn, None, user, hash, Clock::system().now()))
        .map_err(|e| anyhow::anyhow!("{}", describe(&e)))?;
    println!("created {} {} (id {})", created.role.as_str(), created.email, created.id);
    Ok(())
}

/// Opens a database that must already exist: opening a SQLite file that is not there would create
/// an empty one, and a mistyped name (in `named_by`) must fail instead of reading as no data.
fn open_existing(database: &Database, named_by: &str) -> anyhow::Result<Db> {
    if let Database::Sqlite(path) = database {
        anyhow::ensure!(path.exists(), "{} does not exist: check {named_by}", path.display());
        anyhow::ensure!(path.is_file(), "{} is not a database file: check {named_by}", path.display());
    }
    Db::open(database, 1)
}

fn copy(
    settings: &Settings,
    to: Option<&str>,
    from: Option<&str>,
    media_to: Option<&std::path::Path>,
) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let other = |raw: &str| Database::parse(raw).map_err(|e| anyhow::anyhow!("{e}"));
    let (source, target) = match (to, from) {
        (Some(to), _) => (settings.database.clone(), other(to)?),
        (None, Some(from)) => (other(from)?, settings.database.clone()),
        (None, None) => anyhow::bail!("name the other database: --to URL or --from URL"),
    };
    let named_by = if to.is_some() { "WARTA_DATABASE_URL" } else { "--from" };
    let (from_db, to_db) = (open_existing(&source, named_by)?, Db::open(&target, 1)?);
    println!("copying {} to {}", source.display(), target.display());
    crate::db::copy::copy(&from_db, &to_db, |line| println!("{line}"))?;
    if let Some(folder) = media_to {
        copy_media(settings, &to_db, folder)?;
    }
    println!("copied {} to {} in {:.1} s", source.display(), target.display(), started.elapsed().as_secs_f64());
    Ok(())
}

fn backup(settings: &Settings, path: &std::path::Path) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    anyhow::ensure!(
        !path.as_os_str().to_string_lossy().ends_with(std::path::MAIN_SEPARATOR) && !path.is_dir(),
        "{} is a folder: name the backup file",
        path.display()
    );
    let db = open_existing(&settings.database, "WARTA_DATABASE_URL")?;
    db.backup(path)?;
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    // The files the backup's rows name, beside it: `PATH.media/`, laid out as the store is.
    let backup = Db::open(&Database::Sqlite(path.to_owned()), 1)?;
    let mut folder = path.as_os_str().to_owned();
    folder.push(".media");
    copy_media(settings, &backup, std::path::Path::new(&folder))?;
    println!(
        "backed up {} to {} ({:.1} MB) in {:.1} s",
        settings.database.display(),
        path.display(),
        size as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Copies the media files that `db`'s rows name from the settings' store into `folder`.
fn copy_media(settings: &Settings, db: &Db, folder: &std::path::Path) -> anyhow::Result<()> {
    let keys = media::transfer::keys(db)?;
    let from = media::transfer::store_of(settings)?;
    let to = media::store::FolderStore::new(folder);
    let copied = actix_web::rt::System::new()
        .block_on(async move { media::transfer::copy_files(from.as_ref(), &to, &keys).await })?;
    println!(
        "copied {} media files ({:.1} MB) to {}{}",
        copied.files,
        copied.bytes as f64 / 1e6,
        folder.display(),
        match copied.missing {
            0 => String::new(),
            n => format!("; {n} named by rows were not in the store (their items were deleted meanwhile)"),
        }
    );
    Ok(())
}

/// `warta seed`: a generated archive (`scale`), then the demo newsroom (`demo`), either or both.
fn seed_content(settings: &Settings, scale: Option<seed::scale::ScaleOptions>, demo: bool) -> anyhow::Result<()> {
    actix_web::rt::System::new().block_on(async move {
        let db = Db::open(&settings.database, 1)?;
        db.migrate()?;
        crate::startup::create_first_admin(&db, settings, Clock::system().now()).await?;
        if let Some(options) = scale {
            let report = db
                .run_now(|conn| {
                    let admin = seed::demo::first_admin(conn)?
                        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("there is no admin account")))?;
                    seed::scale::load(conn, admin.id, options, Clock::system().now())
                })
                .map_err(|e| anyhow::anyhow!("{}", describe(&e)))?;
            println!(
                "generated {} articles, {} authors, {} categories, {} tags, {} views in {:.1} s ({:.0} articles/s)",
                report.articles,
                report.authors,
                report.categories,
                report.tags,
                report.views,
                report.seconds,
                report.articles as f64 / report.seconds.max(0.001)
            );
        }
        if !demo {
            return Ok(());
        }
        let at = Moment { now: Clock::system().now(), tz: settings.timezone };
        // The covers' files first, outside the transaction (a failed run leaves only files no row
        // names, which the next run writes again under the same keys).
        let store = media::transfer::store_of(settings)?;
        let drawn = seed::pictures::draw_covers();
        let hashes: Vec<String> = drawn.iter().map(|(_, sha256)| sha256.clone()).collect();
        let known: std::collections::HashSet<String> = db
            .run_now(|conn| Ok(media::repo::existing_hashes(conn, &hashes)?))
            .map_err(|e| anyhow::anyhow!("{}", describe(&e)))?;
        let covers = seed::pictures::store_covers(store.as_ref(), drawn, |sha256| known.contains(sha256), at.now)
            .await
            .map_err(|e| anyhow::anyhow!("{}", describe(&e)))?;
        let loaded = db
            .run_now(|conn| {
                // One transaction: a failed run leaves nothing half-loaded.
                crate::db::write(conn, |conn| {
                    let admin = seed::demo::first_admin(conn)?
                        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("there is no admin account")))?;
                    let covers = seed::pictures::add_covers(conn, &hashes, &covers)?;
                    seed::demo::load(conn, &admin, at, &settings.media_url, &covers)
                })
            })
            .map_err(|e| anyhow::anyhow!("{}", describe(&e)))?;
        println!(
            "demo newsroom: added {} categories, {} authors, {} articles to {}",
            loaded.categories,
            loaded.authors,
            loaded.articles,
            settings.database.display()
        );
        Ok(())
    })
}

/// Every connection is a file descriptor, and the usual soft limit (1024) is below
/// `WARTA_MAX_CONNECTIONS`: raise it to the hard limit the operator allows. Failing is not fatal.
#[cfg(unix)]
fn raise_open_file_limit() {
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit writes into the struct we own and reads nothing else.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 || limit.rlim_cur >= limit.rlim_max {
        return;
    }
    let soft = limit.rlim_cur;
    limit.rlim_cur = limit.rlim_max;
    // SAFETY: setrlimit only reads the struct we own.
    if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) } == 0 {
        tracing::debug!(from = soft, to = limit.rlim_max, "raised the open-file limit");
    } else {
        tracing::warn!(soft, hard = limit.rlim_max, "could not raise the open-file limit");
    }
}

#[cfg(not(unix))]
fn raise_open_file_limit() {}

fn describe(e: &ApiError) -> String {
    match e {
        ApiError::Validation(errors) => {
            errors.iter().map(|f| format!("{}: {}", f.field, f.message)).collect::<Vec<_>>().join("; ")
        }
        ApiError::Internal(cause) => format!("{cause:#}"),
        other => other.to_string(),
    }
}
