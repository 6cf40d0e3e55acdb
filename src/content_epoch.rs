//! The content epoch: one number that changes whenever what readers see may have changed. Every
//! cache of public answers (rendered responses, trending feeds, list totals, the view beacon's
//! article keys) remembers the epoch its entries were made at and ignores entries of another one,
//! so nothing is cleared by URL and no cache keeps its own generation counter.
//!
//! It moves on two occasions: after a content write commits (`db::write` bumps it, so HTTP and
//! command-line writes alike), and when the next scheduled article goes live (the first reader to
//! observe the epoch at or after that moment bumps it). It is one small type so that it can later
//! be shared between instances.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Mutex;

use chrono::NaiveDateTime;

/// No scheduled publication: a moment that never comes.
const NEVER: i64 = i64::MAX;

#[derive(Debug, Default)]
pub struct ContentEpoch {
    value: AtomicU64,
    /// `epoch + 1` for which `next_publication` is known; 0 when it is not known for any.
    known_for: AtomicU64,
    /// When the next scheduled article goes live, in microseconds since 1970 (`NEVER`: none).
    next_publication: AtomicI64,
    /// Serialises `learn`, which writes the two fields above.
    learning: Mutex<()>,
    /// The database's count of committed content writes (`db::content_changes`) that the epoch
    /// already covers: a write of this process moves it on itself, one of another process when a
    /// poll finds the count higher.
    changes_covered: AtomicI64,
    /// Writes of other processes followed, and the time from their commit until followed.
    followed: AtomicU64,
    follow_lag_micros: AtomicU64,
    /// Notifications of content writes heard (PostgreSQL's LISTEN/NOTIFY).
    notifications: AtomicU64,
    /// Content writes of this process that have counted themselves in the database and not yet
    /// moved the epoch on: a count read meanwhile may include them.
    own_writes_in_flight: AtomicU64,
}

/// The epoch a reader may use, and whether the next scheduled publication is known at it. Cached
/// entries are only served for a `Known` epoch: at an `Unknown` one the reader looks the next
/// publication up (`ContentEpoch::learn`), so it cannot miss the moment an article goes live.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Observed {
    Known(u64),
    Unknown(u64),
}

impl Observed {
    pub fn epoch(self) -> u64 {
        match self {
            Observed::Known(epoch) | Observed::Unknown(epoch) => epoch,
        }
    }
}

impl ContentEpoch {
    pub fn new() -> ContentEpoch {
        ContentEpoch { next_publication: AtomicI64::new(NEVER), ..ContentEpoch::default() }
    }

    /// The epoch now, for caches that do not depend on the time of day.
    pub fn current(&self) -> u64 {
        self.value.load(Ordering::Acquire)
    }

    /// Content changed: every cached answer made before now is stale.
    pub fn bump(&self) {
        self.value.fetch_add(1, Ordering::AcqRel);
    }

    /// This process committed the content write that took the database's count to `count`.
    pub fn bump_for_write(&self, count: i64) {
        self.changes_covered.fetch_max(count, Ordering::AcqRel);
        self.bump();
    }

    /// A content write of this process counted itself (`db::content_changes`) and will commit or
    /// roll back; `own_write_finished` follows either way.
    pub fn own_write_started(&self) {
        self.own_writes_in_flight.fetch_add(1, Ordering::AcqRel);
    }

    pub fn own_write_finished(&self) {
        self.own_writes_in_flight.fetch_sub(1, Ordering::AcqRel);
    }

    /// The database counts `count` committed content writes: moves on when some of them were made
    /// by another process since the epoch last moved on. A bump covers every write committed
    /// before it, so a count this process has covered already needs none.
    /// `lag` is how long ago the last of them committed, for `/metrics`.
    /// With `may_wait`, a count read while a write of this process is between its commit and its
    /// own bump is left for the next look (answers `false`): it may be that write alone, and moving
    /// on for it twice would count it as another process's. The caller bounds the waiting, so a
    /// process that writes without pause still follows the others.
    pub fn follow(&self, count: i64, lag: std::time::Duration, may_wait: bool) -> bool {
        if may_wait && self.own_writes_in_flight.load(Ordering::Acquire) > 0 {
            return false;
        }
        if self.changes_covered.fetch_max(count, Ordering::AcqRel) < count {
            self.bump();
            self.followed.fetch_add(1, Ordering::Relaxed);
            self.follow_lag_micros.fetch_add(u64::try_from(lag.as_micros()).unwrap_or(u64::MAX), Ordering::Relaxed);
        }
        true
    }

    /// A content write was notified: the count is read at once instead of at the next poll.
    pub fn heard_notification(&self) {
        self.notifications.fetch_add(1, Ordering::Relaxed);
    }

    /// Notifications of content writes heard so far.
    pub fn notifications(&self) -> u64 {
        self.notifications.load(Ordering::Relaxed)
    }

    /// Times the epoch moved on for writes of other processes, and their lag in all (microseconds).
    pub fn followed(&self) -> (u64, u64) {
        (self.followed.load(Ordering::Relaxed), self.follow_lag_micros.load(Ordering::Relaxed))
    }

    /// The epoch at `now`, moved on first when a scheduled article has gone live since it was learnt.
    pub fn observe(&self, now: NaiveDateTime) -> Observed {
        let epoch = self.current();
        if self.known_for.load(Ordering::Acquire) != epoch + 1 {
            return Observed::Unknown(epoch);
        }
        if now.and_utc().timestamp_micros() < self.next_publication.load(Ordering::Acquire) {
            return Observed::Known(epoch);
        }
        // Only one reader moves it on for this publication; the others see the new epoch.
        let _ = self.value.compare_exchange(epoch, epoch + 1, Ordering::AcqRel, Ordering::Acquire);
        Observed::Unknown(self.current())
    }

    /// Records when the next scheduled article goes live (`None`: none is scheduled), as looked up
    /// at `epoch`; ignored when the epoch has moved on since.
    pub fn learn(&self, epoch: u64, next: Option<NaiveDateTime>) {
        let Ok(_guard) = self.learning.lock() else { return };
        if self.current() != epoch {
            return;
        }
        let at = next.map_or(NEVER, |at| at.and_utc().timestamp_micros());
        self.next_publication.store(at, Ordering::Release);
        self.known_for.store(epoch + 1, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> NaiveDateTime {
        chrono::DateTime::from_timestamp(1_700_000_000 + seconds, 0).expect("time").naive_utc()
    }

    #[test]
    fn a_write_or_a_publication_moves_the_epoch_on() {
        let epoch = ContentEpoch::new();
        assert_eq!(epoch.observe(at(0)), Observed::Unknown(0));
        epoch.learn(0, Some(at(10)));
        assert_eq!(epoch.observe(at(9)), Observed::Known(0));
        assert_eq!(epoch.observe(at(10)), Observed::Unknown(1), "the article went live");
        epoch.learn(1, None);
        assert_eq!(epoch.observe(at(1_000_000)), Observed::Known(1), "nothing scheduled");
        epoch.bump();
        assert_eq!(epoch.observe(at(11)), Observed::Unknown(2), "a write forgets the schedule");
    }

    #[test]
    fn a_schedule_looked_up_before_a_write_is_not_learnt_after_it() {
        let epoch = ContentEpoch::new();
        let seen = epoch.observe(at(0)).epoch();
        epoch.bump();
        epoch.learn(seen, None);
        assert_eq!(epoch.observe(at(0)), Observed::Unknown(1));
    }

    /// A count read between an own write's commit and its bump is that write's: following it then
    /// would move the epoch on twice for one write and report it as another process's.
    #[test]
    fn an_own_write_in_flight_is_not_taken_for_another_process() {
        let epoch = ContentEpoch::new();
        let lag = std::time::Duration::ZERO;
        epoch.own_write_started();
        assert!(!epoch.follow(1, lag, true), "looked at again later");
        assert_eq!(epoch.current(), 0);
        epoch.bump_for_write(1);
        epoch.own_write_finished();
        assert!(epoch.follow(1, lag, true));
        assert_eq!((epoch.current(), epoch.followed().0), (1, 0), "one move, for the own write");
        epoch.own_write_started();
        assert!(epoch.follow(2, lag, false), "waited long enough: followed anyway");
        assert_eq!((epoch.current(), epoch.followed().0), (2, 1));
    }
}
