//! `warta copy`: a whole Warta database from one engine to the other (SQLite to PostgreSQL for a
//! newsroom that outgrows one machine, or back), every row with its id, and each id sequence
//! continuing where the source's would have. The source is read in one snapshot; the target is
//! written in one transaction, so a failed copy leaves it as it was.
//!
//! Not copied: what is derived or short-lived. The trending totals are rebuilt from the copied
//! hourly buckets by the first view flush on the target (until then trending sums the buckets),
//! and the view dedupe claims live for one dedupe period (30 minutes by default).

use anyhow::Context;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};
use diesel::BoolExpressionMethods;

use crate::db::schema;
use crate::db::{self as database, per_engine, Db, DbConn, Engine};
use crate::error::ApiError;

/// Rows read and written at a time: well under either engine's limit of bound values per statement.
const CHUNK: i64 = 500;

/// The tables whose ids come from a sequence (`content_changes` is one row the migrations make).
const SEQUENCED: [&str; 9] =
    ["authors", "users", "refresh_tokens", "login_failures", "categories", "tags", "media", "articles", "audit_log"];

/// Copies `source` into `target`, which must hold no data (its migrations are applied first).
/// `progress` hears one line per table.
pub fn copy(source: &Db, target: &Db, mut progress: impl FnMut(&str)) -> anyhow::Result<()> {
    target.migrate().context("preparing the target")?;
    let mut from = source.pool.get().context("no connection to the source")?;
    let mut to = target.pool.get().context("no connection to the target")?;
    let held = rows_held(&mut to)?;
    anyhow::ensure!(held == 0, "the target already holds data ({held} rows); copy only into an empty database");
    read_snapshot(&mut from, |from| {
        let outcome = database::write(&mut to, |to| {
            copy_tables(from, to, &mut progress)?;
            continue_sequences(from, to)?;
            Ok(())
        });
        outcome.map_err(|e| anyhow::anyhow!("{e}"))
    })
}

/// Runs `work` inside one read-only snapshot of the source: the copy sees every table at the same
/// moment although the source may be serving writes.
fn read_snapshot<T>(conn: &mut DbConn, work: impl FnOnce(&mut DbConn) -> anyhow::Result<T>) -> anyhow::Result<T> {
    conn.transaction(|conn| {
        if conn.engine() == Engine::Postgres {
            conn.batch_execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")?;
        }
        work(conn)
    })
}

fn rows_held(conn: &mut DbConn) -> anyhow::Result<i64> {
    use schema::*;
    Ok(authors::table.count().get_result::<i64>(conn)?
        + users::table.count().get_result::<i64>(conn)?
        + refresh_tokens::table.count().get_result::<i64>(conn)?
        + login_failures::table.count().get_result::<i64>(conn)?
        + categories::table.count().get_result::<i64>(conn)?
        + tags::table.count().get_result::<i64>(conn)?
        + media::table.count().get_result::<i64>(conn)?
        + articles::table.count().get_result::<i64>(conn)?
        + audit_log::table.count().get_result::<i64>(conn)?
        + article_views::table.count().get_result::<i64>(conn)?)
}

/// Copies one table in chunks, walking its key (the first one or two columns listed) from where
/// the last chunk ended: each chunk costs the same however far into the table it is.
macro_rules! copy_table {
    ($from:expr, $to:expr, $progress:expr, $table:ident, key $key:ident, ($($column:ident: $type:ty),+ $(,)?)) => {{
        use schema::$table::dsl as columns;
        let mut copied = 0usize;
        let mut after = None;
        loop {
            let mut query = schema::$table::table.select(($(columns::$column,)+)).order(columns::$key).limit(CHUNK).into_boxed();
            if let Some(last) = after.take() {
                query = query.filter(columns::$key.gt(last));
            }
            let rows: Vec<($($type,)+)> = query.load($from)?;
            let Some(last) = rows.last() else { break };
            after = Some(last.0.clone());
            let values: Vec<_> = rows.iter().map(|($($column,)+)| ($(columns::$column.eq($column),)+)).collect();
            per_engine!(&mut *$to, |c| diesel::insert_into(schema::$table::table).values(&values).execute(c))?;
            copied += rows.len();
        }
        $progress(&format!("copied {copied} rows of {}", stringify!($table)));
    }};
    ($from:expr, $to:expr, $progress:expr, $table:ident, keys ($first:ident, $second:ident), ($($column:ident: $type:ty),+ $(,)?)) => {{
        use schema::$table::dsl as columns;
        let mut copied = 0usize;
        let mut after = None;
        loop {
            let mut query = schema::$table::table
                .select(($(columns::$column,)+))
                .order((columns::$first, columns::$second))
                .limit(CHUNK)
                .into_boxed();
            if let Some((first, second)) = after.take() {
                // Spelled as functions: the PostgreSQL prelude has an `or`/`and` of its own.
                let same_first = BoolExpressionMethods::and(columns::$first.eq(first), columns::$second.gt(second));
                query = query.filter(BoolExpressionMethods::or(columns::$first.gt(first), same_first));
            }
            let rows: Vec<($($type,)+)> = query.load($from)?;
            let Some(last) = rows.last() else { break };
            after = Some((last.0, last.1));
            let values: Vec<_> = rows.iter().map(|($($column,)+)| ($(columns::$column.eq($column),)+)).collect();
            per_engine!(&mut *$to, |c| diesel::insert_into(schema::$table::table).values(&values).execute(c))?;
            copied += rows.len();
        }
        $progress(&format!("copied {copied} rows of {}", stringify!($table)));
    }};
}

fn copy_tables(from: &mut DbConn, to: &mut DbConn, progress: &mut impl FnMut(&str)) -> Result<(), ApiError> {
    use chrono::NaiveDateTime as Time;
    copy_table!(from, to, progress, authors, key id, (
        id: i32, slug: String, name: String, title: Option<String>, bio: Option<String>,
        avatar_url: Option<String>, created_at: Time, updated_at: Time,
    ));
    copy_table!(from, to, progress, users, key id, (
        id: i32, email: String, email_key: String, name: String, role: String, password_hash: String,
        author_id: Option<i32>, created_at: Time, updated_at: Time, last_login_at: Option<Time>, token_epoch: i32,
    ));
    copy_table!(from, to, progress, refresh_tokens, key id, (
        id: i32, user_id: i32, family: String, token_hash: String, created_at: Time, expires_at: Time,
        spent_at: Option<Time>, revoked_at: Option<Time>,
    ));
    copy_table!(from, to, progress, login_failures, key id, (
        id: i32, email_key: String, client_addr: String, failed_at: Time,
    ));
    copy_categories(from, to, progress)?;
    copy_table!(from, to, progress, tags, key id, (
        id: i32, slug: String, name: String, name_key: String, created_at: Time, updated_at: Time,
    ));
    copy_table!(from, to, progress, media, key id, (
        id: i32, sha256: String, bytes: i64, filename: String, mime_type: String, width: i32, height: i32,
        file_key: String, variants: String, placeholder: String, alt: Option<String>, caption: Option<String>,
        credit: Option<String>, focal_x: Option<f64>, focal_y: Option<f64>, created_by: Option<i32>,
        created_at: Time, updated_at: Time,
    ));
    copy_table!(from, to, progress, articles, key id, (
        id: i32, slug: String, title: String, custom_excerpt: Option<String>, excerpt: String, body: String,
        body_format: String, body_html: String, word_count: i32, reading_time_minutes: i32,
        cover_url: Option<String>, cover_caption: Option<String>, cover_credit: Option<String>,
        cover_alt: Option<String>, category_id: i32, status: String, published_at: Option<Time>,
        view_count: i64, version: i32, created_by: Option<i32>, updated_by: Option<i32>,
        created_at: Time, updated_at: Time, cover_media_id: Option<i32>,
        cover_media: Option<String>,
    ));
    copy_table!(from, to, progress, article_media, keys (article_id, media_id), (
        article_id: i32, media_id: i32,
    ));
    copy_table!(from, to, progress, article_authors, keys (article_id, author_id), (
        article_id: i32, author_id: i32, position: i32,
    ));
    copy_table!(from, to, progress, article_tags, keys (article_id, tag_id), (
        article_id: i32, tag_id: i32,
    ));
    copy_table!(from, to, progress, article_slug_redirects, key slug, (slug: String, article_id: i32));
    copy_table!(from, to, progress, article_views, keys (hour, article_id), (
        hour: i64, article_id: i32, views: i64,
    ));
    copy_table!(from, to, progress, articles_fts, key rowid, (
        rowid: i32, title: String, excerpt: String, body: String,
    ));
    copy_table!(from, to, progress, audit_log, key id, (
        id: i32, at: Time, user_id: Option<i32>, user_email: String, action: String, resource: String,
        resource_id: i32, article_id: Option<i32>, version_before: Option<i32>, version_after: Option<i32>,
    ));
    Ok(())
}

/// Categories refer to their parents: they are inserted parents first (at most ten levels).
fn copy_categories(from: &mut DbConn, to: &mut DbConn, progress: &mut impl FnMut(&str)) -> Result<(), ApiError> {
    use schema::categories::dsl::*;
    type Row = (i32, String, String, String, Option<i32>, i32, chrono::NaiveDateTime, chrono::NaiveDateTime);
    let mut rows: Vec<Row> = categories
        .select((id, slug, name, description, parent_id, position, created_at, updated_at))
        .order(id)
        .load(from)?;
    let parents: std::collections::HashMap<i32, Option<i32>> = rows.iter().map(|r| (r.0, r.4)).collect();
    let depth = |mut at: Option<i32>| {
        let mut levels = 0;
        while let Some(parent) = at.filter(|_| levels <= parents.len()) {
            levels += 1;
            at = parents.get(&parent).copied().flatten();
        }
        levels
    };
    rows.sort_by_key(|r| (depth(r.4), r.0));
    for chunk in rows.chunks(CHUNK as usize) {
        let values: Vec<_> = chunk
            .iter()
            .map(|(i, s, n, d, p, pos, c, u)| {
                (
                    id.eq(i),
                    slug.eq(s),
                    name.eq(n),
                    description.eq(d),
                    parent_id.eq(p),
                    position.eq(pos),
                    created_at.eq(c),
                    updated_at.eq(u),
                )
            })
            .collect();
        per_engine!(&mut *to, |c| diesel::insert_into(categories).values(&values).execute(c))?;
    }
    progress(&format!("copied {} rows of categories", rows.len()));
    Ok(())
}

/// The next id each table hands out on the source, so that ids are never reused on the target
/// either: past both the largest id and the last one the source ever gave.
fn next_ids(conn: &mut DbConn) -> Result<Vec<(&'static str, i64)>, ApiError> {
    #[derive(QueryableByName)]
    struct Next {
        #[diesel(sql_type = Nullable<BigInt>)]
        next: Option<i64>,
    }
    #[derive(QueryableByName)]
    struct Name {
        #[diesel(sql_type = Text)]
        name: String,
    }
    let mut next = Vec::new();
    for table in SEQUENCED {
        let sql = match conn.engine() {
            Engine::Sqlite => format!(
                "SELECT MAX(COALESCE((SELECT MAX(id) FROM {table}), 0), \
                 COALESCE((SELECT seq FROM sqlite_sequence WHERE name = '{table}'), 0)) + 1 AS next"
            ),
            Engine::Postgres => {
                // What the sequence hands out next: its last value, or the one after it once used.
                let sequence: Name =
                    diesel::sql_query(format!("SELECT pg_get_serial_sequence('{table}', 'id') AS name"))
                        .get_result(conn)?;
                format!(
                    "SELECT GREATEST(COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, \
                     (SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END FROM {}))::BIGINT AS next",
                    sequence.name
                )
            }
        };
        let found: Next = diesel::sql_query(sql).get_result(conn)?;
        next.push((table, found.next.unwrap_or(1)));
    }
    Ok(next)
}

fn continue_sequences(from: &mut DbConn, to: &mut DbConn) -> Result<(), ApiError> {
    for (table, next) in next_ids(from)? {
        match to.engine() {
            Engine::Postgres => {
                diesel::sql_query(format!("SELECT setval(pg_get_serial_sequence('{table}', 'id'), $1, false)"))
                    .bind::<BigInt, _>(next)
                    .execute(to)?;
            }
            Engine::Sqlite => {
                // AUTOINCREMENT tables keep their last id here (a row for another table is unused).
                diesel::sql_query("UPDATE sqlite_sequence SET seq = MAX(seq, ?) WHERE name = ?")
                    .bind::<BigInt, _>(next - 1)
                    .bind::<Text, _>(table)
                    .execute(to)?;
                diesel::sql_query(
                    "INSERT INTO sqlite_sequence (name, seq) SELECT ?, ? WHERE NOT EXISTS \
                     (SELECT 1 FROM sqlite_sequence WHERE name = ?)",
                )
                .bind::<Text, _>(table)
                .bind::<BigInt, _>(next - 1)
                .bind::<Text, _>(table)
                .execute(to)?;
            }
        }
    }
    Ok(())
}
