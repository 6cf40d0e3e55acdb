//! Full-text search over articles on either engine: the index the writes keep (`articles_fts`),
//! and what the list query needs to search it. SQLite: FTS5 with `unicode61 remove_diacritics`.
//! PostgreSQL: a stored `tsvector` over `warta_unaccent(lower(..))` with a GIN index (see its
//! migration), title weighted A, excerpt B, body C. The search itself arrives as FTS5 spells it,
//! every word quoted (`service::fts_query`); PostgreSQL gets the same words.

use diesel::dsl;
use diesel::expression::SqlLiteral;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Double, Integer, Text};

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

/// For ordering by relevance: true (after false) for the articles whose title lacks a word of the
/// search, among the matches from `floor` on.
pub(super) fn title_misses<QS>(search: &str, floor: i32, engine: Engine) -> OrderTerm<QS, Bool> {
    let (head, words_query, close) = match engine {
        Engine::Sqlite => (
            "articles.id NOT IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ",
            format!("title : ({search})"),
            "",
        ),
        // `word:A`: the word in the title, which the index weighs A.
        Engine::Postgres => (
            "articles.id NOT IN (SELECT rowid FROM articles_fts WHERE articles_fts.document @@ \
             to_tsquery('simple', warta_unaccent(lower(",
            words(search).iter().map(|w| format!("'{w}':A")).collect::<Vec<_>>().join(" & "),
            ")))",
        ),
    };
    Box::new(
        dsl::sql::<Bool>(head)
            .bind::<Text, _>(words_query)
            .sql(&format!("{close} AND rowid >= "))
            .bind::<Integer, _>(floor)
            .sql(")"),
    )
}

/// For ordering by relevance on SQLite, lower first: bm25 weighs the title most, then the
/// excerpt, then the body. FTS5's function, spelled in its SQL.
pub(super) fn sqlite_rank() -> SqlLiteral<Double> {
    dsl::sql::<Double>("bm25(articles_fts, 10.0, 4.0, 1.0)")
}

/// The same on PostgreSQL: ts_rank is higher for better matches, so its negative sorts first;
/// its weights are listed D, C, B, A.
pub(super) fn postgres_rank<QS>(search: &str) -> OrderTerm<QS, Double> {
    Box::new(
        dsl::sql::<Double>(&format!("CAST(-ts_rank('{{0, 0.1, 0.4, 1.0}}', articles_fts.document, {PG_ALL_WORDS}"))
            .bind::<Text, _>(words(search).join(" "))
            .sql(")))) AS DOUBLE PRECISION)"),
    )
}
