//! Diesel queries for view buckets and totals.

use diesel::prelude::*;
use diesel::upsert::excluded;

use diesel::sql_types::BigInt;

use crate::db::schema::{article_views, articles, trending_state, trending_totals, view_claims};
use crate::db::{DbConn, Engine};
use crate::domain::ids::ArticleId;

/// Adds `views` reads to an article's bucket for `hour` (seconds since 1970, a multiple of 3600).
pub fn add_to_bucket(conn: &mut DbConn, article: ArticleId, hour: i64, views: i64) -> QueryResult<usize> {
    crate::db::per_engine!(conn, |c| diesel::insert_into(article_views::table)
        .values((article_views::article_id.eq(article), article_views::hour.eq(hour), article_views::views.eq(views)))
        .on_conflict((article_views::hour, article_views::article_id))
        .do_update()
        .set(article_views::views.eq(article_views::views + excluded(article_views::views)))
        .execute(c))
}

pub fn add_to_total(conn: &mut DbConn, article: ArticleId, views: i64) -> QueryResult<usize> {
    diesel::update(articles::table.find(article))
        .set(articles::view_count.eq(articles::view_count + views))
        .execute(conn)
}

/// Whether the article still exists: reads of an article deleted since are dropped.
pub fn article_exists(conn: &mut DbConn, article: ArticleId) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(articles::table.find(article))).get_result(conn)
}

pub fn prune_before(conn: &mut DbConn, hour: i64) -> QueryResult<usize> {
    diesel::delete(article_views::table.filter(article_views::hour.lt(hour))).execute(conn)
}

/// The claims among `named` that are held: each one's period start and reads counted in it.
pub fn claims(conn: &mut DbConn, named: &[i64]) -> QueryResult<Vec<(i64, (i64, i32))>> {
    let rows: Vec<(i64, i64, i32)> = view_claims::table
        .filter(view_claims::claim.eq_any(named))
        .select((view_claims::claim, view_claims::since, view_claims::reads))
        .load(conn)?;
    Ok(rows.into_iter().map(|(claim, since, reads)| (claim, (since, reads))).collect())
}

/// Writes claims as they now stand, new or replacing what was held.
pub fn put_claims(conn: &mut DbConn, claims: &[(i64, i64, i32)]) -> QueryResult<usize> {
    let rows: Vec<_> = claims
        .iter()
        .map(|&(claim, since, reads)| {
            (view_claims::claim.eq(claim), view_claims::since.eq(since), view_claims::reads.eq(reads))
        })
        .collect();
    crate::db::per_engine!(conn, |c| diesel::insert_into(view_claims::table)
        .values(&rows)
        .on_conflict(view_claims::claim)
        .do_update()
        .set((view_claims::since.eq(excluded(view_claims::since)), view_claims::reads.eq(excluded(view_claims::reads))))
        .execute(c))
}

/// Deletes the claims whose period began before `since` (seconds since 1970).
pub fn drop_claims_before(conn: &mut DbConn, since: i64) -> QueryResult<usize> {
    diesel::delete(view_claims::table.filter(view_claims::since.lt(since))).execute(conn)
}

/// The hour (seconds since 1970) that `trending_totals` hold the windows of; 0 before the first
/// flush.
pub fn trending_hour(conn: &mut DbConn) -> QueryResult<i64> {
    trending_state::table.select(trending_state::hour).first(conn)
}

/// Brings every window's totals from the hour `from` to the later hour `to`: the buckets that
/// left a window are taken off it and the ones that entered it added, or (when the window has
/// moved past all it held, or was never built) it is summed anew from the buckets.
pub fn advance_trending(conn: &mut DbConn, windows: &[i64], from: i64, to: i64) -> QueryResult<()> {
    let engine = conn.engine();
    // Bind parameters are spelled per engine; PostgreSQL sums BIGINTs into NUMERIC, hence the casts.
    let p = |n: usize| match engine {
        Engine::Sqlite => "?".to_owned(),
        Engine::Postgres => format!("${n}"),
    };
    let add = format!(
        "INSERT INTO trending_totals (window_hours, article_id, views)
         SELECT CAST({} AS INTEGER), article_id, CAST(SUM(views) AS BIGINT) FROM article_views
         WHERE hour >= {} AND hour <= {} GROUP BY article_id
         ON CONFLICT (window_hours, article_id) DO UPDATE SET views = trending_totals.views + excluded.views",
        p(1),
        p(2),
        p(3)
    );
    let take_off = format!(
        "UPDATE trending_totals SET views = views - gone.views_gone
         FROM (SELECT article_id AS gone_id, CAST(SUM(views) AS BIGINT) AS views_gone FROM article_views
               WHERE hour >= {} AND hour < {} GROUP BY article_id) AS gone
         WHERE trending_totals.window_hours = {} AND trending_totals.article_id = gone.gone_id",
        p(1),
        p(2),
        p(3)
    );
    for &window in windows {
        let span = window * 3600;
        if from == 0 || to - from > span {
            diesel::delete(trending_totals::table.filter(trending_totals::window_hours.eq(window as i32)))
                .execute(conn)?;
            diesel::sql_query(&add)
                .bind::<BigInt, _>(window)
                .bind::<BigInt, _>(to - span)
                .bind::<BigInt, _>(to)
                .execute(conn)?;
        } else {
            diesel::sql_query(&take_off)
                .bind::<BigInt, _>(from - span)
                .bind::<BigInt, _>(to - span)
                .bind::<BigInt, _>(window)
                .execute(conn)?;
            diesel::sql_query(&add)
                .bind::<BigInt, _>(window)
                .bind::<BigInt, _>(from + 3600)
                .bind::<BigInt, _>(to)
                .execute(conn)?;
        }
    }
    diesel::delete(trending_totals::table.filter(trending_totals::views.le(0))).execute(conn)?;
    diesel::update(trending_state::table).set(trending_state::hour.eq(to)).execute(conn)?;
    Ok(())
}

/// Adds reads (window, article, views) to the windows' totals.
pub fn add_to_trending(conn: &mut DbConn, reads: &[(i64, ArticleId, i64)]) -> QueryResult<usize> {
    let rows: Vec<_> = reads
        .iter()
        .map(|&(window, article, views)| {
            (
                trending_totals::window_hours.eq(window as i32),
                trending_totals::article_id.eq(article),
                trending_totals::views.eq(views),
            )
        })
        .collect();
    let mut written = 0;
    for chunk in rows.chunks(5_000) {
        written += crate::db::per_engine!(conn, |c| diesel::insert_into(trending_totals::table)
            .values(chunk)
            .on_conflict((trending_totals::window_hours, trending_totals::article_id))
            .do_update()
            .set(trending_totals::views.eq(trending_totals::views + excluded(trending_totals::views)))
            .execute(c))?;
    }
    Ok(written)
}

/// Declares the trending totals stale after buckets were written around the view flush (a bulk
/// load): until the next flush rebuilds them, trending sums the buckets.
pub fn forget_trending_totals(conn: &mut DbConn) -> QueryResult<usize> {
    diesel::update(trending_state::table).set(trending_state::hour.eq(0)).execute(conn)
}
