//! Diesel queries for `authors`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::authors;
use crate::db::DbConn;
use crate::domain::ids::AuthorId;
use crate::domain::key::ItemKey;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = authors)]
pub struct AuthorRow {
    pub id: AuthorId,
    pub slug: String,
    pub name: String,
    pub title: Option<String>,
    pub bio: Option<String>,
    pub avatar_url: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = authors)]
pub struct NewAuthorRow {
    pub slug: String,
    pub name: String,
    pub title: Option<String>,
    pub bio: Option<String>,
    pub avatar_url: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = authors)]
pub struct AuthorChanges {
    pub slug: Option<String>,
    pub name: Option<String>,
    pub title: Option<Option<String>>,
    pub bio: Option<Option<String>>,
    pub avatar_url: Option<Option<String>>,
    pub updated_at: Option<NaiveDateTime>,
}

impl AuthorChanges {
    /// The changes without those that would store what is already stored.
    pub fn without_stored(self, current: &AuthorRow) -> AuthorChanges {
        AuthorChanges {
            slug: self.slug.filter(|v| *v != current.slug),
            name: self.name.filter(|v| *v != current.name),
            title: self.title.filter(|v| *v != current.title),
            bio: self.bio.filter(|v| *v != current.bio),
            avatar_url: self.avatar_url.filter(|v| *v != current.avatar_url),
            updated_at: self.updated_at,
        }
    }

    /// Whether there is nothing to change (`updated_at` aside).
    pub fn is_empty(&self) -> bool {
        let AuthorChanges { slug, name, title, bio, avatar_url, updated_at: _ } = self;
        slug.is_none() && name.is_none() && title.is_none() && bio.is_none() && avatar_url.is_none()
    }
}

pub fn find_by_key(conn: &mut DbConn, key: &ItemKey) -> QueryResult<Option<AuthorRow>> {
    let query = authors::table.select(AuthorRow::as_select());
    match key {
        ItemKey::Id(id) => query.find(AuthorId(*id)).first(conn).optional(),
        ItemKey::Slug(slug) => query.filter(authors::slug.eq(slug)).first(conn).optional(),
        ItemKey::NoSuchId => Ok(None),
    }
}

pub fn exists(conn: &mut DbConn, id: AuthorId) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(authors::table.find(id))).get_result(conn)
}

pub fn slug_taken(conn: &mut DbConn, slug: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(authors::table.filter(authors::slug.eq(slug)))).get_result(conn)
}

pub fn count(conn: &mut DbConn) -> QueryResult<i64> {
    authors::table.count().get_result(conn)
}

pub fn page(conn: &mut DbConn, limit: i64, offset: i64) -> QueryResult<Vec<AuthorRow>> {
    authors::table
        .order((authors::name.asc(), authors::id.asc()))
        .limit(limit)
        .offset(offset)
        .select(AuthorRow::as_select())
        .load(conn)
}

pub fn insert(conn: &mut DbConn, row: &NewAuthorRow) -> QueryResult<AuthorRow> {
    crate::db::per_engine!(conn, |c| diesel::insert_into(authors::table)
        .values(row)
        .returning(AuthorRow::as_returning())
        .get_result(c))
}

pub fn update(conn: &mut DbConn, id: AuthorId, changes: &AuthorChanges) -> QueryResult<AuthorRow> {
    crate::db::per_engine!(conn, |c| diesel::update(authors::table.find(id))
        .set(changes)
        .returning(AuthorRow::as_returning())
        .get_result(c))
}

pub fn delete(conn: &mut DbConn, id: AuthorId) -> QueryResult<usize> {
    diesel::delete(authors::table.find(id)).execute(conn)
}
