//! Diesel queries over visible articles (the rule is `domain::article_status`: `published`, or
//! `scheduled` with its time passed), and over every article when the question is whether a
//! category or author is still in use. `visible` is the one spelling of that rule in SQL: the
//! article list, the feeds and the counts here all filter with it.

use chrono::NaiveDateTime;
use diesel::dsl::{self, sql};
use diesel::expression::SqlLiteral;
use diesel::prelude::*;
use diesel::sql_types::Bool;

use crate::db::schema::{article_authors, article_tags, articles, tags};
use crate::db::{Backend, DbConn};
use crate::domain::article_status::ArticleStatus;
use crate::domain::ids::{AuthorId, CategoryId, TagId};

/// A condition on `articles` in a query that reads from `QS` (the table alone, or a join with it).
pub type ArticleCondition<QS> = Box<dyn BoxableExpression<QS, Backend, SqlType = Bool>>;

/// The stored statuses that can be visible.
const LIVE: [ArticleStatus; 2] = [ArticleStatus::Published, ArticleStatus::Scheduled];
/// The stored statuses that are never visible.
const UNPUBLISHED: [ArticleStatus; 3] = [ArticleStatus::Draft, ArticleStatus::Review, ArticleStatus::Archived];

/// `articles.status IN ('a', 'b')` with the statuses as literals, not bind values: SQLite uses a
/// partial index only when the query repeats the index's condition, and a bound value does not
/// count as the literal. The partial indexes are declared over exactly `LIVE` and `UNPUBLISHED`.
fn status_literal(statuses: &[ArticleStatus]) -> SqlLiteral<Bool> {
    sql::<Bool>(&format!("articles.status IN {}", status_list(statuses)))
}

/// `('a', 'b')`: statuses as an SQL list of literals. Only our own enum's spellings go in.
fn status_list(statuses: &[ArticleStatus]) -> String {
    let quoted: Vec<String> = statuses.iter().map(|s| format!("'{}'", s.as_str())).collect();
    format!("({})", quoted.join(", "))
}

/// `visible`'s condition, as a type: concrete rather than boxed, so it can stand in a subquery
/// (`id IN (SELECT …)`), which the combined backend builds per engine.
pub type Visible = dsl::And<SqlLiteral<Bool>, dsl::LtEq<dsl::AssumeNotNull<articles::published_at>, NaiveDateTime>>;

/// Whether an article is visible at `now`, for any query that reads `articles`. Spelled like the
/// partial indexes `articles_live_by_date` and `articles_live_by_category`, which serve it.
pub fn visible(now: NaiveDateTime) -> Visible {
    // A NULL `published_at` compares as NULL, which a filter drops: the same as false.
    status_literal(&LIVE).and(articles::published_at.assume_not_null().le(now))
}

/// `visible` for the one query written in SQL text (trending, in `feeds::repo`), for articles
/// named `alias` there: the same condition, with `now` as the bind parameter spelled `now_param`.
pub fn visible_sql(alias: &str, now_param: &str) -> String {
    format!("({alias}.status IN {} AND {alias}.published_at <= {now_param})", status_list(&LIVE))
}

/// Whether an article is not visible at `now`: exactly the rows `visible` leaves out.
pub fn hidden<QS>(now: NaiveDateTime) -> ArticleCondition<QS>
where
    articles::published_at: SelectableExpression<QS>,
    dsl::AssumeNotNull<articles::published_at>: SelectableExpression<QS>,
{
    Box::new(
        dsl::not(status_literal(&LIVE))
            .or(articles::published_at.is_null())
            .or(articles::published_at.assume_not_null().gt(now)),
    )
}

/// Whether an article is scheduled and its time has not come at `now`.
pub fn pending<QS>(now: NaiveDateTime) -> ArticleCondition<QS>
where
    articles::status: SelectableExpression<QS>,
    dsl::AssumeNotNull<articles::published_at>: SelectableExpression<QS>,
{
    Box::new(
        status_literal(&LIVE)
            .and(articles::status.eq(ArticleStatus::Scheduled))
            .and(articles::published_at.assume_not_null().gt(now)),
    )
}

/// Whether an article is in `status`, one of the statuses that are never visible; spelled like
/// the partial index `articles_unpublished`, which serves it.
pub fn unpublished_in<QS>(status: ArticleStatus) -> ArticleCondition<QS>
where
    articles::status: SelectableExpression<QS>,
{
    Box::new(status_literal(&UNPUBLISHED).and(articles::status.eq(status)))
}

/// Visible articles per category (not rolled up to ancestors), counted along the partial index
/// `articles_live_by_category`.
pub fn counts_by_category(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<Vec<(CategoryId, i64)>> {
    counts_by_category_query(now).load(conn)
}

/// Visible articles per category, as a query.
type CountsByCategory = dsl::Select<
    dsl::GroupBy<dsl::Filter<articles::table, Visible>, articles::category_id>,
    (articles::category_id, dsl::count_star),
>;

fn counts_by_category_query(now: NaiveDateTime) -> CountsByCategory {
    articles::table
        .filter(visible(now))
        .group_by(articles::category_id)
        .select((articles::category_id, dsl::count_star()))
}

/// Visible articles per author, for the given authors.
pub fn counts_by_author(conn: &mut DbConn, ids: &[AuthorId], now: NaiveDateTime) -> QueryResult<Vec<(AuthorId, i64)>> {
    articles::table
        .inner_join(article_authors::table)
        .filter(article_authors::author_id.eq_any(ids))
        .filter(visible(now))
        .group_by(article_authors::author_id)
        .select((article_authors::author_id, dsl::count_star()))
        .load(conn)
}

/// Visible articles per tag, for the given tags.
pub fn counts_by_tag(conn: &mut DbConn, ids: &[TagId], now: NaiveDateTime) -> QueryResult<Vec<(TagId, i64)>> {
    articles::table
        .inner_join(article_tags::table)
        .filter(article_tags::tag_id.eq_any(ids))
        .filter(visible(now))
        .group_by(article_tags::tag_id)
        .select((article_tags::tag_id, dsl::count_star()))
        .load(conn)
}

/// Tags that name at least one visible article, by name then id: one page of them.
pub fn tags_in_view(conn: &mut DbConn, now: NaiveDateTime, limit: i64, offset: i64) -> QueryResult<Vec<TagId>> {
    let in_view = article_tags::table.inner_join(articles::table).filter(visible(now)).select(article_tags::tag_id);
    tags::table
        .filter(tags::id.eq_any(in_view))
        .order((tags::name_key.asc(), tags::id.asc()))
        .limit(limit)
        .offset(offset)
        .select(tags::id)
        .load(conn)
}

/// How many tags name at least one visible article.
pub fn count_tags_in_view(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<i64> {
    let in_view = article_tags::table.inner_join(articles::table).filter(visible(now)).select(article_tags::tag_id);
    tags::table.filter(tags::id.eq_any(in_view)).count().get_result(conn)
}

/// Whether a tag names at least one visible article.
pub fn tag_in_view(conn: &mut DbConn, tag: TagId, now: NaiveDateTime) -> QueryResult<bool> {
    let in_view =
        article_tags::table.inner_join(articles::table).filter(article_tags::tag_id.eq(tag)).filter(visible(now));
    diesel::select(dsl::exists(in_view)).get_result(conn)
}

/// Whether any article, in any status, is in one of these categories.
pub fn any_in_categories(conn: &mut DbConn, categories: &[CategoryId]) -> QueryResult<bool> {
    diesel::select(dsl::exists(articles::table.filter(articles::category_id.eq_any(categories)))).get_result(conn)
}

/// Whether an author is bylined on any article, in any status.
pub fn author_in_use(conn: &mut DbConn, author: AuthorId) -> QueryResult<bool> {
    diesel::select(dsl::exists(article_authors::table.filter(article_authors::author_id.eq(author)))).get_result(conn)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::tests::memory_conn;
    use diesel::connection::SimpleConnection;

    /// Two categories, two authors, three tags; articles in every status, one scheduled in the past
    /// (visible) and one in the future (not yet). Returns "now".
    fn newsroom(conn: &mut DbConn) -> NaiveDateTime {
        let sql = "
            INSERT INTO categories (id, slug, name, description, parent_id, position, created_at, updated_at) VALUES
                (1, 'berita', 'Berita', '', NULL, 0, '2024-01-01 00:00:00', '2024-01-01 00:00:00'),
                (2, 'kosong', 'Kosong', '', NULL, 0, '2024-01-01 00:00:00', '2024-01-01 00:00:00');
            INSERT INTO authors (id, slug, name, created_at, updated_at) VALUES
                (1, 'reni', 'Reni', '2024-01-01 00:00:00', '2024-01-01 00:00:00'),
                (2, 'budi', 'Budi', '2024-01-01 00:00:00', '2024-01-01 00:00:00');
            INSERT INTO tags (id, slug, name, name_key, created_at, updated_at) VALUES
                (1, 'terbit', 'Terbit', 'terbit', '2024-01-01 00:00:00', '2024-01-01 00:00:00'),
                (2, 'embargo', 'Embargo', 'embargo', '2024-01-01 00:00:00', '2024-01-01 00:00:00'),
                (3, 'arsip', 'Arsip', 'arsip', '2024-01-01 00:00:00', '2024-01-01 00:00:00');";
        conn.batch_execute(sql).expect("taxonomy");
        let articles = [
            (1, "published", Some("2024-05-01 00:00:00"), 1),
            (2, "scheduled", Some("2024-05-31 00:00:00"), 1),
            (3, "scheduled", Some("2024-06-02 00:00:00"), 1),
            (4, "draft", None, 1),
            (5, "review", Some("2024-05-01 00:00:00"), 1),
            (6, "archived", Some("2024-05-01 00:00:00"), 1),
        ];
        for (id, status, published_at, category) in articles {
            let published_at = published_at.map_or("NULL".to_owned(), |at| format!("'{at}'"));
            conn.batch_execute(&format!(
                "INSERT INTO articles (id, status, published_at, category_id, word_count, reading_time_minutes,
                    body_format, created_at, updated_at, slug, title, excerpt, body, body_html)
                 VALUES ({id}, '{status}', {published_at}, {category}, 1, 1, 'markdown', '2024-01-01 00:00:00',
                    '2024-01-01 00:00:00', 'a-{id}', 'A', '', '', '');
                 INSERT INTO article_authors (article_id, author_id, position) VALUES ({id}, 1, 0);"
            ))
            .expect("article");
        }
        // Tag 1 on visible articles (and a draft), tag 2 only on a draft and a future one, tag 3 on
        // the archived article.
        let tagging =
            "INSERT INTO article_tags (article_id, tag_id) VALUES (1, 1), (2, 1), (4, 1), (3, 2), (4, 2), (6, 3);";
        conn.batch_execute(tagging).expect("tags");
        chrono::NaiveDate::from_ymd_opt(2024, 6, 1).and_then(|d| d.and_hms_opt(0, 0, 0)).expect("a date")
    }

    #[test]
    fn counts_are_of_visible_articles_only() {
        let conn = &mut memory_conn();
        let now = newsroom(conn);
        assert_eq!(counts_by_category(conn, now).expect("categories"), [(CategoryId(1), 2)]);
        assert_eq!(counts_by_author(conn, &[AuthorId(1), AuthorId(2)], now).expect("authors"), [(AuthorId(1), 2)]);
        let tags = counts_by_tag(conn, &[TagId(1), TagId(2), TagId(3)], now).expect("tags");
        assert_eq!(tags, [(TagId(1), 2)]);
    }

    #[test]
    fn only_tags_of_visible_articles_are_in_view() {
        let conn = &mut memory_conn();
        let now = newsroom(conn);
        assert_eq!(tags_in_view(conn, now, 10, 0).expect("page"), [TagId(1)]);
        assert_eq!(tags_in_view(conn, now, 10, 1).expect("page 2"), []);
        assert_eq!(count_tags_in_view(conn, now).expect("count"), 1);
        assert!(tag_in_view(conn, TagId(1), now).expect("tag 1"));
        assert!(!tag_in_view(conn, TagId(2), now).expect("tag 2"), "a draft and a future article");
        assert!(!tag_in_view(conn, TagId(3), now).expect("tag 3"), "an archived article");
        let later = now + chrono::Duration::days(2);
        assert!(tag_in_view(conn, TagId(2), later).expect("tag 2 later"), "the scheduled article is due");
    }

    #[test]
    fn use_counts_every_status() {
        let conn = &mut memory_conn();
        newsroom(conn);
        assert!(any_in_categories(conn, &[CategoryId(1)]).expect("berita"));
        assert!(!any_in_categories(conn, &[CategoryId(2)]).expect("kosong"));
        assert!(author_in_use(conn, AuthorId(1)).expect("reni"));
        assert!(!author_in_use(conn, AuthorId(2)).expect("budi"));
    }

    #[test]
    fn the_category_counts_read_the_partial_index() {
        let conn = &mut memory_conn();
        let now = newsroom(conn);
        let plan = crate::db::tests::query_plan(conn, counts_by_category_query(now));
        assert!(plan.iter().any(|s| s.contains("articles_live_by_category")), "{plan:?}");
    }
}
