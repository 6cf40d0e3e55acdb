//! The database: SQLite (one file, the default) or PostgreSQL (for many instances), chosen by
//! `WARTA_DATABASE_URL` at start; a pool of connections with durable settings, the embedded
//! migrations of each engine, and `Db::run`, the one way request code reaches the database without
//! blocking the async executor. Queries are written once against `DbConn`, which is either; the few
//! that need an engine's own SQL (full-text search, `ON CONFLICT`) ask `DbConn::engine`.

pub mod copy;
pub mod listen;
pub mod schema;

use std::cell::{Cell, RefCell};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::pg::PgConnection;
use diesel::r2d2::{CustomizeConnection, ManageConnection, Pool, R2D2Connection};
use diesel::sqlite::SqliteConnection;
use diesel::Connection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};
use secrecy::ExposeSecret;

use crate::config::Database;
use crate::content_epoch::ContentEpoch;
use crate::error::ApiError;

/// The connection every query runs on.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Pg(PgConnection),
    Sqlite(SqliteConnection),
}

/// The backend queries are built for: either engine, decided per connection.
pub type Backend = <DbConn as Connection>::Backend;

/// Which engine a connection talks to, for the few queries spelled per engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    /// As `/readyz` names it.
    pub fn name(self) -> &'static str {
        match self {
            Engine::Sqlite => "sqlite",
            Engine::Postgres => "postgres",
        }
    }
}

impl DbConn {
    pub fn engine(&self) -> Engine {
        match self {
            DbConn::Sqlite(_) => Engine::Sqlite,
            DbConn::Pg(_) => Engine::Postgres,
        }
    }
}

/// Runs `$body` with `$c` bound to the engine's own connection, compiled once per engine: for what
/// the combined backend cannot express (`ON CONFLICT`, `RETURNING` a `Selectable` row).
macro_rules! per_engine {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::DbConn::Sqlite($c) => $body,
            $crate::db::DbConn::Pg($c) => $body,
        }
    };
}
pub(crate) use per_engine;

pub type DbPool = Pool<Manager>;

/// Each engine's migrations, under the same version names so both record the same history.
pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Keys of PostgreSQL advisory locks, the same in every instance. Arbitrary, but fixed forever:
/// an instance of an older release must take the same ones.
pub const WRITE_LOCK: i64 = 0x5741_5254_4100_0001;
const MIGRATION_LOCK: i64 = 0x5741_5254_4100_0002;

/// Opens connections of the configured engine. Diesel's own manager would try each engine in
/// turn, and SQLite accepts any string as a file name: a PostgreSQL URL that failed to connect
/// would quietly become an empty SQLite file of that name.
pub struct Manager(Database);

impl ManageConnection for Manager {
    type Connection = DbConn;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<DbConn, Self::Error> {
        let conn = match &self.0 {
            Database::Sqlite(path) => SqliteConnection::establish(&path.to_string_lossy()).map(DbConn::Sqlite),
            Database::Postgres(url) => PgConnection::establish(url.expose_secret()).map(DbConn::Pg),
        };
        conn.map_err(diesel::r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), Self::Error> {
        conn.ping().map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConn) -> bool {
        conn.is_broken()
    }
}

/// Settings every SQLite connection gets: WAL so readers never wait on the writer,
/// `synchronous=FULL` so an acknowledged write survives power loss, foreign keys enforced, and a
/// busy timeout so concurrent writers queue instead of failing. PostgreSQL's defaults are these;
/// there only JIT compilation is turned off: Warta's queries are short, and a plan that crosses
/// `jit_above_cost` (a search or a trending sum on a large archive) would spend tens of
/// milliseconds compiling what runs in a few.
#[derive(Debug)]
struct DurableSqlite;

impl CustomizeConnection<DbConn, diesel::r2d2::Error> for DurableSqlite {
    fn on_acquire(&self, conn: &mut DbConn) -> Result<(), diesel::r2d2::Error> {
        let DbConn::Sqlite(conn) = conn else {
            return conn.batch_execute("SET jit = off").map_err(diesel::r2d2::Error::QueryError);
        };
        conn.batch_execute(
            "PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;",
        )
        .map_err(diesel::r2d2::Error::QueryError)
    }
}

/// A handle to the connection pool and the content epoch its writes move on, cheap to clone.
#[derive(Clone)]
pub struct Db {
    pool: DbPool,
    epoch: Arc<ContentEpoch>,
    waits: Arc<PoolWaits>,
    database: Database,
}

/// How request work waited for a connection, for `/metrics`: with several instances on one
/// PostgreSQL server, time spent here is the first sign that the pools are too small.
#[derive(Default)]
pub struct PoolWaits {
    acquired: std::sync::atomic::AtomicU64,
    waited_micros: std::sync::atomic::AtomicU64,
    timed_out: std::sync::atomic::AtomicU64,
}

impl PoolWaits {
    fn record(&self, waited: Duration, got: bool) {
        use std::sync::atomic::Ordering::Relaxed;
        let counter = if got { &self.acquired } else { &self.timed_out };
        counter.fetch_add(1, Relaxed);
        self.waited_micros.fetch_add(u64::try_from(waited.as_micros()).unwrap_or(u64::MAX), Relaxed);
    }

    /// Connections handed to request work so far.
    pub fn acquired(&self) -> u64 {
        self.acquired.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Microseconds request work spent waiting for a connection, in all.
    pub fn waited_micros(&self) -> u64 {
        self.waited_micros.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Requests for a connection that gave up after the pool's timeout.
    pub fn timed_out(&self) -> u64 {
        self.timed_out.load(std::sync::atomic::Ordering::Relaxed)
    }
}

thread_local! {
    /// The epoch of the `Db` whose work runs on this thread: `write` reaches it without every
    /// service passing it along.
    static EPOCH: RefCell<Option<Arc<ContentEpoch>>> = const { RefCell::new(None) };
    /// Whether the outermost write transaction running on this thread changed content.
    static CHANGED: Cell<bool> = const { Cell::new(false) };
}

/// Runs `work` with `epoch` as this thread's content epoch.
fn with_epoch<T>(epoch: &Arc<ContentEpoch>, work: impl FnOnce() -> T) -> T {
    struct Restore(Option<Arc<ContentEpoch>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = self.0.take();
            EPOCH.with(|e| *e.borrow_mut() = previous);
        }
    }
    let _restore = Restore(EPOCH.with(|e| e.borrow_mut().replace(epoch.clone())));
    work()
}

impl Db {
    /// Opens the database: a SQLite file (created, with its folder, when needed) or a PostgreSQL
    /// database (which must exist).
    pub fn open(database: &Database, pool_size: u32) -> anyhow::Result<Db> {
        if let Database::Sqlite(path) = database {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("cannot create the data folder {}", dir.display()))?;
            }
            create_private(path)?;
        }
        let pool = Pool::builder()
            .max_size(pool_size)
            .connection_timeout(Duration::from_secs(10))
            // No `SELECT 1` before each use: on PostgreSQL it is a round trip per request. A
            // connection that died while idle fails its first query instead (that request is
            // answered 503) and is then replaced, as `has_broken` tells the pool.
            .test_on_check_out(false)
            .connection_customizer(Box::new(DurableSqlite))
            .build(Manager(database.clone()))
            .with_context(|| format!("cannot open the database {}", database.display()))?;
        Ok(Db { pool, epoch: Arc::new(ContentEpoch::new()), waits: Arc::default(), database: database.clone() })
    }

    /// Applies the pending migrations; returns how many ran. On PostgreSQL several instances may
    /// start at once: an advisory lock lets one apply them while the others wait, then find
    /// nothing left to do.
    pub fn migrate(&self) -> anyhow::Result<usize> {
        let mut conn = self.pool.get().context("no database connection")?;
        let migrate = |conn: &mut DbConn| {
            let migrations = match conn.engine() {
                Engine::Sqlite => SQLITE_MIGRATIONS,
                Engine::Postgres => POSTGRES_MIGRATIONS,
            };
            conn.run_pending_migrations(migrations)
                .map(|applied| applied.len())
                .map_err(|e| anyhow::anyhow!("migration failed: {e}"))
        };
        if conn.engine() == Engine::Sqlite {
            return migrate(&mut conn);
        }
        conn.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))?;
        let applied = migrate(&mut conn);
        conn.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})"))?;
        applied
    }

    /// Runs blocking database work on the blocking thread pool, inside the span of the request it
    /// serves (if any), so what it logs names the request.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let (pool, epoch, waits, span) =
            (self.pool.clone(), self.epoch.clone(), self.waits.clone(), crate::telemetry::request_span());
        tokio::task::spawn_blocking(move || {
            with_epoch(&epoch, || {
                span.in_scope(|| {
                    let asked = std::time::Instant::now();
                    let conn = pool.get();
                    waits.record(asked.elapsed(), conn.is_ok());
                    let mut conn = conn?;
                    work(&mut conn)
                })
            })
        })
        .await
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("database task failed: {e}")))?
    }

    /// Runs blocking database work on the current thread: for the CLI and start-up only.
    pub fn run_now<T>(&self, work: impl FnOnce(&mut DbConn) -> Result<T, ApiError>) -> Result<T, ApiError> {
        with_epoch(&self.epoch, || {
            let mut conn = self.pool.get()?;
            work(&mut conn)
        })
    }

    /// The content epoch this database's writes move on.
    pub fn epoch(&self) -> &Arc<ContentEpoch> {
        &self.epoch
    }

    /// Writes a consistent copy of the database to `target` (which must not exist), a SQLite file
    /// whichever the engine, while it stays in use: SQLite's `VACUUM INTO` and PostgreSQL's
    /// REPEATABLE READ each read one snapshot, so writes during the copy are either wholly in it or not.
    /// The file is created first, readable by its owner only and never through a symbolic link
    /// (`O_EXCL` refuses any existing name, a dangling link included); `VACUUM INTO` fills it.
    pub fn backup(&self, target: &Path) -> anyhow::Result<()> {
        let engine = self.pool.get().context("no database connection")?.engine();
        let name = target.to_str().context("the backup path is not valid UTF-8")?;
        anyhow::ensure!(
            !name.is_empty() && name != ":memory:" && !name.starts_with("file:"),
            "{name:?} is not a file name: name the file to write the backup to"
        );
        // An absolute path, so SQLite reads it as a file name and never as a URI or `:memory:`.
        let target = std::path::absolute(target).with_context(|| format!("cannot resolve {name}"))?;
        let created = match private_file(&target) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                anyhow::bail!("{name} already exists; a backup never overwrites")
            }
            Err(e) => return Err(e).with_context(|| format!("cannot create {name}")),
        };
        drop(created);
        let copied = (|| -> anyhow::Result<()> {
            let absolute = target.to_str().context("the backup path is not valid UTF-8")?;
            match engine {
                Engine::Sqlite => {
                    let mut conn = self.pool.get().context("no database connection")?;
                    conn.batch_execute(&format!("VACUUM INTO '{}'", absolute.replace('\'', "''")))
                        .with_context(|| format!("backing up to {name}"))?;
                }
                // PostgreSQL's snapshot goes into a new SQLite file through `warta copy`'s code
                // (one REPEATABLE READ snapshot), which the same binary can serve or copy back.
                Engine::Postgres => {
                    let file = Db::open(&Database::Sqlite(target.clone()), 1)?;
                    copy::copy(self, &file, |_| {}).with_context(|| format!("backing up to {name}"))?;
                }
            }
            let written = std::fs::symlink_metadata(&target).with_context(|| format!("reading {name}"))?;
            anyhow::ensure!(written.is_file() && written.len() > 0, "the backup {name} came out empty");
            Ok(())
        })();
        if copied.is_err() {
            let _ = std::fs::remove_file(&target);
        }
        copied
    }

    /// What this opens: the engine and where.
    pub fn database(&self) -> &Database {
        &self.database
    }

    /// How request work has waited for connections, for `/metrics`.
    pub fn pool_waits(&self) -> Arc<PoolWaits> {
        self.waits.clone()
    }

    /// Connections open and idle, for `/metrics`.
    pub fn pool_state(&self) -> (u32, u32, u32) {
        let state = self.pool.state();
        (state.connections, state.idle_connections, self.pool.max_size())
    }
}

/// Creates the database file readable and writable by its owner only when it does not exist yet
/// (SQLite would create it with 0644); its `-wal` and `-shm` files take the same mode from it.
fn create_private(path: &Path) -> anyhow::Result<()> {
    match private_file(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e).with_context(|| format!("cannot create the database {}", path.display())),
    }
}

/// A new file, mode 0600 whatever the umask. `create_new` is `O_CREAT | O_EXCL`, which fails on any
/// existing name, a symbolic link (even one pointing nowhere) included.
fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        options.mode(0o600);
        let file = options.open(path)?;
        // The umask can only take bits away from 0600; setting it again makes that explicit.
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        Ok(file)
    }
    #[cfg(not(unix))]
    options.open(path)
}

/// Runs `work` in one write transaction. On SQLite it takes the write lock at the start
/// (`BEGIN IMMEDIATE`), so two writers queue on the busy timeout instead of one failing midway.
/// Inside another transaction it becomes a savepoint, so services compose (a seed run is one
/// transaction made of many service calls). Once the outermost transaction has committed, the
/// content epoch moves on: every cached public answer is stale from then on.
pub fn write<T>(conn: &mut DbConn, work: impl FnOnce(&mut DbConn) -> Result<T, ApiError>) -> Result<T, ApiError> {
    transaction(conn, true, work)
}

/// A write no reader can see (logins, tokens, view counts waiting to be summed): as `write`, but
/// the content epoch stays, so that logging in or counting a read keeps the caches.
pub fn write_private<T>(
    conn: &mut DbConn,
    work: impl FnOnce(&mut DbConn) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    transaction(conn, false, work)
}

fn transaction<T>(
    conn: &mut DbConn,
    content: bool,
    work: impl FnOnce(&mut DbConn) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    let depth = DbConn::transaction_manager_status_mut(conn).transaction_depth();
    if matches!(depth, Ok(Some(_))) {
        let outcome = conn.transaction(work);
        if content && outcome.is_ok() {
            CHANGED.with(|changed| changed.set(true));
        }
        return outcome;
    }
    CHANGED.with(|changed| changed.set(content));
    let mut counted = None;
    let outcome = serialized_transaction(conn, |conn| {
        let done = work(conn)?;
        if CHANGED.with(Cell::get) {
            let count = count_content_change(conn)?;
            EPOCH.with(|epoch| epoch.borrow().as_ref().map(|epoch| epoch.own_write_started()));
            counted = Some(count);
        }
        Ok(done)
    });
    CHANGED.with(|changed| changed.set(false));
    if let Some(count) = counted {
        EPOCH.with(|epoch| {
            epoch.borrow().as_ref().map(|epoch| {
                if outcome.is_ok() {
                    epoch.bump_for_write(count);
                }
                epoch.own_write_finished();
            })
        });
    }
    outcome
}

/// A transaction that runs after every write transaction before it has committed and before every
/// one after it starts, on either engine: the invariants the services check (the last admin,
/// category cycles and depth, free slugs and their `-2` suffixes, exact version steps, a refresh
/// token spent once, the login throttle's counts) hold because no two writes interleave.
/// SQLite: `BEGIN IMMEDIATE` takes the database's one write lock at the start.
/// PostgreSQL: one transaction-scoped advisory lock, taken first, does the same across every
/// instance; at READ COMMITTED each later statement reads what every earlier holder committed.
/// Chosen over SERIALIZABLE-with-retry because the services' work is not safe to run twice (it
/// renders, hashes passwords and is `FnOnce`), and a newsroom's writes are few and short; reads
/// never take the lock.
fn serialized_transaction<T>(
    conn: &mut DbConn,
    work: impl FnOnce(&mut DbConn) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    match conn {
        DbConn::Sqlite(inner) => AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")?,
        DbConn::Pg(inner) => {
            AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN")?;
            if let Err(e) = inner.batch_execute(&format!("SELECT pg_advisory_xact_lock({WRITE_LOCK})")) {
                let _ = DbConn::rollback_transaction(conn);
                return Err(e.into());
            }
        }
    }
    match work(conn) {
        Ok(value) => {
            DbConn::commit_transaction(conn)?;
            Ok(value)
        }
        Err(error) => {
            // The work's error is the answer; a failed rollback breaks the connection, which the
            // pool then drops.
            let _ = DbConn::rollback_transaction(conn);
            Err(error)
        }
    }
}

/// Moves the shared count of content writes on, inside the write's transaction, and returns it:
/// other processes learn of the write from it (see `content_changes`).
fn count_content_change(conn: &mut DbConn) -> Result<i64, ApiError> {
    use diesel::prelude::*;
    use schema::content_changes::dsl::{changed_at, content_changes, counter};
    diesel::update(content_changes).set((counter.eq(counter + 1), changed_at.eq(wall_clock_micros()))).execute(conn)?;
    if conn.engine() == Engine::Postgres {
        // Delivered when the transaction commits, and not at all if it rolls back.
        conn.batch_execute(&format!("NOTIFY {}", listen::CHANNEL))?;
    }
    Ok(content_changes.select(counter).first(conn)?)
}

/// The system's clock, not the app's (which tests move): the lag between two processes is
/// measured in real time.
pub fn wall_clock_micros() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| i64::try_from(since.as_micros()).unwrap_or(i64::MAX))
}

/// How many content writes have committed to this database, by any process, and when the last
/// one did (microseconds since 1970, on the writer's system clock).
pub fn content_changes(conn: &mut DbConn) -> Result<(i64, i64), ApiError> {
    use diesel::prelude::*;
    use schema::content_changes::dsl::{changed_at, content_changes, counter};
    Ok(content_changes.select((counter, changed_at)).first(conn)?)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use diesel::prelude::*;

    /// A migrated in-memory database for unit tests of services.
    pub(crate) fn memory_conn() -> DbConn {
        let mut conn = DbConn::Sqlite(SqliteConnection::establish(":memory:").expect("in-memory sqlite"));
        conn.batch_execute("PRAGMA foreign_keys = ON;").expect("pragma");
        conn.run_pending_migrations(SQLITE_MIGRATIONS).expect("migrations");
        conn
    }

    /// `EXPLAIN QUERY PLAN` of a Diesel query, with its bind values bound: one detail line a step.
    pub(crate) fn query_plan<Q>(conn: &mut DbConn, query: Q) -> Vec<String>
    where
        Q: diesel::query_builder::QueryFragment<Backend>,
    {
        #[derive(QueryableByName)]
        struct Step {
            #[diesel(sql_type = diesel::sql_types::Text)]
            detail: String,
        }
        let steps: Vec<Step> = Explain(query).load(conn).expect("a query plan");
        steps.into_iter().map(|s| s.detail).collect()
    }

    struct Explain<Q>(Q);

    impl<Q: diesel::query_builder::QueryFragment<Backend>> diesel::query_builder::QueryFragment<Backend> for Explain<Q> {
        fn walk_ast<'b>(&'b self, mut out: diesel::query_builder::AstPass<'_, 'b, Backend>) -> QueryResult<()> {
            out.push_sql("EXPLAIN QUERY PLAN ");
            self.0.walk_ast(out.reborrow())
        }
    }

    impl<Q> diesel::query_builder::QueryId for Explain<Q> {
        type QueryId = ();
        const HAS_STATIC_QUERY_ID: bool = false;
    }

    impl<Q> diesel::query_builder::Query for Explain<Q> {
        type SqlType = diesel::sql_types::Untyped;
    }

    impl<Q> RunQueryDsl<DbConn> for Explain<Q> {}

    #[test]
    fn schema_matches_the_migrations() {
        use schema::*;
        let conn = &mut memory_conn();
        // Selecting every column Diesel knows fails if a migration lacks one of them.
        let checks: Vec<QueryResult<usize>> = vec![
            authors::table.select(authors::all_columns).execute(conn),
            users::table.select(users::all_columns).execute(conn),
            refresh_tokens::table.select(refresh_tokens::all_columns).execute(conn),
            login_failures::table.select(login_failures::all_columns).execute(conn),
            categories::table.select(categories::all_columns).execute(conn),
            tags::table.select(tags::all_columns).execute(conn),
            articles::table.select(articles::all_columns).execute(conn),
            article_authors::table.select(article_authors::all_columns).execute(conn),
            article_tags::table.select(article_tags::all_columns).execute(conn),
            article_slug_redirects::table.select(article_slug_redirects::all_columns).execute(conn),
            article_views::table.select(article_views::all_columns).execute(conn),
            articles_fts::table.select(articles_fts::all_columns).execute(conn),
            audit_log::table.select(audit_log::all_columns).execute(conn),
        ];
        for check in checks {
            check.expect("schema.rs names a column the migrations do not create");
        }
    }

    /// Tables and their columns as `schema.rs` declares them, read from its text.
    fn declared_tables() -> std::collections::BTreeMap<String, Vec<String>> {
        let mut tables = std::collections::BTreeMap::new();
        let mut current: Option<String> = None;
        for line in include_str!("schema.rs").lines().map(str::trim) {
            if let Some((name, _)) = line.split_once(" (").filter(|_| line.ends_with('{')) {
                current = Some(name.to_owned());
                tables.insert(name.to_owned(), Vec::new());
            } else if let (Some(table), Some((column, _))) = (&current, line.split_once(" -> ")) {
                tables.get_mut(table).expect("table seen").push(column.to_owned());
            } else if line == "}" {
                current = None;
            }
        }
        tables
    }

    #[derive(QueryableByName)]
    struct Named {
        #[diesel(sql_type = diesel::sql_types::Text)]
        name: String,
    }

    /// Both ways: every table and column the migrations create is declared in `schema.rs` (so no
    /// query can miss one), and every declared one exists. SQLite's own tables, Diesel's
    /// bookkeeping and the FTS5 index's shadow tables are not ours to declare.
    #[test]
    fn every_table_and_column_the_migrations_create_is_declared() {
        let conn = &mut memory_conn();
        let created: Vec<Named> = diesel::sql_query(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             AND name NOT LIKE '__diesel_%' AND name NOT LIKE 'articles_fts_%' ORDER BY name",
        )
        .load(conn)
        .expect("tables");
        let declared = declared_tables();
        let created_names: Vec<&str> = created.iter().map(|t| t.name.as_str()).collect();
        let declared_names: Vec<&str> = declared.keys().map(String::as_str).collect();
        assert_eq!(created_names, declared_names, "tables in the migrations vs schema.rs");
        for (table, columns) in &declared {
            let mut found: Vec<String> = diesel::sql_query(format!("SELECT name FROM pragma_table_info('{table}')"))
                .load::<Named>(conn)
                .expect("columns")
                .into_iter()
                .map(|c| c.name)
                .collect();
            // An FTS5 table's rowid is implicit, not a column of its own.
            if table == "articles_fts" {
                found.insert(0, "rowid".into());
            }
            let mut declared = columns.clone();
            declared.sort();
            found.sort();
            assert_eq!(found, declared, "columns of {table} in the migrations vs schema.rs");
        }
    }

    #[test]
    fn writes_nest_as_savepoints_and_roll_back_together() {
        let conn = &mut memory_conn();
        let count = |conn: &mut DbConn| schema::tags::table.count().get_result::<i64>(conn).expect("count");
        let insert = |conn: &mut DbConn, name: &str| -> Result<(), ApiError> {
            diesel::sql_query(format!(
                "INSERT INTO tags (slug, name, name_key, created_at, updated_at) VALUES ('{name}', '{name}', '{name}', '', '')"
            ))
            .execute(conn)?;
            Ok(())
        };
        let outcome: Result<(), ApiError> = write(conn, |conn| {
            write(conn, |conn| insert(conn, "satu"))?;
            let inner_failure: Result<(), ApiError> = write(conn, |conn| {
                insert(conn, "dua")?;
                Err(ApiError::Conflict("inner".into()))
            });
            assert!(inner_failure.is_err());
            assert_eq!(count(conn), 1, "the failed inner write was rolled back alone");
            Err(ApiError::Conflict("outer".into()))
        });
        assert!(outcome.is_err());
        assert_eq!(count(conn), 0, "the outer rollback undid the inner write");
    }

    #[test]
    fn committed_content_writes_move_the_epoch_on_and_private_or_failed_ones_do_not() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = Db::open(&Database::Sqlite(dir.path().join("w.db")), 1).expect("open");
        db.migrate().expect("migrate");
        let epoch = db.epoch().clone();
        let ok = |_: &mut DbConn| -> Result<(), ApiError> { Ok(()) };
        db.run_now(|conn| write(conn, ok)).expect("write");
        assert_eq!(epoch.current(), 1, "a committed write");
        db.run_now(|conn| write_private(conn, ok)).expect("write");
        assert_eq!(epoch.current(), 1, "a private write");
        let failed = db.run_now(|conn| write(conn, |_| -> Result<(), ApiError> { Err(ApiError::NotFound("x")) }));
        assert!(failed.is_err());
        assert_eq!(epoch.current(), 1, "a rolled back write");
        db.run_now(|conn| write_private(conn, |conn| write(conn, ok))).expect("write");
        assert_eq!(epoch.current(), 2, "a content write inside a private one");
        db.run_now(|conn| write(conn, |conn| write(conn, ok))).expect("write");
        assert_eq!(epoch.current(), 3, "nested writes move it once, at the commit");
    }

    #[test]
    fn durable_settings_are_applied_to_pooled_connections() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = Db::open(&Database::Sqlite(dir.path().join("w.db")), 1).expect("open");
        let (journal, sync, fks) = db
            .run_now(|conn| {
                #[derive(QueryableByName)]
                struct Value {
                    #[diesel(sql_type = diesel::sql_types::Text)]
                    v: String,
                }
                let mut one =
                    |sql: &str| -> Result<String, ApiError> { Ok(diesel::sql_query(sql).get_result::<Value>(conn)?.v) };
                Ok((
                    one("SELECT journal_mode AS v FROM pragma_journal_mode")?,
                    one("SELECT CAST(synchronous AS TEXT) AS v FROM pragma_synchronous")?,
                    one("SELECT CAST(foreign_keys AS TEXT) AS v FROM pragma_foreign_keys")?,
                ))
            })
            .expect("pragmas");
        assert_eq!((journal.as_str(), sync.as_str(), fks.as_str()), ("wal", "2", "1"));
    }
}
