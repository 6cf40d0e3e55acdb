//! The article list: who may see what (`Scope`), the filters of `GET /articles` and the feeds, their
//! order, one page of ids and the total. Written once in Diesel's boxed DSL for both FROM clauses
//! (the articles, or the full-text index joined to them).

use chrono::NaiveDateTime;
use diesel::dsl;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Integer, Timestamp};

use crate::articles::repo::search::{fts_match, misses_in, Searched, Tier};
use crate::db::schema::{article_authors, article_tags, articles, articles_fts};
use crate::db::{DbConn, Engine};
use crate::domain::article_status::ArticleStatus;
use crate::domain::ids::{ArticleId, AuthorId, CategoryId, TagId, UserId};
use crate::published::repo::{hidden, pending, unpublished_in, visible, ArticleCondition};

/// Who may be listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Visible articles only.
    Public,
    /// Visible articles and the writer's own.
    VisibleAndOwn(UserId),
    /// The writer's own articles that are not visible: the part `VisibleAndOwn` adds to `Public`.
    OwnHidden(UserId),
    /// Everything (editors and admins).
    All,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    Newest,
    Oldest,
    Title,
    MostViewed,
    /// Best full-text match first (only with a search).
    Relevance,
}

/// A list query: who asks, which articles, in which order.
#[derive(Debug, Clone)]
pub struct ArticleFilter {
    pub scope: Scope,
    /// Effective statuses to keep; `None` keeps every status the scope allows.
    pub statuses: Option<Vec<ArticleStatus>>,
    pub categories: Option<Vec<CategoryId>>,
    pub author: Option<AuthorId>,
    pub tag: Option<TagId>,
    /// An FTS5 query, already made safe (see `service::fts_query`).
    pub search: Option<String>,
    pub sort: Sort,
    /// Keyset paging for feeds: only articles after this (published_at, id) in newest-first order.
    pub before: Option<(NaiveDateTime, ArticleId)>,
    /// With a search: the lowest id among the newest `SEARCH_CANDIDATES` matches (see `limit_search`).
    pub search_floor: Option<i32>,
    pub now: NaiveDateTime,
}

/// A search ranks (and counts) at most this many of the newest matching articles, so that a phrase
/// found in most of the archive costs no more than a rare one.
pub const SEARCH_CANDIDATES: i64 = 1_000;

/// The articles a byline names.
type BylinedBy = dsl::Select<
    dsl::Filter<article_authors::table, dsl::Eq<article_authors::author_id, AuthorId>>,
    article_authors::article_id,
>;
/// The articles a tag names.
type TaggedWith =
    dsl::Select<dsl::Filter<article_tags::table, dsl::Eq<article_tags::tag_id, TagId>>, article_tags::article_id>;

/// Runs `$body` with `$query` bound to the filtered list query (`SELECT * FROM ... WHERE ...`,
/// boxed), from the full-text index when there is a search. The two FROM clauses are two types, so
/// the body is written once and compiled for each.
macro_rules! with_list_query {
    ($filter:expr, $engine:expr, $query:ident => $body:expr) => {
        match &$filter.search {
            None => {
                let mut $query = articles::table.into_boxed();
                for condition in $filter.conditions::<articles::table>() {
                    $query = $query.filter(condition);
                }
                $body
            }
            Some(search) => {
                let mut $query =
                    articles_fts::table.inner_join(articles::table).into_boxed().filter(fts_match(search, $engine));
                if let Some(floor) = $filter.search_floor {
                    $query = $query.filter(articles_fts::rowid.ge(floor));
                }
                for condition in $filter.conditions::<Searched>() {
                    $query = $query.filter(condition);
                }
                $body
            }
        }
    };
}

/// `$query` in the filter's order. A macro for the reason `with_list_query` is one. Unpublished
/// articles (no `published_at`) come last newest-first and first oldest-first on both engines:
/// SQLite's default, spelled out for PostgreSQL, whose default is the reverse (Diesel's
/// `nulls_last` is not available across engines).
macro_rules! ordered {
    ($filter:expr, $engine:expr, $query:expr) => {{
        let query = $query;
        let newest = (articles::published_at.desc(), articles::id.desc());
        let pg_newest = (dsl::sql::<Bool>("articles.published_at DESC NULLS LAST"), articles::id.desc());
        match ($filter.sort, &$filter.search, $engine) {
            (Sort::Newest, _, Engine::Sqlite) | (Sort::Relevance, None, Engine::Sqlite) => query.order_by(newest),
            (Sort::Newest, _, Engine::Postgres) | (Sort::Relevance, None, Engine::Postgres) => {
                query.order_by(pg_newest)
            }
            (Sort::Oldest, _, Engine::Sqlite) => query.order_by((articles::published_at.asc(), articles::id.asc())),
            (Sort::Oldest, _, Engine::Postgres) => {
                query.order_by((dsl::sql::<Bool>("articles.published_at ASC NULLS FIRST"), articles::id.asc()))
            }
            (Sort::Title, _, _) => query.order_by((articles::title.asc(), articles::id.asc())),
            (Sort::MostViewed, _, _) => query.order_by((articles::view_count.desc(), articles::id.desc())),
            // Articles whose title has every word come first, then those whose excerpt has them,
            // each tier newest first (see `misses_in`).
            (Sort::Relevance, Some(search), engine) => {
                let floor = $filter.search_floor.unwrap_or(0);
                let tiers =
                    (misses_in(Tier::Title, search, floor, engine), misses_in(Tier::Excerpt, search, floor, engine));
                match engine {
                    Engine::Sqlite => query.order_by((tiers.0, tiers.1, newest.0, newest.1)),
                    Engine::Postgres => query.order_by((tiers.0, tiers.1, pg_newest.0, pg_newest.1)),
                }
            }
        }
    }};
}

impl ArticleFilter {
    /// What readers see, newest first (in `categories` when given), as the feeds list it.
    pub fn newest_visible(
        categories: Option<Vec<CategoryId>>,
        before: Option<(NaiveDateTime, ArticleId)>,
        now: NaiveDateTime,
    ) -> ArticleFilter {
        ArticleFilter {
            scope: Scope::Public,
            statuses: None,
            categories,
            author: None,
            tag: None,
            search: None,
            sort: Sort::Newest,
            before,
            search_floor: None,
            now,
        }
    }

    /// The conditions of the filter but the search's own. Typed values are bound; the visibility
    /// and status conditions repeat the partial indexes' literals (see `published::repo`).
    fn conditions<QS: 'static>(&self) -> Vec<ArticleCondition<QS>>
    where
        articles::id: SelectableExpression<QS>,
        articles::status: SelectableExpression<QS>,
        articles::published_at: SelectableExpression<QS>,
        dsl::AssumeNotNull<articles::published_at>: SelectableExpression<QS>,
        dsl::AssumeNotNull<articles::created_by>: SelectableExpression<QS>,
        articles::category_id: SelectableExpression<QS>,
        dsl::EqAny<articles::id, BylinedBy>: SelectableExpression<QS>,
        dsl::EqAny<articles::id, TaggedWith>: SelectableExpression<QS>,
    {
        let now = self.now;
        let mut conditions: Vec<ArticleCondition<QS>> = Vec::new();
        match self.scope {
            Scope::Public => conditions.push(Box::new(visible(now))),
            Scope::VisibleAndOwn(user) => {
                conditions.push(Box::new(visible(now).or(articles::created_by.assume_not_null().eq(user))))
            }
            Scope::OwnHidden(user) => {
                conditions.push(Box::new(articles::created_by.assume_not_null().eq(user)));
                conditions.push(hidden(now));
            }
            Scope::All => {}
        }
        if let Some(statuses) = &self.statuses {
            let any = statuses
                .iter()
                .map(|status| match status {
                    ArticleStatus::Published => Box::new(visible(now)),
                    ArticleStatus::Scheduled => pending(now),
                    other => unpublished_in(*other),
                })
                .reduce(|any, next| Box::new(any.or(next)));
            conditions.push(any.unwrap_or_else(|| Box::new(false.into_sql::<Bool>())));
        }
        if let Some(categories) = &self.categories {
            conditions.push(Box::new(articles::category_id.eq_any(categories.clone())));
        }
        if let Some(author) = self.author {
            let bylined: BylinedBy = article_authors::table
                .filter(article_authors::author_id.eq(author))
                .select(article_authors::article_id);
            conditions.push(Box::new(articles::id.eq_any(bylined)));
        }
        if let Some(tag) = self.tag {
            let tagged: TaggedWith =
                article_tags::table.filter(article_tags::tag_id.eq(tag)).select(article_tags::article_id);
            conditions.push(Box::new(articles::id.eq_any(tagged)));
        }
        if let Some((published_at, id)) = self.before {
            // A row value, which SQLite walks along the (published_at DESC, id DESC) index from
            // the cursor on; Diesel has no row values.
            conditions.push(Box::new(
                dsl::sql::<Bool>("(articles.published_at, articles.id) < (")
                    .bind::<Timestamp, _>(published_at)
                    .sql(", ")
                    .bind::<Integer, _>(id.0)
                    .sql(")"),
            ));
        }
        conditions
    }

    /// Bounds a search to its newest `SEARCH_CANDIDATES` matches. FTS5 walks its matches from the
    /// highest rowid down and stops there, so this costs the same however common the phrase is.
    /// Returns how many matched, which is the search's total: the floor admits exactly the
    /// matches found, so counting them again would only repeat this query.
    pub fn limit_search(&mut self, conn: &mut DbConn) -> QueryResult<Option<i64>> {
        let Some(search) = &self.search else { return Ok(None) };
        self.search_floor = None;
        let mut query =
            articles_fts::table.inner_join(articles::table).into_boxed().filter(fts_match(search, conn.engine()));
        for condition in self.conditions::<Searched>() {
            query = query.filter(condition);
        }
        let newest: Vec<ArticleId> =
            query.order(articles_fts::rowid.desc()).limit(SEARCH_CANDIDATES).select(articles::id).load(conn)?;
        // No match at all: a floor above every id keeps the page and the count empty.
        self.search_floor = Some(newest.iter().map(|id| id.0).min().unwrap_or(i32::MAX));
        Ok(Some(newest.len() as i64))
    }

    pub fn page(&self, conn: &mut DbConn, limit: i64, offset: i64) -> QueryResult<Vec<ArticleId>> {
        let engine = conn.engine();
        with_list_query!(self, engine, query => ordered!(self, engine, query).select(articles::id).limit(limit).offset(offset).load(conn))
    }

    pub fn count(&self, conn: &mut DbConn) -> QueryResult<i64> {
        if let Scope::VisibleAndOwn(user) = self.scope {
            // Counted in two parts that each have an index, instead of one OR that scans the table.
            let part = |scope| ArticleFilter { scope, ..self.clone() };
            return Ok(part(Scope::Public).count(conn)? + part(Scope::OwnHidden(user)).count(conn)?);
        }
        let engine = conn.engine();
        with_list_query!(self, engine, query => query.count().get_result(conn))
    }

    /// What identifies the total of this filter (everything but the order), for caching it: every
    /// field that decides which articles match, spelled out.
    pub fn total_key(&self) -> String {
        format!("{:?}", ArticleFilter { sort: Sort::Newest, ..self.clone() })
    }

    /// `EXPLAIN QUERY PLAN` of the page and count queries, one detail line each, for tests.
    #[cfg(test)]
    pub(super) fn query_plans(&self, conn: &mut DbConn) -> Vec<String> {
        use crate::db::tests::query_plan;
        let engine = conn.engine();
        let mut steps = with_list_query!(self, engine, query => {
            query_plan(conn, ordered!(self, engine, query).select(articles::id).limit(20).offset(0))
        });
        let count_parts = match self.scope {
            Scope::VisibleAndOwn(user) => vec![Scope::Public, Scope::OwnHidden(user)],
            scope => vec![scope],
        };
        for scope in count_parts {
            let part = ArticleFilter { scope, ..self.clone() };
            steps.extend(with_list_query!(part, engine, query => query_plan(conn, query.count())));
        }
        steps
    }
}
