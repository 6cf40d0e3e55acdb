//! Latest and trending: parameters, keyset cursors, and the short-lived trending cache.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use base64::Engine;
use chrono::{DateTime, NaiveDateTime};

use crate::articles::repo::ArticleFilter;
use crate::articles::service::summaries_of;
use crate::categories;
use crate::categories::service::Tree;
use crate::clock::Moment;
use crate::content_epoch::ContentEpoch;
use crate::db::DbConn;
use crate::domain::ids::{ArticleId, CategoryId};
use crate::domain::key::ItemKey;
use crate::domain::pagination::int_param;
use crate::domain::validation::FieldError;
use crate::error::ApiError;
use crate::feeds::dto::{LatestFeed, LatestQuery, TrendingFeed, TrendingItem, TrendingQuery, TrendingWindow};
use crate::feeds::repo;
use crate::views::service::hour_of;

const DEFAULT_LIMIT: i64 = 10;
const MAX_LIMIT: i64 = 50;

fn limit(raw: Option<&str>) -> Result<i64, ApiError> {
    let limit = int_param("limit", raw)?.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(FieldError::new("limit", format!("must be between 1 and {MAX_LIMIT}")).into());
    }
    Ok(limit)
}

/// The category and its descendants; `None` when no category is asked for, `Some(empty)` when the
/// slug names none (so the feed is empty).
fn category_subtree(conn: &mut DbConn, tree: &Tree, slug: Option<&str>) -> Result<Option<Vec<CategoryId>>, ApiError> {
    let Some(slug) = slug else { return Ok(None) };
    Ok(Some(match categories::repo::find_by_key(conn, &ItemKey::slug(slug))? {
        Some(category) => tree.subtree(category.id),
        None => Vec::new(),
    }))
}

/// A cursor names the last item seen: its publication time exactly as stored (seconds and
/// nanoseconds, so the next page starts right after it) and id, base64url.
pub fn encode_cursor(published_at: NaiveDateTime, id: ArticleId) -> String {
    let at = published_at.and_utc();
    let raw = format!("{}.{:09}:{}", at.timestamp(), at.timestamp_subsec_nanos(), id.0);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
}

pub fn decode_cursor(cursor: &str) -> Option<(NaiveDateTime, ArticleId)> {
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(cursor).ok()?;
    let (time, id) = std::str::from_utf8(&raw).ok()?.split_once(':')?;
    let at = match time.split_once('.') {
        Some((secs, nanos)) if nanos.len() == 9 => DateTime::from_timestamp(secs.parse().ok()?, nanos.parse().ok()?)?,
        Some(_) => return None,
        // Cursors issued before nanoseconds were kept: microseconds.
        None => DateTime::from_timestamp_micros(time.parse().ok()?)?,
    };
    Some((at.naive_utc(), ArticleId(id.parse().ok().filter(|id| *id > 0)?)))
}

pub fn latest(conn: &mut DbConn, query: &LatestQuery, at: Moment) -> Result<LatestFeed, ApiError> {
    let Moment { now, tz } = at;
    let limit = limit(query.limit.as_deref())?;
    let before = match query.cursor.as_deref() {
        Some(cursor) => Some(
            decode_cursor(cursor).ok_or_else(|| ApiError::BadRequest("`cursor` is not one this API issued".into()))?,
        ),
        None => None,
    };
    let tree = Tree::load(conn)?;
    let categories = category_subtree(conn, &tree, query.category.as_deref())?;
    if categories.as_ref().is_some_and(Vec::is_empty) {
        return Ok(LatestFeed { data: Vec::new(), next_cursor: None });
    }
    let filter = ArticleFilter::newest_visible(categories, before, now);
    // One more than asked tells whether there is a next page.
    let mut ids = filter.page(conn, limit + 1, 0)?;
    let more = ids.len() as i64 > limit;
    ids.truncate(limit as usize);
    let data = summaries_of(conn, &tree, &ids, tz, now)?;
    let next_cursor =
        if more { data.last().and_then(|last| last.published_at.map(|at| encode_cursor(at, last.id))) } else { None };
    Ok(LatestFeed { data, next_cursor })
}

/// A trending window, in hours.
fn window_hours(raw: Option<&str>) -> Result<i64, ApiError> {
    match raw {
        None => Ok(TrendingWindow::Week.hours()),
        Some(raw) => TrendingWindow::parse(raw)
            .map(TrendingWindow::hours)
            .ok_or_else(|| FieldError::new("window", "must be 1h, 24h, 7d or 30d").into()),
    }
}

/// Trending feeds kept at most (4 windows x 50 limits x a few categories in real use).
const MAX_TRENDING_FEEDS: usize = 2_048;

/// A trending feed is computed per window (hours), category and limit.
type TrendingKey = (i64, Option<String>, i64);

/// Trending feeds kept, and the content epoch they were computed at.
type TrendingFeeds = (u64, HashMap<TrendingKey, (Instant, TrendingFeed)>);

/// Computed trending feeds, reused for a few seconds within one content epoch: the feed is polled
/// all day and changes slowly.
pub struct TrendingCache {
    ttl: Duration,
    epoch: std::sync::Arc<ContentEpoch>,
    entries: Mutex<TrendingFeeds>,
}

impl TrendingCache {
    pub fn new(ttl: Duration, epoch: std::sync::Arc<ContentEpoch>) -> TrendingCache {
        TrendingCache { ttl, epoch, entries: Mutex::new((0, HashMap::new())) }
    }
}

/// The most-read visible articles over the window. Buckets are hourly, so the window's oldest hour
/// counts whole: `1h` covers the current hour and the one before it.
pub fn trending(
    conn: &mut DbConn,
    query: &TrendingQuery,
    cache: &TrendingCache,
    at: Moment,
) -> Result<TrendingFeed, ApiError> {
    let Moment { now, tz } = at;
    let hours = window_hours(query.window.as_deref())?;
    let limit = limit(query.limit.as_deref())?;
    let key = (hours, query.category.clone(), limit);
    let epoch = cache.epoch.current();
    if let Ok(entries) = cache.entries.lock() {
        if let Some((_, feed)) = entries.1.get(&key).filter(|(at, _)| entries.0 == epoch && at.elapsed() < cache.ttl) {
            return Ok(feed.clone());
        }
    }
    let tree = Tree::load(conn)?;
    let categories = category_subtree(conn, &tree, query.category.as_deref())?;
    let feed = if categories.as_ref().is_some_and(Vec::is_empty) {
        TrendingFeed { data: Vec::new() }
    } else {
        let from_hour = hour_of(now) - (hours * 3600);
        let ranked = repo::most_read(conn, from_hour, categories.as_deref(), limit, now)?;
        let ids: Vec<ArticleId> = ranked.iter().map(|(id, _)| *id).collect();
        let summaries = summaries_of(conn, &tree, &ids, tz, now)?;
        let views: HashMap<ArticleId, i64> = ranked.into_iter().collect();
        let data = summaries
            .into_iter()
            .map(|article| TrendingItem { views: views.get(&article.id).copied().unwrap_or(0), article })
            .collect();
        TrendingFeed { data }
    };
    // An unknown category is answered without a cache entry: its name comes from the client, and
    // keeping it would let clients fill memory with names.
    let known = categories.as_ref().is_none_or(|ids| !ids.is_empty());
    if !cache.ttl.is_zero() && known {
        if let Ok(mut guard) = cache.entries.lock() {
            // A feed computed before a write committed is not kept after it.
            if cache.epoch.current() != epoch {
                return Ok(feed);
            }
            if guard.0 != epoch {
                *guard = (epoch, HashMap::new());
            }
            let entries = &mut guard.1;
            if entries.len() >= MAX_TRENDING_FEEDS {
                let ttl = cache.ttl;
                entries.retain(|_, (at, _)| at.elapsed() < ttl);
            }
            if entries.len() < MAX_TRENDING_FEEDS {
                entries.insert(key, (Instant::now(), feed.clone()));
            }
        }
    }
    Ok(feed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trending_feeds_of_unknown_categories_are_not_kept() {
        let mut conn = crate::db::tests::memory_conn();
        let cache = TrendingCache::new(Duration::from_secs(60), Default::default());
        let kept = |cache: &TrendingCache| cache.entries.lock().map(|e| e.1.len()).unwrap_or(usize::MAX);
        for name in ["tidak-ada", "x".repeat(60_000).as_str()] {
            let query = TrendingQuery { category: Some(name.to_owned()), ..Default::default() };
            let feed = trending(
                &mut conn,
                &query,
                &cache,
                Moment { now: crate::clock::Clock::system().now(), tz: chrono_tz::Asia::Jakarta },
            )
            .expect("feed");
            assert!(feed.data.is_empty());
        }
        assert_eq!(kept(&cache), 0);
        trending(
            &mut conn,
            &TrendingQuery::default(),
            &cache,
            Moment { now: crate::clock::Clock::system().now(), tz: chrono_tz::Asia::Jakarta },
        )
        .expect("feed");
        assert_eq!(kept(&cache), 1, "the feed of every category is kept");
    }

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        for time in ["2023-08-31T07:09:00.123456789Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z"] {
            let at = DateTime::parse_from_rfc3339(time).expect("valid").naive_utc();
            assert_eq!(decode_cursor(&encode_cursor(at, ArticleId(42))), Some((at, ArticleId(42))), "{time}");
        }
        let legacy = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode("1693465740123456:42");
        let at = DateTime::parse_from_rfc3339("2023-08-31T07:09:00.123456Z").expect("valid").naive_utc();
        assert_eq!(decode_cursor(&legacy), Some((at, ArticleId(42))), "microsecond cursors still work");
        let short_nanos = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode("1693465740.5:42");
        for bad in ["", "!!!", "bm90IGEgY3Vyc29y", "MTIzOg", "OjQy", short_nanos.as_str()] {
            assert_eq!(decode_cursor(bad), None, "{bad}");
        }
    }
}
