//! Diesel queries for `tags`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::tags;
use crate::db::DbConn;
use crate::domain::ids::TagId;
use crate::domain::key::ItemKey;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = tags)]
pub struct TagRow {
    pub id: TagId,
    pub slug: String,
    pub name: String,
    pub name_key: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = tags)]
pub struct NewTagRow {
    pub slug: String,
    pub name: String,
    pub name_key: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = tags)]
pub struct TagChanges {
    pub slug: Option<String>,
    pub name: Option<String>,
    pub name_key: Option<String>,
    pub updated_at: Option<NaiveDateTime>,
}

pub fn find_by_key(conn: &mut DbConn, key: &ItemKey) -> QueryResult<Option<TagRow>> {
    let query = tags::table.select(TagRow::as_select());
    match key {
        ItemKey::Id(id) => query.find(TagId(*id)).first(conn).optional(),
        ItemKey::Slug(slug) => query.filter(tags::slug.eq(slug)).first(conn).optional(),
        ItemKey::NoSuchId => Ok(None),
    }
}

pub fn slug_taken(conn: &mut DbConn, slug: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(tags::table.filter(tags::slug.eq(slug)))).get_result(conn)
}

pub fn name_taken(conn: &mut DbConn, name_key: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(tags::table.filter(tags::name_key.eq(name_key)))).get_result(conn)
}

pub fn count(conn: &mut DbConn) -> QueryResult<i64> {
    tags::table.count().get_result(conn)
}

pub fn page(conn: &mut DbConn, limit: i64, offset: i64) -> QueryResult<Vec<TagRow>> {
    tags::table
        .order((tags::name_key.asc(), tags::id.asc()))
        .limit(limit)
        .offset(offset)
        .select(TagRow::as_select())
        .load(conn)
}

/// The tags with these ids, in no particular order.
pub fn by_ids(conn: &mut DbConn, ids: &[TagId]) -> QueryResult<Vec<TagRow>> {
    tags::table.filter(tags::id.eq_any(ids)).select(TagRow::as_select()).load(conn)
}

pub fn insert(conn: &mut DbConn, row: &NewTagRow) -> QueryResult<TagRow> {
    crate::db::per_engine!(conn, |c| diesel::insert_into(tags::table)
        .values(row)
        .returning(TagRow::as_returning())
        .get_result(c))
}

pub fn update(conn: &mut DbConn, id: TagId, changes: &TagChanges) -> QueryResult<TagRow> {
    crate::db::per_engine!(conn, |c| diesel::update(tags::table.find(id))
        .set(changes)
        .returning(TagRow::as_returning())
        .get_result(c))
}

pub fn delete(conn: &mut DbConn, id: TagId) -> QueryResult<usize> {
    diesel::delete(tags::table.find(id)).execute(conn)
}

pub fn find_by_name_key(conn: &mut DbConn, name_key: &str) -> QueryResult<Option<TagRow>> {
    tags::table.filter(tags::name_key.eq(name_key)).select(TagRow::as_select()).first(conn).optional()
}
