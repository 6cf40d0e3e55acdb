//! SQLite's full-text search (FTS5) over articles: the index the writes keep, and what the list
//! query needs to search it. FTS5 is SQLite's own; a PostgreSQL backend would put its search here.

use diesel::dsl;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};

use crate::db::schema::{article_authors, article_tags, articles, articles_fts};
use crate::db::DbConn;
use crate::domain::ids::ArticleId;
use crate::published::repo::ArticleCondition;

/// Replaces the article's entry in the full-text index.
pub fn index_text(conn: &mut DbConn, id: ArticleId, title: &str, excerpt: &str, body_text: &str) -> QueryResult<()> {
    unindex(conn, id)?;
    diesel::insert_into(articles_fts::table)
        .values((
            articles_fts::rowid.eq(id.0),
            articles_fts::title.eq(title),
            articles_fts::excerpt.eq(excerpt),
            articles_fts::body.eq(body_text),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn unindex(conn: &mut DbConn, id: ArticleId) -> QueryResult<()> {
    diesel::delete(articles_fts::table.filter(articles_fts::rowid.eq(id.0))).execute(conn)?;
    Ok(())
}

// The full-text index joins the articles it indexes by rowid, so that a search reads only them.
diesel::joinable!(articles_fts -> articles (rowid));
diesel::allow_tables_to_appear_in_same_query!(articles_fts, articles);
diesel::allow_tables_to_appear_in_same_query!(articles_fts, article_authors);
diesel::allow_tables_to_appear_in_same_query!(articles_fts, article_tags);

/// What a search lists from: the full-text index joined to the articles it matches.
pub(super) type Searched = diesel::helper_types::InnerJoinQuerySource<articles_fts::table, articles::table>;

/// `articles_fts MATCH ?`: FTS5's own operator, which Diesel does not know.
pub(super) fn fts_match(search: &str) -> ArticleCondition<Searched> {
    Box::new(dsl::sql::<Bool>("articles_fts MATCH ").bind::<Text, _>(search.to_owned()))
}
