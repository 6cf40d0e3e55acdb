//! Diesel queries for `categories`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::categories;
use crate::db::DbConn;
use crate::domain::ids::CategoryId;
use crate::domain::key::ItemKey;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = categories)]
pub struct CategoryRow {
    pub id: CategoryId,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub parent_id: Option<CategoryId>,
    pub position: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = categories)]
pub struct NewCategoryRow {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub parent_id: Option<CategoryId>,
    pub position: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = categories)]
pub struct CategoryChanges {
    pub slug: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub parent_id: Option<Option<CategoryId>>,
    pub position: Option<i32>,
    pub updated_at: Option<NaiveDateTime>,
}

impl CategoryChanges {
    /// The changes without those that would store what is already stored.
    pub fn without_stored(self, current: &CategoryRow) -> CategoryChanges {
        CategoryChanges {
            slug: self.slug.filter(|v| *v != current.slug),
            name: self.name.filter(|v| *v != current.name),
            description: self.description.filter(|v| *v != current.description),
            parent_id: self.parent_id.filter(|v| *v != current.parent_id),
            position: self.position.filter(|v| *v != current.position),
            updated_at: self.updated_at,
        }
    }

    /// Whether there is nothing to change (`updated_at` aside).
    pub fn is_empty(&self) -> bool {
        let CategoryChanges { slug, name, description, parent_id, position, updated_at: _ } = self;
        slug.is_none() && name.is_none() && description.is_none() && parent_id.is_none() && position.is_none()
    }
}

/// Every category: the tree is small (tens to hundreds), and paths and ordering need all of it.
pub fn all(conn: &mut DbConn) -> QueryResult<Vec<CategoryRow>> {
    categories::table.select(CategoryRow::as_select()).load(conn)
}

pub fn find_by_key(conn: &mut DbConn, key: &ItemKey) -> QueryResult<Option<CategoryRow>> {
    let query = categories::table.select(CategoryRow::as_select());
    match key {
        ItemKey::Id(id) => query.find(CategoryId(*id)).first(conn).optional(),
        ItemKey::Slug(slug) => query.filter(categories::slug.eq(slug)).first(conn).optional(),
        ItemKey::NoSuchId => Ok(None),
    }
}

pub fn slug_taken(conn: &mut DbConn, slug: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(categories::table.filter(categories::slug.eq(slug)))).get_result(conn)
}

pub fn has_children(conn: &mut DbConn, id: CategoryId) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(categories::table.filter(categories::parent_id.eq(id)))).get_result(conn)
}

pub fn insert(conn: &mut DbConn, row: &NewCategoryRow) -> QueryResult<CategoryRow> {
    crate::db::per_engine!(conn, |c| diesel::insert_into(categories::table)
        .values(row)
        .returning(CategoryRow::as_returning())
        .get_result(c))
}

pub fn update(conn: &mut DbConn, id: CategoryId, changes: &CategoryChanges) -> QueryResult<CategoryRow> {
    crate::db::per_engine!(conn, |c| diesel::update(categories::table.find(id))
        .set(changes)
        .returning(CategoryRow::as_returning())
        .get_result(c))
}

pub fn delete(conn: &mut DbConn, id: CategoryId) -> QueryResult<usize> {
    diesel::delete(categories::table.find(id)).execute(conn)
}
