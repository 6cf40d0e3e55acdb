//! Diesel queries for `media` and `article_media`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{article_media, media, users};
use crate::db::DbConn;
use crate::domain::ids::{ArticleId, MediaId, UserId};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = media)]
pub struct MediaRow {
    pub id: MediaId,
    pub sha256: String,
    pub bytes: i64,
    pub filename: String,
    pub mime_type: String,
    pub width: i32,
    pub height: i32,
    pub file_key: String,
    pub variants: String,
    pub placeholder: String,
    pub alt: Option<String>,
    pub caption: Option<String>,
    pub credit: Option<String>,
    pub focal_x: Option<f64>,
    pub focal_y: Option<f64>,
    pub created_by: Option<UserId>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = media)]
pub struct NewMediaRow {
    pub sha256: String,
    pub bytes: i64,
    pub filename: String,
    pub mime_type: String,
    pub width: i32,
    pub height: i32,
    pub file_key: String,
    pub variants: String,
    pub placeholder: String,
    pub alt: Option<String>,
    pub caption: Option<String>,
    pub credit: Option<String>,
    pub created_by: Option<UserId>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A PATCH: `Some(None)` clears a field.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = media)]
pub struct MediaChanges {
    pub alt: Option<Option<String>>,
    pub caption: Option<Option<String>>,
    pub credit: Option<Option<String>>,
    pub focal_x: Option<Option<f64>>,
    pub focal_y: Option<Option<f64>>,
    pub updated_at: Option<NaiveDateTime>,
}

/// A row with its uploader's name and how many articles use it.
pub struct MediaListing {
    pub row: MediaRow,
    pub uploader: Option<String>,
    pub usage_count: i64,
}

pub fn find(conn: &mut DbConn, id: MediaId) -> QueryResult<Option<MediaRow>> {
    media::table.find(id).select(MediaRow::as_select()).first(conn).optional()
}

pub fn by_ids(conn: &mut DbConn, ids: &[MediaId]) -> QueryResult<Vec<MediaRow>> {
    media::table.filter(media::id.eq_any(ids)).select(MediaRow::as_select()).load(conn)
}

/// Records which items an article uses (its cover and the pictures in its body), replacing what
/// it used before. An item in use cannot be deleted.
pub fn set_uses(conn: &mut DbConn, article: ArticleId, items: &[MediaId]) -> QueryResult<()> {
    diesel::delete(article_media::table.filter(article_media::article_id.eq(article))).execute(conn)?;
    let rows: Vec<_> =
        items.iter().map(|item| (article_media::article_id.eq(article), article_media::media_id.eq(*item))).collect();
    crate::db::per_engine!(conn, |c| diesel::insert_into(article_media::table).values(&rows).execute(c))?;
    Ok(())
}

/// Which of these upload hashes are items already.
pub fn existing_hashes(conn: &mut DbConn, hashes: &[String]) -> QueryResult<std::collections::HashSet<String>> {
    Ok(media::table
        .filter(media::sha256.eq_any(hashes))
        .select(media::sha256)
        .load::<String>(conn)?
        .into_iter()
        .collect())
}

pub fn find_by_sha256(conn: &mut DbConn, sha256: &str) -> QueryResult<Option<MediaRow>> {
    media::table.filter(media::sha256.eq(sha256)).select(MediaRow::as_select()).first(conn).optional()
}

pub fn insert(conn: &mut DbConn, row: &NewMediaRow) -> QueryResult<MediaId> {
    diesel::insert_into(media::table).values(row).returning(media::id).get_result(conn)
}

pub fn update(conn: &mut DbConn, id: MediaId, changes: &MediaChanges) -> QueryResult<usize> {
    diesel::update(media::table.find(id)).set(changes).execute(conn)
}

pub fn delete(conn: &mut DbConn, id: MediaId) -> QueryResult<usize> {
    diesel::delete(media::table.find(id)).execute(conn)
}

/// `%`, `_` and `\` match themselves in a LIKE pattern (escaped with `\`).
fn like_pattern(text: &str) -> String {
    let escaped = text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{}%", escaped.to_lowercase())
}

/// The filter of `GET /media?q=`: filename, alt, caption or credit contains the words, in any case.
fn matching(q: Option<&str>) -> media::BoxedQuery<'static, crate::db::Backend> {
    let mut query = media::table.into_boxed();
    if let Some(q) = q {
        let pattern = like_pattern(q);
        let contains = |column: &str| {
            diesel::dsl::sql::<diesel::sql_types::Bool>(&format!("LOWER(COALESCE({column}, '')) LIKE "))
                .bind::<diesel::sql_types::Text, _>(pattern.clone())
                .sql(" ESCAPE '\\'")
        };
        query = query.filter(
            contains("media.filename")
                .or(contains("media.alt"))
                .or(contains("media.caption"))
                .or(contains("media.credit")),
        );
    }
    query
}

pub fn count(conn: &mut DbConn, q: Option<&str>) -> QueryResult<i64> {
    matching(q).count().get_result(conn)
}

/// A page, newest first.
pub fn page(conn: &mut DbConn, q: Option<&str>, limit: i64, offset: i64) -> QueryResult<Vec<MediaRow>> {
    matching(q)
        .order((media::created_at.desc(), media::id.desc()))
        .limit(limit)
        .offset(offset)
        .select(MediaRow::as_select())
        .load(conn)
}

/// The uploader's name and usage count of each row, in two queries for all of them.
pub fn listings(conn: &mut DbConn, rows: Vec<MediaRow>) -> QueryResult<Vec<MediaListing>> {
    let ids: Vec<MediaId> = rows.iter().map(|r| r.id).collect();
    let uploaders: Vec<UserId> = rows.iter().filter_map(|r| r.created_by).collect();
    let names: std::collections::HashMap<UserId, String> = users::table
        .filter(users::id.eq_any(uploaders))
        .select((users::id, users::name))
        .load(conn)?
        .into_iter()
        .collect();
    let uses: std::collections::HashMap<MediaId, i64> = article_media::table
        .filter(article_media::media_id.eq_any(ids))
        .group_by(article_media::media_id)
        .select((article_media::media_id, diesel::dsl::count_star()))
        .load(conn)?
        .into_iter()
        .collect();
    Ok(rows
        .into_iter()
        .map(|row| MediaListing {
            uploader: row.created_by.and_then(|id| names.get(&id).cloned()),
            usage_count: uses.get(&row.id).copied().unwrap_or(0),
            row,
        })
        .collect())
}

pub fn in_use(conn: &mut DbConn, id: MediaId) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(article_media::table.filter(article_media::media_id.eq(id)))).get_result(conn)
}
