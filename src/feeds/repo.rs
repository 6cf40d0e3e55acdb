//! The trending query: each window's running totals, or views summed over its hourly buckets.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Timestamp};

use crate::db::{DbConn, Engine};
use crate::domain::ids::{ArticleId, CategoryId};
use crate::published::repo::visible_sql;
use crate::views::repo::trending_hour;
use crate::views::service::{hour_of, TRENDING_WINDOWS};

/// The most-read visible articles since `from_hour` (seconds since 1970), with their reads; ties
/// go to the later publication.
pub fn most_read(
    conn: &mut DbConn,
    from_hour: i64,
    categories: Option<&[CategoryId]>,
    limit: i64,
    now: NaiveDateTime,
) -> QueryResult<Vec<(ArticleId, i64)>> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = Integer)]
        id: i32,
        #[diesel(sql_type = BigInt)]
        views: i64,
    }
    let category_filter = categories
        .map(|ids| {
            let ids: Vec<String> = ids.iter().map(|c| c.0.to_string()).collect();
            format!("AND a.category_id IN ({})", ids.join(", "))
        })
        .unwrap_or_default();
    // The window's buckets are one range of the table, which is clustered by hour; bounding the
    // range on both sides tells the planner so (without statistics it would rather scan by article
    // to skip the GROUP BY sort). Only the articles that were read are looked up. Diesel can
    // express neither the subquery in FROM nor, as a join, keep this plan: with a category it
    // would start from the category's articles instead of the window.
    // Bind parameters are spelled per engine (`?` or `$n`); the SUM is cast because PostgreSQL
    // sums BIGINTs into NUMERIC.
    let engine = conn.engine();
    let param = |n: usize| match engine {
        Engine::Sqlite => "?".to_owned(),
        Engine::Postgres => format!("${n}"),
    };
    let window_hours = (hour_of(now) - from_hour) / 3600;
    // The flush keeps each window's totals for one hour; in that hour they are read ranked from
    // their index instead of summing buckets.
    if TRENDING_WINDOWS.contains(&window_hours) && trending_hour(conn)? == hour_of(now) {
        // Only the window's `candidates` most-read articles are looked up (an index-only walk of
        // the totals): the answer is found among them when its last article was read more often
        // than the least-read candidate, since every article read more often is a candidate.
        // Otherwise (hidden articles, another category, ties at the edge) four times as many.
        // A join over the whole window would look up every article read in it: SQLite's planner
        // does not stop its partial sort early.
        let sql = format!(
            "SELECT a.id AS id, t.views AS views
             FROM (SELECT article_id, views FROM trending_totals WHERE window_hours = {}
                   ORDER BY views DESC LIMIT {}) t
             JOIN articles a ON a.id = t.article_id
             WHERE {} {category_filter}
             ORDER BY t.views DESC, a.published_at DESC, a.id DESC
             LIMIT {}",
            param(1),
            param(2),
            visible_sql("a", &param(3)),
            param(4)
        );
        let edge_sql = format!(
            "SELECT views FROM trending_totals WHERE window_hours = {} ORDER BY views DESC LIMIT 1 OFFSET {}",
            param(1),
            param(2)
        );
        #[derive(QueryableByName)]
        struct Edge {
            #[diesel(sql_type = BigInt)]
            views: i64,
        }
        let mut candidates = (limit * 4).max(64);
        loop {
            let rows: Vec<Row> = diesel::sql_query(&sql)
                .bind::<Integer, _>(window_hours as i32)
                .bind::<BigInt, _>(candidates)
                .bind::<Timestamp, _>(now)
                .bind::<BigInt, _>(limit)
                .load(conn)?;
            let edge: Option<Edge> = diesel::sql_query(&edge_sql)
                .bind::<Integer, _>(window_hours as i32)
                .bind::<BigInt, _>(candidates - 1)
                .get_result(conn)
                .optional()?;
            let answered = match (&edge, rows.last()) {
                (None, _) => true,
                (Some(edge), Some(last)) => rows.len() as i64 == limit && last.views > edge.views,
                (Some(_), None) => false,
            };
            if answered {
                return Ok(rows.into_iter().map(|r| (ArticleId(r.id), r.views)).collect());
            }
            candidates = candidates.saturating_mul(4);
        }
    }
    let visible = visible_sql("a", &param(3));
    let sql = format!(
        "SELECT a.id AS id, w.views AS views
         FROM (SELECT article_id, CAST(SUM(views) AS BIGINT) AS views FROM article_views
               WHERE hour >= {} AND hour <= {} GROUP BY article_id) w
         JOIN articles a ON a.id = w.article_id
         WHERE {visible} {category_filter}
         ORDER BY w.views DESC, a.published_at DESC, a.id DESC
         LIMIT {}",
        param(1),
        param(2),
        param(4)
    );
    let rows: Vec<Row> = diesel::sql_query(sql)
        .bind::<BigInt, _>(from_hour)
        .bind::<BigInt, _>(hour_of(now))
        .bind::<Timestamp, _>(now)
        .bind::<BigInt, _>(limit)
        .load(conn)?;
    Ok(rows.into_iter().map(|r| (ArticleId(r.id), r.views)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::views::service::ViewCounter;
    use diesel::connection::SimpleConnection;

    /// The running totals answer as the buckets' sums do, also when most of the most-read articles
    /// are hidden, ties run past the first candidates, or a category is asked for.
    #[test]
    fn the_running_totals_rank_as_the_buckets_sums() {
        let conn = &mut crate::db::tests::memory_conn();
        conn.batch_execute(
            "INSERT INTO categories (id, slug, name, description, parent_id, position, created_at, updated_at) VALUES
                (1, 'a', 'A', '', NULL, 0, '2024-01-01 00:00:00', '2024-01-01 00:00:00'),
                (2, 'b', 'B', '', NULL, 0, '2024-01-01 00:00:00', '2024-01-01 00:00:00');",
        )
        .expect("categories");
        let now = chrono::DateTime::parse_from_rfc3339("2024-06-01T10:20:00Z").expect("valid").naive_utc();
        let counter = ViewCounter::new(std::time::Duration::ZERO, 1, [0; 32]);
        for id in 1..=300 {
            // The 54 most read are drafts (64 candidates leave 10 visible ones, all tied with 20
            // more past them); among the rest, runs of 30 share a count.
            let status = if id <= 54 { "draft" } else { "published" };
            let category = if id % 7 == 0 { 2 } else { 1 };
            let day = 1 + id % 28;
            conn.batch_execute(&format!(
                "INSERT INTO articles (id, status, published_at, category_id, word_count, reading_time_minutes,
                    body_format, created_at, updated_at, slug, title, excerpt, body, body_html)
                 VALUES ({id}, '{status}', '2024-05-{day:02} 00:00:00', {category}, 1, 1, 'markdown',
                    '2024-01-01 00:00:00', '2024-01-01 00:00:00', 'a-{id}', 'A', '', '', '');"
            ))
            .expect("an article");
            let reads = if id <= 54 { 1_000 - id } else { 10 + (300 - id) / 30 };
            for _ in 0..reads {
                counter.record(ArticleId(id), std::net::IpAddr::from([192, 0, 2, 1]), "a", now);
            }
        }
        counter.flush(conn, now).expect("a flush");
        let from_hour = hour_of(now) - 24 * 3600;
        let categories = [CategoryId(2)];
        for (limit, category) in [(10, None), (50, None), (120, None), (5, Some(&categories[..]))] {
            assert_eq!(trending_hour(conn).expect("the hour"), hour_of(now), "the totals hold this hour");
            let ranked = most_read(conn, from_hour, category, limit, now).expect("from the totals");
            crate::views::repo::forget_trending_totals(conn).expect("totals set aside");
            let summed = most_read(conn, from_hour, category, limit, now).expect("from the buckets");
            // A counter that has not brought the totals to this hour yet does so on its flush.
            ViewCounter::new(std::time::Duration::ZERO, 1, [0; 32]).flush(conn, now).expect("the totals rebuilt");
            let visible = if category.is_some() { (55..=300).filter(|id| id % 7 == 0).count() } else { 246 };
            assert_eq!(ranked.len() as i64, limit.min(visible as i64));
            assert_eq!(ranked, summed, "limit {limit}, category {category:?}");
        }
    }
}
