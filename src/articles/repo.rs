//! Diesel queries for articles, their bylines and tags, retired slugs and the full-text index.

use chrono::NaiveDateTime;
use diesel::dsl;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Integer, Text, Timestamp};
use diesel::sqlite::Sqlite;

use crate::articles::dto::{AuthorRef, TagRef};
use crate::db::schema::{article_authors, article_slug_redirects, article_tags, articles, articles_fts, authors, tags};
use crate::db::DbConn;
use crate::domain::article_status::{ArticleStatus, Visibility};
use crate::domain::body::BodyFormat;
use crate::domain::ids::{ArticleId, AuthorId, CategoryId, TagId, UserId};
use crate::domain::key::ItemKey;
use crate::published::repo::{hidden, pending, unpublished_in, visible, ArticleCondition};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = articles)]
pub struct ArticleRow {
    pub id: ArticleId,
    pub slug: String,
    pub title: String,
    pub custom_excerpt: Option<String>,
    pub excerpt: String,
    pub body: String,
    pub body_format: BodyFormat,
    pub body_html: String,
    pub word_count: i32,
    pub reading_time_minutes: i32,
    pub cover_url: Option<String>,
    pub cover_caption: Option<String>,
    pub cover_credit: Option<String>,
    pub cover_alt: Option<String>,
    pub category_id: CategoryId,
    pub status: ArticleStatus,
    pub published_at: Option<NaiveDateTime>,
    pub view_count: i64,
    pub version: i32,
    pub created_by: Option<UserId>,
    pub updated_by: Option<UserId>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl ArticleRow {
    pub fn status(&self) -> ArticleStatus {
        self.status
    }

    pub fn is_visible(&self, now: NaiveDateTime) -> bool {
        self.status().is_visible(self.published_at, now)
    }
}

/// An article without its body: all that lists and feeds show. Reading it instead of the whole row
/// keeps several kilobytes of Markdown and HTML per item out of every list query.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = articles)]
pub struct SummaryRow {
    pub id: ArticleId,
    pub slug: String,
    pub title: String,
    pub excerpt: String,
    pub body_format: BodyFormat,
    pub word_count: i32,
    pub reading_time_minutes: i32,
    pub cover_url: Option<String>,
    pub cover_caption: Option<String>,
    pub cover_credit: Option<String>,
    pub cover_alt: Option<String>,
    pub category_id: CategoryId,
    pub status: ArticleStatus,
    pub published_at: Option<NaiveDateTime>,
    pub view_count: i64,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl SummaryRow {
    pub fn status(&self) -> ArticleStatus {
        self.status
    }
}

impl From<&ArticleRow> for SummaryRow {
    fn from(row: &ArticleRow) -> Self {
        SummaryRow {
            id: row.id,
            slug: row.slug.clone(),
            title: row.title.clone(),
            excerpt: row.excerpt.clone(),
            body_format: row.body_format,
            word_count: row.word_count,
            reading_time_minutes: row.reading_time_minutes,
            cover_url: row.cover_url.clone(),
            cover_caption: row.cover_caption.clone(),
            cover_credit: row.cover_credit.clone(),
            cover_alt: row.cover_alt.clone(),
            category_id: row.category_id,
            status: row.status,
            published_at: row.published_at,
            view_count: row.view_count,
            version: row.version,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

/// Every column a write sets. `None` stores NULL, so the struct replaces the whole article.
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = articles, treat_none_as_null = true)]
pub struct ArticleFields {
    pub slug: String,
    pub title: String,
    pub custom_excerpt: Option<String>,
    pub excerpt: String,
    pub body: String,
    pub body_format: BodyFormat,
    pub body_html: String,
    pub word_count: i32,
    pub reading_time_minutes: i32,
    pub cover_url: Option<String>,
    pub cover_caption: Option<String>,
    pub cover_credit: Option<String>,
    pub cover_alt: Option<String>,
    pub category_id: CategoryId,
    pub status: ArticleStatus,
    pub published_at: Option<NaiveDateTime>,
    pub updated_by: Option<UserId>,
    pub updated_at: NaiveDateTime,
}

pub fn find_by_key(conn: &mut DbConn, key: &ItemKey) -> QueryResult<Option<ArticleRow>> {
    let query = articles::table.select(ArticleRow::as_select());
    match key {
        ItemKey::Id(id) => query.find(ArticleId(*id)).first(conn).optional(),
        ItemKey::Slug(slug) => query.filter(articles::slug.eq(slug)).first(conn).optional(),
        ItemKey::NoSuchId => Ok(None),
    }
}

/// Just what visibility needs, without the body: for hot paths such as the view beacon.
pub fn status_of(conn: &mut DbConn, key: &ItemKey) -> QueryResult<Option<Visibility>> {
    let query = articles::table.select((articles::id, articles::status, articles::published_at));
    match key {
        ItemKey::Id(id) => query.find(ArticleId(*id)).first(conn).optional(),
        ItemKey::Slug(slug) => query.filter(articles::slug.eq(slug)).first(conn).optional(),
        ItemKey::NoSuchId => Ok(None),
    }
}

pub fn summaries_by_ids(conn: &mut DbConn, ids: &[ArticleId]) -> QueryResult<Vec<SummaryRow>> {
    articles::table.filter(articles::id.eq_any(ids)).select(SummaryRow::as_select()).load(conn)
}

pub fn by_ids(conn: &mut DbConn, ids: &[ArticleId]) -> QueryResult<Vec<ArticleRow>> {
    articles::table.filter(articles::id.eq_any(ids)).select(ArticleRow::as_select()).load(conn)
}

/// The article a retired slug now points to.
pub fn redirect_target(conn: &mut DbConn, slug: &str) -> QueryResult<Option<ArticleId>> {
    article_slug_redirects::table
        .filter(article_slug_redirects::slug.eq(slug))
        .select(article_slug_redirects::article_id)
        .first(conn)
        .optional()
}

pub fn add_redirect(conn: &mut DbConn, slug: &str, article: ArticleId) -> QueryResult<usize> {
    diesel::insert_into(article_slug_redirects::table)
        .values((article_slug_redirects::slug.eq(slug), article_slug_redirects::article_id.eq(article)))
        .on_conflict(article_slug_redirects::slug)
        .do_update()
        .set(article_slug_redirects::article_id.eq(article))
        .execute(conn)
}

pub fn remove_redirect(conn: &mut DbConn, slug: &str) -> QueryResult<usize> {
    diesel::delete(article_slug_redirects::table.filter(article_slug_redirects::slug.eq(slug))).execute(conn)
}

/// Whether a slug is in use, by an article or as a retired slug that still redirects.
pub fn slug_taken(conn: &mut DbConn, slug: &str) -> QueryResult<bool> {
    let live = diesel::select(diesel::dsl::exists(articles::table.filter(articles::slug.eq(slug)))).get_result(conn)?;
    Ok(live || redirect_target(conn, slug)?.is_some())
}

pub fn insert(conn: &mut DbConn, fields: &ArticleFields, by: UserId, at: NaiveDateTime) -> QueryResult<ArticleRow> {
    diesel::insert_into(articles::table)
        .values((fields, articles::created_by.eq(Some(by)), articles::created_at.eq(at), articles::version.eq(1)))
        .returning(ArticleRow::as_returning())
        .get_result(conn)
}

/// Writes `fields` if the article is still at `version`, and moves it to the next version.
pub fn update(
    conn: &mut DbConn,
    id: ArticleId,
    version: i32,
    fields: &ArticleFields,
) -> QueryResult<Option<ArticleRow>> {
    diesel::update(articles::table.find(id).filter(articles::version.eq(version)))
        .set((fields, articles::version.eq(articles::version + 1)))
        .returning(ArticleRow::as_returning())
        .get_result(conn)
        .optional()
}

pub fn delete(conn: &mut DbConn, id: ArticleId, version: i32) -> QueryResult<usize> {
    diesel::delete(articles::table.find(id).filter(articles::version.eq(version))).execute(conn)
}

pub fn set_bylines(conn: &mut DbConn, id: ArticleId, authors: &[AuthorId]) -> QueryResult<()> {
    diesel::delete(article_authors::table.filter(article_authors::article_id.eq(id))).execute(conn)?;
    let rows: Vec<_> = authors
        .iter()
        .enumerate()
        .map(|(i, author)| {
            (
                article_authors::article_id.eq(id),
                article_authors::author_id.eq(*author),
                article_authors::position.eq(i as i32),
            )
        })
        .collect();
    diesel::insert_into(article_authors::table).values(&rows).execute(conn)?;
    Ok(())
}

pub fn set_tags(conn: &mut DbConn, id: ArticleId, tag_ids: &[TagId]) -> QueryResult<()> {
    diesel::delete(article_tags::table.filter(article_tags::article_id.eq(id))).execute(conn)?;
    let rows: Vec<_> =
        tag_ids.iter().map(|tag| (article_tags::article_id.eq(id), article_tags::tag_id.eq(*tag))).collect();
    diesel::insert_into(article_tags::table).values(&rows).execute(conn)?;
    Ok(())
}

/// Bylines of the given articles, in byline order.
pub fn bylines_of(conn: &mut DbConn, ids: &[ArticleId]) -> QueryResult<Vec<(ArticleId, AuthorRef)>> {
    let rows: Vec<(ArticleId, AuthorId, String, String)> = article_authors::table
        .inner_join(authors::table)
        .filter(article_authors::article_id.eq_any(ids))
        .order((article_authors::article_id, article_authors::position))
        .select((article_authors::article_id, authors::id, authors::slug, authors::name))
        .load(conn)?;
    Ok(rows.into_iter().map(|(article, id, slug, name)| (article, AuthorRef { id, slug, name })).collect())
}

/// Tags of the given articles, by name.
pub fn tags_of(conn: &mut DbConn, ids: &[ArticleId]) -> QueryResult<Vec<(ArticleId, TagRef)>> {
    let rows: Vec<(ArticleId, TagId, String, String)> = article_tags::table
        .inner_join(tags::table)
        .filter(article_tags::article_id.eq_any(ids))
        .order((article_tags::article_id, tags::name_key))
        .select((article_tags::article_id, tags::id, tags::slug, tags::name))
        .load(conn)?;
    Ok(rows.into_iter().map(|(article, id, slug, name)| (article, TagRef { id, slug, name })).collect())
}

/// Replaces the article's entry in the full-text index.
pub fn index_text(conn: &mut DbConn, id: ArticleId, title: &str, excerpt: &str, body_text: &str) -> QueryResult<()> {
    unindex(conn, id)?;
    diesel::sql_query("INSERT INTO articles_fts (rowid, title, excerpt, body) VALUES (?, ?, ?, ?)")
        .bind::<Integer, _>(id.0)
        .bind::<Text, _>(title)
        .bind::<Text, _>(excerpt)
        .bind::<Text, _>(body_text)
        .execute(conn)?;
    Ok(())
}

pub fn unindex(conn: &mut DbConn, id: ArticleId) -> QueryResult<()> {
    diesel::sql_query("DELETE FROM articles_fts WHERE rowid = ?").bind::<Integer, _>(id.0).execute(conn)?;
    Ok(())
}

/// Visible articles related to `article`: those sharing a tag with it first, then those in its
/// category, newest first within each group, never the article itself.
pub fn related(conn: &mut DbConn, article: &ArticleRow, limit: i64, now: NaiveDateTime) -> QueryResult<Vec<ArticleId>> {
    let its_tags: Vec<TagId> =
        article_tags::table.filter(article_tags::article_id.eq(article.id)).select(article_tags::tag_id).load(conn)?;
    let sharing_a_tag =
        article_tags::table.filter(article_tags::tag_id.eq_any(its_tags)).select(article_tags::article_id);
    let mut ids: Vec<ArticleId> = articles::table
        .filter(visible::<articles::table>(now))
        .filter(articles::id.ne(article.id))
        .filter(articles::id.eq_any(sharing_a_tag))
        .order((articles::published_at.desc(), articles::id.desc()))
        .limit(limit)
        .select(articles::id)
        .load(conn)?;
    let missing = limit - ids.len() as i64;
    if missing > 0 {
        let candidates: Vec<ArticleId> = articles::table
            .filter(articles::category_id.eq(article.category_id))
            .filter(visible::<articles::table>(now))
            .filter(articles::id.ne(article.id))
            .order((articles::published_at.desc(), articles::id.desc()))
            .limit(limit)
            .select(articles::id)
            .load(conn)?;
        for candidate in candidates {
            if ids.len() as i64 >= limit {
                break;
            }
            if !ids.contains(&candidate) {
                ids.push(candidate);
            }
        }
    }
    Ok(ids)
}

/// When the next scheduled article becomes visible, if any is scheduled.
pub fn next_scheduled(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<Option<NaiveDateTime>> {
    articles::table.filter(pending::<articles::table>(now)).select(diesel::dsl::min(articles::published_at)).first(conn)
}

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

// The full-text index joins the articles it indexes by rowid, so that a search reads only them.
diesel::joinable!(articles_fts -> articles (rowid));
diesel::allow_tables_to_appear_in_same_query!(articles_fts, articles);
diesel::allow_tables_to_appear_in_same_query!(articles_fts, article_authors);
diesel::allow_tables_to_appear_in_same_query!(articles_fts, article_tags);

/// What a search lists from: the full-text index joined to the articles it matches.
type Searched = diesel::helper_types::InnerJoinQuerySource<articles_fts::table, articles::table>;

/// The articles a byline names.
type BylinedBy = dsl::Select<
    dsl::Filter<article_authors::table, dsl::Eq<article_authors::author_id, AuthorId>>,
    article_authors::article_id,
>;
/// The articles a tag names.
type TaggedWith =
    dsl::Select<dsl::Filter<article_tags::table, dsl::Eq<article_tags::tag_id, TagId>>, article_tags::article_id>;

/// `articles_fts MATCH ?`: FTS5's own operator, which Diesel does not know.
fn fts_match(search: &str) -> ArticleCondition<Searched> {
    Box::new(dsl::sql::<Bool>("articles_fts MATCH ").bind::<Text, _>(search.to_owned()))
}

/// Runs `$body` with `$query` bound to the filtered list query (`SELECT * FROM ... WHERE ...`,
/// boxed), from the full-text index when there is a search. The two FROM clauses are two types, so
/// the body is written once and compiled for each.
macro_rules! with_list_query {
    ($filter:expr, $query:ident => $body:expr) => {
        match &$filter.search {
            None => {
                let mut $query = articles::table.into_boxed();
                for condition in $filter.conditions::<articles::table>() {
                    $query = $query.filter(condition);
                }
                $body
            }
            Some(search) => {
                let mut $query = articles_fts::table.inner_join(articles::table).into_boxed().filter(fts_match(search));
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

/// `$query` in the filter's order. A macro for the reason `with_list_query` is one.
macro_rules! ordered {
    ($filter:expr, $query:expr) => {{
        let query = $query;
        let newest = (articles::published_at.desc(), articles::id.desc());
        match ($filter.sort, &$filter.search) {
            (Sort::Newest, _) | (Sort::Relevance, None) => query.order_by(newest),
            (Sort::Oldest, _) => query.order_by((articles::published_at.asc(), articles::id.asc())),
            (Sort::Title, _) => query.order_by((articles::title.asc(), articles::id.asc())),
            (Sort::MostViewed, _) => query.order_by((articles::view_count.desc(), articles::id.desc())),
            // Articles whose title matches come first; within each tier bm25 weighs the title
            // most, then the excerpt, then the body. FTS5's functions, spelled in its SQL.
            (Sort::Relevance, Some(search)) => {
                let title_misses =
                    dsl::sql::<Bool>("articles.id NOT IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ")
                        .bind::<Text, _>(format!("title : ({search})"))
                        .sql(" AND rowid >= ")
                        .bind::<Integer, _>($filter.search_floor.unwrap_or(0))
                        .sql(")");
                let rank = dsl::sql::<diesel::sql_types::Double>("bm25(articles_fts, 10.0, 4.0, 1.0)");
                query.order_by((title_misses, rank, newest.0, newest.1))
            }
        }
    }};
}

impl ArticleFilter {
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
            Scope::Public => conditions.push(visible(now)),
            Scope::VisibleAndOwn(user) => {
                conditions.push(Box::new(visible::<QS>(now).or(articles::created_by.assume_not_null().eq(user))))
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
                    ArticleStatus::Published => visible::<QS>(now),
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
    pub fn limit_search(&mut self, conn: &mut DbConn) -> QueryResult<()> {
        let Some(search) = &self.search else { return Ok(()) };
        self.search_floor = None;
        let mut query = articles_fts::table.inner_join(articles::table).into_boxed().filter(fts_match(search));
        for condition in self.conditions::<Searched>() {
            query = query.filter(condition);
        }
        let newest: Vec<ArticleId> =
            query.order(articles_fts::rowid.desc()).limit(SEARCH_CANDIDATES).select(articles::id).load(conn)?;
        // No match at all: a floor above every id keeps the page and the count empty.
        self.search_floor = Some(newest.iter().map(|id| id.0).min().unwrap_or(i32::MAX));
        Ok(())
    }

    pub fn page(&self, conn: &mut DbConn, limit: i64, offset: i64) -> QueryResult<Vec<ArticleId>> {
        with_list_query!(self, query => ordered!(self, query).select(articles::id).limit(limit).offset(offset).load(conn))
    }

    pub fn count(&self, conn: &mut DbConn) -> QueryResult<i64> {
        if let Scope::VisibleAndOwn(user) = self.scope {
            // Counted in two parts that each have an index, instead of one OR that scans the table.
            let part = |scope| ArticleFilter { scope, ..self.clone() };
            return Ok(part(Scope::Public).count(conn)? + part(Scope::OwnHidden(user)).count(conn)?);
        }
        with_list_query!(self, query => query.count().get_result(conn))
    }

    /// What identifies the total of this filter (everything but the order), for caching it: the
    /// SQL of its count with the bind values.
    pub fn total_key(&self) -> String {
        with_list_query!(self, query => diesel::debug_query::<Sqlite, _>(&query.count()).to_string())
    }

    /// `EXPLAIN QUERY PLAN` of the page and count queries, one detail line each, for tests.
    #[cfg(test)]
    fn query_plans(&self, conn: &mut DbConn) -> Vec<String> {
        use crate::db::tests::query_plan;
        let mut steps = with_list_query!(self, query => query_plan(conn, ordered!(self, query).select(articles::id).limit(20).offset(0)));
        let count_parts = match self.scope {
            Scope::VisibleAndOwn(user) => vec![Scope::Public, Scope::OwnHidden(user)],
            scope => vec![scope],
        };
        for scope in count_parts {
            let part = ArticleFilter { scope, ..self.clone() };
            steps.extend(with_list_query!(part, query => query_plan(conn, query.count())));
        }
        steps
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::tests::memory_conn;
    use diesel::connection::SimpleConnection;

    /// A full scan of a table reads as `SCAN a` (or `SCAN articles`) with no index named.
    fn full_scans(plan: &[String]) -> Vec<String> {
        plan.iter()
            .filter(|step| {
                let step = step.trim();
                (step.starts_with("SCAN a") || step.starts_with("SCAN articles") || step.starts_with("SCAN article_"))
                    && !step.contains("USING")
                    && !step.contains("VIRTUAL TABLE")
            })
            .cloned()
            .collect()
    }

    #[test]
    fn no_list_query_scans_the_whole_articles_table() {
        let conn = &mut memory_conn();
        // An archive with realistic proportions and row sizes: mostly published, some drafts, few
        // categories, many authors and tags, bodies of a few kilobytes. Like a production database it
        // has no planner statistics: Warta never runs ANALYZE, because SQLite's cost model, which
        // does not see how wide article rows are, would then prefer scanning the table to counting
        // along the small partial indexes.
        conn.batch_execute(
            "CREATE TEMP TABLE seq (value INTEGER PRIMARY KEY);
             WITH RECURSIVE n(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM n WHERE v < 5000) INSERT INTO seq SELECT v FROM n;
             INSERT INTO categories (id, slug, name, position, created_at, updated_at)
                 SELECT value, 'c' || value, 'C' || value, 0, '2024-01-01', '2024-01-01' FROM seq WHERE value <= 20;
             INSERT INTO users (id, email, email_key, name, role, password_hash, created_at, updated_at)
                 SELECT value, value || '@x', value || '@x', 'U', 'writer', 'x', '2024-01-01', '2024-01-01' FROM seq WHERE value <= 30;
             INSERT INTO authors (id, slug, name, created_at, updated_at)
                 SELECT value, 'a' || value, 'A' || value, '2024-01-01', '2024-01-01' FROM seq WHERE value <= 200;
             INSERT INTO tags (id, slug, name, name_key, created_at, updated_at)
                 SELECT value, 't' || value, 'T' || value, 't' || value, '2024-01-01', '2024-01-01' FROM seq WHERE value <= 500;
             INSERT INTO articles (id, slug, title, excerpt, body, body_format, body_html, word_count,
                     reading_time_minutes, category_id, status, published_at, view_count, version, created_by,
                     created_at, updated_at)
                 SELECT value, 's' || value, 'Judul ' || (value * 7919 % 5000), 'e', hex(randomblob(2000)), 'markdown',
                     hex(randomblob(2500)), 600, 3,
                     1 + value % 20, CASE WHEN value % 10 = 0 THEN 'draft' WHEN value % 50 = 1 THEN 'scheduled' ELSE 'published' END,
                     datetime('2020-01-01', '+' || (value * 17) || ' minutes'), value % 997, 1, 1 + value % 30,
                     '2020-01-01', '2020-01-01'
                 FROM seq WHERE value <= 5000;
             INSERT INTO article_authors SELECT value, 1 + value % 200, 0 FROM seq WHERE value <= 5000;
             INSERT INTO article_tags SELECT value, 1 + value % 500 FROM seq WHERE value <= 5000;
             INSERT INTO articles_fts (rowid, title, excerpt, body) SELECT id, title, excerpt, body FROM articles;",
        )
        .expect("sample archive");
        let now = crate::domain::time::now();
        let scopes = [Scope::Public, Scope::VisibleAndOwn(UserId(1)), Scope::All];
        let sorts = [Sort::Newest, Sort::Oldest, Sort::Title, Sort::MostViewed, Sort::Relevance];
        let mut failures = Vec::new();
        for scope in scopes {
            for sort in sorts {
                let variants = [
                    (None, None, None, None, None),
                    (Some(vec![CategoryId(1), CategoryId(2)]), None, None, None, None),
                    (None, Some(AuthorId(1)), None, None, None),
                    (None, None, Some(TagId(1)), None, None),
                    (None, None, None, Some("\"rudal\"".to_owned()), None),
                    (None, None, None, None, Some(vec![ArticleStatus::Draft, ArticleStatus::Review])),
                ];
                for (categories, author, tag, search, statuses) in variants {
                    let mut filter = ArticleFilter {
                        scope,
                        statuses,
                        categories,
                        author,
                        tag,
                        search,
                        sort,
                        before: None,
                        search_floor: None,
                        now,
                    };
                    filter.limit_search(conn).expect("search floor");
                    let plan = filter.query_plans(conn);
                    let scans = full_scans(&plan);
                    if std::env::var_os("SHOW_PLANS").is_some() {
                        eprintln!(
                            "{scope:?} {sort:?} {:?} {:?} {:?}: {plan:?}",
                            filter.categories, filter.author, filter.statuses
                        );
                    }
                    if !scans.is_empty() {
                        failures.push(format!("{filter:?}\n  {}\n  plan: {plan:?}", scans.join("; ")));
                    }
                }
            }
        }
        assert!(failures.is_empty(), "full scans of articles:\n{}", failures.join("\n"));
    }
}
