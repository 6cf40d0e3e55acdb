//! Diesel queries for articles, their bylines and tags, retired slugs and the full-text index.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text, Timestamp};
use diesel::sqlite::Sqlite;

use crate::articles::dto::{AuthorRef, TagRef};
use crate::db::schema::{article_authors, article_slug_redirects, article_tags, articles, authors, tags};
use crate::db::DbConn;
use crate::domain::article_status::{ArticleStatus, Visibility, LIVE_SQL, UNPUBLISHED_SQL};
use crate::domain::body::BodyFormat;
use crate::domain::ids::{ArticleId, AuthorId, CategoryId, TagId, UserId};
use crate::domain::key::ItemKey;

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

fn visible_sql() -> String {
    format!("(a.status IN {LIVE_SQL} AND a.published_at <= ?)")
}

/// Visible articles related to `article`: those sharing a tag with it first, then those in its
/// category, newest first within each group, never the article itself.
pub fn related(conn: &mut DbConn, article: &ArticleRow, limit: i64, now: NaiveDateTime) -> QueryResult<Vec<ArticleId>> {
    #[derive(QueryableByName)]
    struct Id {
        #[diesel(sql_type = Integer)]
        id: i32,
    }
    let visible = visible_sql();
    let sharing_tags = format!(
        "SELECT a.id AS id FROM articles a
         WHERE {visible} AND a.id <> ? AND a.id IN (
             SELECT t.article_id FROM article_tags t
             WHERE t.tag_id IN (SELECT tag_id FROM article_tags WHERE article_id = ?))
         ORDER BY a.published_at DESC, a.id DESC LIMIT ?"
    );
    let mut ids: Vec<ArticleId> = diesel::sql_query(sharing_tags)
        .bind::<Timestamp, _>(now)
        .bind::<Integer, _>(article.id.0)
        .bind::<Integer, _>(article.id.0)
        .bind::<BigInt, _>(limit)
        .load::<Id>(conn)?
        .into_iter()
        .map(|r| ArticleId(r.id))
        .collect();
    let missing = limit - ids.len() as i64;
    if missing > 0 {
        let same_category = format!(
            "SELECT a.id AS id FROM articles a
             WHERE a.category_id = ? AND {visible} AND a.id <> ?
             ORDER BY a.published_at DESC, a.id DESC LIMIT ?"
        );
        let candidates: Vec<Id> = diesel::sql_query(same_category)
            .bind::<Integer, _>(article.category_id.0)
            .bind::<Timestamp, _>(now)
            .bind::<Integer, _>(article.id.0)
            .bind::<BigInt, _>(limit)
            .load(conn)?;
        for candidate in candidates.into_iter().map(|r| ArticleId(r.id)) {
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
    #[derive(QueryableByName)]
    struct Next {
        #[diesel(sql_type = diesel::sql_types::Nullable<Timestamp>)]
        at: Option<NaiveDateTime>,
    }
    let sql = format!(
        "SELECT MIN(a.published_at) AS at FROM articles a
         WHERE a.status IN {LIVE_SQL} AND a.status = 'scheduled' AND a.published_at > ?"
    );
    Ok(diesel::sql_query(sql).bind::<Timestamp, _>(now).get_result::<Next>(conn)?.at)
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

enum Bind {
    Time(NaiveDateTime),
    Text(String),
    Int(i32),
}

impl ArticleFilter {
    /// `FROM ... WHERE ...` and its bind values. Ids and statuses are typed values written into the
    /// SQL; everything from the client (the search text) is bound. The visibility condition is
    /// spelled exactly like the partial indexes' so that SQLite can use them.
    fn sql_parts(&self) -> (String, Vec<Bind>) {
        let mut binds = Vec::new();
        let mut conditions = Vec::new();
        let from = if let Some(search) = &self.search {
            conditions.push("articles_fts MATCH ?".to_owned());
            binds.push(Bind::Text(search.clone()));
            "articles_fts JOIN articles a ON a.id = articles_fts.rowid"
        } else {
            "articles a"
        };
        match self.scope {
            Scope::Public => {
                conditions.push(visible_sql());
                binds.push(Bind::Time(self.now));
            }
            Scope::VisibleAndOwn(user) => {
                conditions.push(format!("({} OR a.created_by = ?)", visible_sql()));
                binds.push(Bind::Time(self.now));
                binds.push(Bind::Int(user.0));
            }
            Scope::OwnHidden(user) => {
                conditions.push(format!(
                    "a.created_by = ? AND (a.status NOT IN {LIVE_SQL} OR a.published_at IS NULL OR a.published_at > ?)"
                ));
                binds.push(Bind::Int(user.0));
                binds.push(Bind::Time(self.now));
            }
            Scope::All => {}
        }
        if let Some(statuses) = &self.statuses {
            let mut any = Vec::new();
            for status in statuses {
                match status {
                    ArticleStatus::Published => {
                        any.push(visible_sql());
                        binds.push(Bind::Time(self.now));
                    }
                    // Each status repeats its partial index's condition, so that index can serve it.
                    ArticleStatus::Scheduled => {
                        any.push(format!("(a.status IN {LIVE_SQL} AND a.status = 'scheduled' AND a.published_at > ?)"));
                        binds.push(Bind::Time(self.now));
                    }
                    other => any.push(format!("(a.status IN {UNPUBLISHED_SQL} AND a.status = '{}')", other.as_str())),
                }
            }
            conditions.push(if any.is_empty() { "0".to_owned() } else { format!("({})", any.join(" OR ")) });
        }
        if let Some(categories) = &self.categories {
            let ids: Vec<String> = categories.iter().map(|c| c.0.to_string()).collect();
            conditions.push(format!("a.category_id IN ({})", ids.join(", ")));
        }
        if let Some(author) = self.author {
            conditions.push(format!("a.id IN (SELECT article_id FROM article_authors WHERE author_id = {})", author.0));
        }
        if let Some(tag) = self.tag {
            conditions.push(format!("a.id IN (SELECT article_id FROM article_tags WHERE tag_id = {})", tag.0));
        }
        if let Some(floor) = self.search_floor {
            conditions.push(format!("articles_fts.rowid >= {floor}"));
        }
        if let Some((published_at, id)) = self.before {
            // A row value, which SQLite walks along the (published_at DESC, id DESC) index.
            conditions.push("(a.published_at, a.id) < (?, ?)".to_owned());
            binds.push(Bind::Time(published_at));
            binds.push(Bind::Int(id.0));
        }
        let conditions = if conditions.is_empty() { "1".to_owned() } else { conditions.join(" AND ") };
        (format!("FROM {from} WHERE {conditions}"), binds)
    }

    fn order_by(&self) -> &'static str {
        match self.sort {
            Sort::Newest => "a.published_at DESC, a.id DESC",
            Sort::Oldest => "a.published_at ASC, a.id ASC",
            Sort::Title => "a.title ASC, a.id ASC",
            Sort::MostViewed => "a.view_count DESC, a.id DESC",
            // Articles whose title matches come first; within each tier bm25 weighs the title
            // most, then the excerpt, then the body.
            Sort::Relevance if self.search.is_some() => {
                "a.id NOT IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? AND rowid >= ?), \
                 bm25(articles_fts, 10.0, 4.0, 1.0), a.published_at DESC, a.id DESC"
            }
            Sort::Relevance => "a.published_at DESC, a.id DESC",
        }
    }

    /// Bounds a search to its newest `SEARCH_CANDIDATES` matches. FTS5 walks its matches from the
    /// highest rowid down and stops there, so this costs the same however common the phrase is.
    pub fn limit_search(&mut self, conn: &mut DbConn) -> QueryResult<()> {
        if self.search.is_none() {
            return Ok(());
        }
        #[derive(QueryableByName)]
        struct Floor {
            #[diesel(sql_type = diesel::sql_types::Nullable<Integer>)]
            floor: Option<i32>,
        }
        self.search_floor = None;
        let sql = format!(
            "SELECT MIN(id) AS floor FROM (SELECT a.id AS id {} ORDER BY articles_fts.rowid DESC LIMIT {SEARCH_CANDIDATES})",
            self.sql_parts().0
        );
        // No match at all: a floor above every id keeps the page and the count empty.
        self.search_floor = Some(self.bound(sql).get_result::<Floor>(conn)?.floor.unwrap_or(i32::MAX));
        Ok(())
    }

    /// The SQL of one page of ids.
    pub fn page_sql(&self) -> String {
        format!("SELECT a.id AS id {} ORDER BY {} LIMIT ? OFFSET ?", self.sql_parts().0, self.order_by())
    }

    /// The SQL of the total.
    pub fn count_sql(&self) -> String {
        format!("SELECT COUNT(*) AS n {}", self.sql_parts().0)
    }

    fn bound(
        &self,
        sql: String,
    ) -> diesel::query_builder::BoxedSqlQuery<'static, Sqlite, diesel::query_builder::SqlQuery> {
        let mut query = diesel::sql_query(sql).into_boxed::<Sqlite>();
        for bind in self.sql_parts().1 {
            query = match bind {
                Bind::Time(t) => query.bind::<Timestamp, _>(t),
                Bind::Text(s) => query.bind::<Text, _>(s),
                Bind::Int(i) => query.bind::<Integer, _>(i),
            };
        }
        query
    }

    /// The page query with every bind value, the ORDER BY's included.
    fn bound_page(
        &self,
        prefix: &str,
        limit: i64,
        offset: i64,
    ) -> diesel::query_builder::BoxedSqlQuery<'static, Sqlite, diesel::query_builder::SqlQuery> {
        let mut query = self.bound(format!("{prefix}{}", self.page_sql()));
        if let (Sort::Relevance, Some(search)) = (self.sort, &self.search) {
            query =
                query.bind::<Text, _>(format!("title : ({search})")).bind::<Integer, _>(self.search_floor.unwrap_or(0));
        }
        query.bind::<BigInt, _>(limit).bind::<BigInt, _>(offset)
    }

    pub fn page(&self, conn: &mut DbConn, limit: i64, offset: i64) -> QueryResult<Vec<ArticleId>> {
        #[derive(QueryableByName)]
        struct Id {
            #[diesel(sql_type = Integer)]
            id: i32,
        }
        let rows: Vec<Id> = self.bound_page("", limit, offset).load(conn)?;
        Ok(rows.into_iter().map(|r| ArticleId(r.id)).collect())
    }

    pub fn count(&self, conn: &mut DbConn) -> QueryResult<i64> {
        if let Scope::VisibleAndOwn(user) = self.scope {
            // Counted in two parts that each have an index, instead of one OR that scans the table.
            let part = |scope| ArticleFilter { scope, ..self.clone() };
            return Ok(part(Scope::Public).count(conn)? + part(Scope::OwnHidden(user)).count(conn)?);
        }
        #[derive(QueryableByName)]
        struct Count {
            #[diesel(sql_type = BigInt)]
            n: i64,
        }
        Ok(self.bound(self.count_sql()).get_result::<Count>(conn)?.n)
    }

    /// What identifies the total of this filter (everything but the order), for caching it.
    pub fn total_key(&self) -> String {
        let (sql, binds) = self.sql_parts();
        let values: Vec<String> = binds
            .iter()
            .map(|b| match b {
                Bind::Time(t) => t.to_string(),
                Bind::Text(s) => s.clone(),
                Bind::Int(i) => i.to_string(),
            })
            .collect();
        format!("{sql}|{}", values.join("|"))
    }

    /// `EXPLAIN QUERY PLAN` of the page and count queries, one detail line each, for tests.
    pub fn query_plans(&self, conn: &mut DbConn) -> QueryResult<Vec<String>> {
        #[derive(QueryableByName)]
        struct Step {
            #[diesel(sql_type = Text)]
            detail: String,
        }
        let page: Vec<Step> = self.bound_page("EXPLAIN QUERY PLAN ", 20, 0).load(conn)?;
        let count_parts = match self.scope {
            Scope::VisibleAndOwn(user) => vec![Scope::Public, Scope::OwnHidden(user)],
            scope => vec![scope],
        };
        let mut steps: Vec<String> = page.into_iter().map(|s| s.detail).collect();
        for scope in count_parts {
            let part = ArticleFilter { scope, ..self.clone() };
            let count: Vec<Step> = part.bound(format!("EXPLAIN QUERY PLAN {}", part.count_sql())).load(conn)?;
            steps.extend(count.into_iter().map(|s| s.detail));
        }
        Ok(steps)
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
                    let plan = filter.query_plans(conn).expect("plan");
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
