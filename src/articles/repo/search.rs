//! Full-text search over articles on either engine: the index the writes keep (`articles_fts`),
//! and what the list query needs to search it. SQLite: FTS5 with `unicode61 remove_diacritics`.
//! PostgreSQL: a stored `tsvector` over `warta_unaccent(lower(..))` with a GIN index (see its
//! migration), title weighted A, excerpt B, body C. The search itself arrives as FTS5 spells it,
//! every word quoted (`service::fts_query`); PostgreSQL gets the same words.

use diesel::dsl;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Integer, Text};

use crate::db::schema::{article_authors, article_tags, articles, articles_fts};
use crate::db::{DbConn, Engine};
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

/// A term of an ORDER BY whose SQL is spelled per engine, for a query reading `QS`.
pub(super) type OrderTerm<QS, T> = Box<dyn BoxableExpression<QS, crate::db::Backend, SqlType = T>>;

/// The words of a search as `service::fts_query` quotes them: alphanumeric runs, no quotes inside.
fn words(search: &str) -> Vec<&str> {
    search.split('"').map(str::trim).filter(|w| !w.is_empty()).collect()
}

/// Every word of the search, folded as PostgreSQL's index folds text.
const PG_ALL_WORDS: &str = "plainto_tsquery('simple', warta_unaccent(lower(";

/// Whether an article matches every word of the search.
pub(super) fn fts_match(search: &str, engine: Engine) -> ArticleCondition<Searched> {
    match engine {
        // FTS5's own operator, which Diesel does not know.
        Engine::Sqlite => Box::new(dsl::sql::<Bool>("articles_fts MATCH ").bind::<Text, _>(search.to_owned())),
        Engine::Postgres => Box::new(
            dsl::sql::<Bool>(&format!("articles_fts.document @@ {PG_ALL_WORDS}"))
                .bind::<Text, _>(words(search).join(" "))
                .sql(")))"),
        ),
    }
}

/// The fields a search ranks by, best first: an article with every word of the search in its
/// title, then one with every word in its excerpt, then the rest (the words are in the body).
#[derive(Debug, Clone, Copy)]
pub(super) enum Tier {
    Title,
    Excerpt,
}

impl Tier {
    fn column(self) -> &'static str {
        match self {
            Tier::Title => "title",
            Tier::Excerpt => "excerpt",
        }
    }
}

/// For ordering by relevance: true (after false) for the articles whose `tier` field lacks a word
/// of the search, among the matches from `floor` on. Relevance is these tiers, then the newest
/// first, as WordPress orders its search: no per-document score, because both engines' scores
/// (bm25 needs each word's count of documents over the whole index, ts_rank each candidate's
/// whole stored vector) cost a search time in proportion to the archive, and the tiers give the
/// same answers on both engines.
pub(super) fn misses_in<QS>(tier: Tier, search: &str, floor: i32, engine: Engine) -> OrderTerm<QS, Bool> {
    match engine {
        // The FTS5 index of the one column, from the floor on: a short walk of its doclist.
        Engine::Sqlite => Box::new(
            dsl::sql::<Bool>("articles.id NOT IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ")
                .bind::<Text, _>(format!("{} : ({search})", tier.column()))
                .sql(" AND rowid >= ")
                .bind::<Integer, _>(floor)
                .sql(")"),
        ),
        // The field's own words, folded as the index folds them: a short text, where the stored
        // vector of the whole article would be read from its TOAST table for every candidate.
        Engine::Postgres => Box::new(
            dsl::sql::<Bool>(&format!(
                "NOT (to_tsvector('simple', warta_unaccent(lower(articles_fts.{}))) @@ {PG_ALL_WORDS}",
                tier.column()
            ))
            .bind::<Text, _>(words(search).join(" "))
            .sql("))))"),
        ),
    }
}
