//! The totals of list queries, kept for one content epoch.

use std::collections::HashMap;

use chrono::NaiveDateTime;

use crate::articles::repo::{self, ArticleFilter};
use crate::content_epoch::{ContentEpoch, Observed};
use crate::db::DbConn;
use crate::error::ApiError;

/// Totals of list queries, reused for a short while. Counting a filter means visiting every
/// article it matches, which grows with the archive; the page itself does not. Kept for one
/// content epoch (a write or the next scheduled publication ends it), so a total is never behind
/// the list it belongs to.
pub struct Totals {
    ttl: std::time::Duration,
    epoch: std::sync::Arc<ContentEpoch>,
    state: std::sync::Mutex<TotalsState>,
}

#[derive(Default)]
struct TotalsState {
    entries: HashMap<String, (std::time::Instant, i64)>,
    /// The content epoch the entries were counted at.
    epoch: u64,
}

/// Totals kept at most; past it the cache starts over.
const MAX_TOTALS: usize = 10_000;
/// Longer keys (long search phrases) are counted each time rather than kept.
const MAX_TOTAL_KEY_BYTES: usize = 1_024;

impl Totals {
    pub fn new(ttl: std::time::Duration, epoch: std::sync::Arc<ContentEpoch>) -> Totals {
        Totals { ttl, epoch, state: std::sync::Mutex::new(TotalsState::default()) }
    }

    /// The filter's total, counted only when not known at this content epoch or too old. The key's
    /// time binds are the request's "now", so the key leaves them out; the epoch moves on when the
    /// next scheduled article goes live.
    pub(super) fn get(&self, conn: &mut DbConn, filter: &ArticleFilter) -> Result<i64, ApiError> {
        if self.ttl.is_zero() {
            return Ok(filter.count(conn)?);
        }
        let key = ArticleFilter { now: NaiveDateTime::MIN, ..filter.clone() }.total_key();
        let epoch = match self.epoch.observe(filter.now) {
            Observed::Known(epoch) => {
                let Ok(state) = self.state.lock() else { return Ok(filter.count(conn)?) };
                let kept = state.entries.get(&key).filter(|(at, _)| state.epoch == epoch && at.elapsed() < self.ttl);
                if let Some((_, total)) = kept {
                    return Ok(*total);
                }
                epoch
            }
            Observed::Unknown(epoch) => {
                self.epoch.learn(epoch, repo::next_scheduled(conn, filter.now)?);
                epoch
            }
        };
        let total = filter.count(conn)?;
        if key.len() <= MAX_TOTAL_KEY_BYTES {
            if let Ok(mut state) = self.state.lock() {
                // A total counted before a write committed is not kept after it.
                if self.epoch.current() == epoch {
                    if state.epoch != epoch || state.entries.len() >= MAX_TOTALS {
                        state.entries.clear();
                        state.epoch = epoch;
                    }
                    state.entries.insert(key, (std::time::Instant::now(), total));
                }
            }
        }
        Ok(total)
    }
}
