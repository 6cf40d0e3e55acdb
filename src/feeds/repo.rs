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
        let sql = format!(
            "SELECT a.id AS id, t.views AS views
             FROM trending_totals t
             JOIN articles a ON a.id = t.article_id
             WHERE t.window_hours = {} AND {} {category_filter}
             ORDER BY t.views DESC, a.published_at DESC, a.id DESC
             LIMIT {}",
            param(1),
            visible_sql("a", &param(2)),
            param(3)
        );
        let rows: Vec<Row> = diesel::sql_query(sql)
            .bind::<Integer, _>(window_hours as i32)
            .bind::<Timestamp, _>(now)
            .bind::<BigInt, _>(limit)
            .load(conn)?;
        return Ok(rows.into_iter().map(|r| (ArticleId(r.id), r.views)).collect());
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
