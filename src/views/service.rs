//! The view counter. Reads are accepted in memory, deduplicated per client and article, and written
//! in one transaction per flush interval: hourly buckets for trending plus each article's total.
//! Everything buffered is written on graceful shutdown, so a hard kill loses at most one interval.

use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::hash::BuildHasher;
use std::net::IpAddr;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use chrono::NaiveDateTime;

use crate::content_epoch::ContentEpoch;
use crate::db::{self, DbConn};
use crate::domain::article_status::Visibility;
use crate::domain::ids::ArticleId;
use crate::domain::slug::MAX_SLUG_LEN;
use crate::error::ApiError;
use crate::views::repo;

/// The trending windows, in hours, whose totals the flush keeps up to date.
pub const TRENDING_WINDOWS: [i64; 4] = [1, 24, 7 * 24, LONGEST_WINDOW_HOURS];
/// The longest trending window; older buckets are pruned.
pub const LONGEST_WINDOW_HOURS: i64 = 30 * 24;
/// Dedupe entries kept at most; past it, expired ones are dropped, then the oldest half.
const MAX_REMEMBERED_READS: usize = 1_000_000;

pub fn hour_of(at: NaiveDateTime) -> i64 {
    at.and_utc().timestamp().div_euclid(3600) * 3600
}

/// Whether a User-Agent is an obvious robot (or absent), whose reads are not counted.
pub fn is_bot(user_agent: Option<&str>) -> bool {
    let Some(agent) = user_agent.map(str::trim).filter(|a| !a.is_empty()) else { return true };
    let agent = agent.to_ascii_lowercase();
    agent.contains("crawl")
        || agent.contains("spider")
        || agent.contains("slurp")
        // "Googlebot", "bingbot", "AhrefsBot"; but "Cubot" is a phone maker, not a robot.
        || agent.split(|c: char| !c.is_ascii_alphanumeric()).any(|word| word.ends_with("bot") && word != "cubot")
}

/// What the beacon needs to know of an article, by the key readers use (id or slug): its id and
/// what decides visibility. Kept in memory for one content epoch so that a read is counted without
/// a database round trip; visibility is evaluated at each read, so a scheduled article starts
/// counting at its time.
pub struct ArticleKeys {
    epoch: std::sync::Arc<ContentEpoch>,
    /// The answers and the content epoch they were looked up at.
    entries: std::sync::RwLock<(u64, HashMap<String, Option<Visibility>>)>,
}

/// Keys remembered at most; past it the map starts over.
const MAX_KEYS: usize = 200_000;

impl ArticleKeys {
    pub fn new(epoch: std::sync::Arc<ContentEpoch>) -> ArticleKeys {
        ArticleKeys { epoch, entries: Default::default() }
    }

    /// `Some(answer)` when the key is known: the visible article's id, or `None` for 404.
    pub fn visible(&self, key: &str, now: NaiveDateTime) -> Option<Option<ArticleId>> {
        let entries = self.entries.read().ok()?;
        if entries.0 != self.epoch.current() {
            return None;
        }
        let entry = entries.1.get(key)?;
        Some(entry.and_then(|(id, status, at)| status.is_visible(at, now).then_some(id)))
    }

    /// The epoch to pass to `remember` for an answer about to be looked up.
    pub fn epoch(&self) -> u64 {
        self.epoch.current()
    }

    /// Keeps an answer looked up at `epoch`, unless a write has committed since.
    pub fn remember(&self, key: String, article: Option<Visibility>, epoch: u64) {
        // A key longer than any slug names nothing; remembering it would let clients fill memory.
        if key.len() > MAX_SLUG_LEN || self.epoch.current() != epoch {
            return;
        }
        if let Ok(mut entries) = self.entries.write() {
            if entries.0 != epoch || entries.1.len() >= MAX_KEYS {
                *entries = (epoch, HashMap::new());
            }
            entries.1.insert(key, article);
        }
    }
}

/// Reads accepted and not yet written.
#[derive(Default)]
struct Pending {
    /// Reads counted without claims (no dedupe period): per article and hour.
    unclaimed: HashMap<(ArticleId, i64), i64>,
    /// Reads that count only if their claims go in when written (see `view_claims`).
    claimed: Vec<ClaimedRead>,
}

struct ClaimedRead {
    article: ArticleId,
    at: NaiveDateTime,
    /// The claims of this reader and of its address on the article.
    claims: [i64; 2],
}

impl Pending {
    fn len(&self) -> i64 {
        self.unclaimed.values().sum::<i64>() + self.claimed.len() as i64
    }

    fn put_back(&mut self, batch: Pending) {
        for (key, views) in batch.unclaimed {
            *self.unclaimed.entry(key).or_insert(0) += views;
        }
        self.claimed.extend(batch.claimed);
    }
}

pub struct ViewCounter {
    dedupe: Duration,
    /// Counted reads per address and article within one dedupe period.
    per_address: u32,
    /// Keyed by a hash of (address, User-Agent, article), so no address is kept in memory.
    recent: Mutex<HashMap<u64, NaiveDateTime>>,
    /// Keyed by a hash of (address, article): when its period began and the reads counted in it.
    by_address: Mutex<HashMap<u64, (NaiveDateTime, u32)>>,
    pending: Mutex<Pending>,
    hasher: RandomState,
    /// Keys the claims' hash: the same on every instance that shares the database (it is derived
    /// from the token secret), unknown to readers, so a claim tells no one an address.
    claim_key: [u8; 32],
    last_prune: Mutex<Option<NaiveDateTime>>,
    /// Flushes finished, written or found empty: a read accepted before a flush began is
    /// written once that flush is counted here.
    flushes: AtomicU64,
    /// The hour the trending totals were last known to be brought to.
    trending_hour: AtomicI64,
}

impl ViewCounter {
    pub fn new(dedupe: Duration, per_address: u32, claim_key: [u8; 32]) -> ViewCounter {
        ViewCounter {
            dedupe,
            per_address,
            recent: Mutex::new(HashMap::new()),
            by_address: Mutex::new(HashMap::new()),
            pending: Mutex::new(Pending::default()),
            hasher: RandomState::new(),
            claim_key,
            last_prune: Mutex::new(None),
            flushes: AtomicU64::new(0),
            trending_hour: AtomicI64::new(0),
        }
    }

    /// Accepts one read of `article` by the client at `address` with `agent` at `at`; returns
    /// whether it counts. Within one dedupe period the same client (address and User-Agent)
    /// counts once per article, and one address counts at most `per_address` times per article
    /// whatever User-Agents it sends: readers behind one NAT address still count (up to that cap),
    /// one client rotating User-Agents does not inflate trending.
    ///
    /// This instance's memory answers first; what it lets through still has to win its claims in
    /// the database when written, which is what makes the rule hold across instances.
    pub fn record(&self, article: ArticleId, address: IpAddr, agent: &str, at: NaiveDateTime) -> bool {
        if self.dedupe.is_zero() {
            let Ok(mut pending) = self.pending.lock() else { return false };
            *pending.unclaimed.entry((article, hour_of(at))).or_insert(0) += 1;
            return true;
        }
        let now = at;
        let elapsed = |since: NaiveDateTime| (now - since).to_std().unwrap_or_default();
        let client = self.hasher.hash_one((address, agent, article));
        let Ok(mut recent) = self.recent.lock() else { return false };
        if recent.get(&client).is_some_and(|seen| elapsed(*seen) < self.dedupe) {
            return false;
        }
        let Ok(mut by_address) = self.by_address.lock() else { return false };
        let key = self.hasher.hash_one((address, article));
        let (since, counted) = by_address.get(&key).copied().unwrap_or((now, 0));
        let (since, counted) = if elapsed(since) >= self.dedupe { (now, 0) } else { (since, counted) };
        if counted >= self.per_address {
            return false;
        }
        bound(&mut recent, |seen| elapsed(*seen) < self.dedupe);
        bound(&mut by_address, |(since, _)| elapsed(*since) < self.dedupe);
        recent.insert(client, now);
        by_address.insert(key, (since, counted + 1));
        let claims = [
            self.claim(&[b"reader", &address_bytes(address), agent.as_bytes(), &article.0.to_be_bytes()]),
            self.claim(&[b"address", &address_bytes(address), &article.0.to_be_bytes()]),
        ];
        drop((recent, by_address));
        let Ok(mut pending) = self.pending.lock() else { return false };
        pending.claimed.push(ClaimedRead { article, at, claims });
        true
    }

    fn claim(&self, parts: &[&[u8]]) -> i64 {
        use sha2::Digest;
        let mut hash = sha2::Sha256::new();
        hash.update(self.claim_key);
        for part in parts {
            // Length-prefixed, so no two different lists of parts hash the same bytes.
            hash.update((part.len() as u64).to_be_bytes());
            hash.update(part);
        }
        let digest = hash.finalize();
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        i64::from_be_bytes(first)
    }

    /// Drops the buffered reads of a deleted article.
    pub fn forget(&self, article: ArticleId) {
        if let Ok(mut pending) = self.pending.lock() {
            pending.unclaimed.retain(|(id, _), _| *id != article);
            pending.claimed.retain(|read| read.article != article);
        }
    }

    /// Reads accepted but not yet written.
    pub fn pending(&self) -> i64 {
        self.pending.lock().map(|p| p.len()).unwrap_or(0)
    }

    /// Flushes finished so far (see `flushes` on the struct).
    pub fn flushes(&self) -> u64 {
        self.flushes.load(Ordering::Acquire)
    }

    /// Writes everything buffered in one transaction; on failure the reads go back into the buffer.
    pub fn flush(&self, conn: &mut DbConn, now: NaiveDateTime) -> Result<i64, ApiError> {
        let written = self.write_pending(conn, now);
        if written.is_ok() {
            self.flushes.fetch_add(1, Ordering::Release);
        }
        written
    }

    fn write_pending(&self, conn: &mut DbConn, now: NaiveDateTime) -> Result<i64, ApiError> {
        let batch = match self.pending.lock() {
            Ok(mut pending) => std::mem::take(&mut *pending),
            Err(_) => return Ok(0),
        };
        if batch.unclaimed.is_empty() && batch.claimed.is_empty() {
            if self.trending_hour.load(Ordering::Acquire) < hour_of(now) {
                let aligned = db::write_private(conn, |conn| self.align_trending(conn, now))?;
                self.trending_hour.fetch_max(aligned, Ordering::AcqRel);
            }
            self.prune(conn, now)?;
            return Ok(0);
        }
        let written = db::write_private(conn, |conn| {
            let trending_hour = self.align_trending(conn, now)?;
            let mut counted = batch.unclaimed.clone();
            for (article, hour) in self.won_claims(conn, &batch.claimed)? {
                *counted.entry((article, hour)).or_insert(0) += 1;
            }
            let mut totals: HashMap<ArticleId, i64> = HashMap::new();
            let mut in_windows = Vec::new();
            let mut written = 0;
            for (&(article, hour), &views) in &counted {
                if !repo::article_exists(conn, article)? {
                    continue;
                }
                repo::add_to_bucket(conn, article, hour, views)?;
                *totals.entry(article).or_insert(0) += views;
                written += views;
                // A window at hour H holds the buckets of H - window .. H, both ends included.
                let windows =
                    TRENDING_WINDOWS.iter().filter(|&&w| hour <= trending_hour && hour >= trending_hour - w * 3600);
                in_windows.extend(windows.map(|&w| (w, article, views)));
            }
            for (article, views) in totals {
                repo::add_to_total(conn, article, views)?;
            }
            repo::add_to_trending(conn, &in_windows)?;
            Ok((written, trending_hour))
        });
        let written = match written {
            Ok((written, trending_hour)) => {
                self.trending_hour.fetch_max(trending_hour, Ordering::AcqRel);
                Ok(written)
            }
            Err(e) => {
                if let Ok(mut pending) = self.pending.lock() {
                    pending.put_back(batch);
                }
                Err(e)
            }
        };
        self.prune(conn, now)?;
        written
    }

    /// Brings the trending totals to the hour of `now` unless they are there (or later: a clock
    /// set back leaves them be); answers the hour they hold. Inside a serialised write, so of
    /// several instances the first to get there does it.
    fn align_trending(&self, conn: &mut DbConn, now: NaiveDateTime) -> Result<i64, ApiError> {
        let (held, hour) = (repo::trending_hour(conn)?, hour_of(now));
        let aligned = if held < hour {
            repo::advance_trending(conn, &TRENDING_WINDOWS, held, hour)?;
            hour
        } else {
            held
        };
        Ok(aligned)
    }

    /// Applies the dedupe rule of `record` to `reads` against the claims every instance has
    /// written, writes the claims back, and answers the article and hour of each read that counts.
    /// Runs inside the flush's serialised write: no other flush reads or writes claims meanwhile.
    fn won_claims(&self, conn: &mut DbConn, reads: &[ClaimedRead]) -> Result<Vec<(ArticleId, i64)>, ApiError> {
        let named: Vec<i64> =
            reads.iter().flat_map(|read| read.claims).collect::<std::collections::HashSet<_>>().into_iter().collect();
        let mut claims: HashMap<i64, (i64, i32)> = HashMap::with_capacity(named.len());
        for chunk in named.chunks(CLAIMS_PER_STATEMENT) {
            claims.extend(repo::claims(conn, chunk)?);
        }
        let period = i64::try_from(self.dedupe.as_secs()).unwrap_or(i64::MAX);
        let cap = i32::try_from(self.per_address).unwrap_or(i32::MAX);
        let live = |since: i64, at: i64| at.saturating_sub(since) < period;
        let mut changed = std::collections::HashSet::new();
        let mut counted = Vec::new();
        for read in reads {
            let at = read.at.and_utc().timestamp();
            let [reader, address] = read.claims;
            if claims.get(&reader).is_some_and(|&(since, _)| live(since, at)) {
                continue;
            }
            let by_address = claims.get(&address).copied().filter(|&(since, _)| live(since, at));
            if by_address.is_some_and(|(_, reads)| reads >= cap) {
                continue;
            }
            claims.insert(reader, (at, 1));
            claims.insert(address, by_address.map_or((at, 1), |(since, reads)| (since, reads + 1)));
            changed.extend([reader, address]);
            counted.push((read.article, hour_of(read.at)));
        }
        let changed: Vec<(i64, i64, i32)> = changed
            .into_iter()
            .filter_map(|claim| claims.get(&claim).map(|&(since, reads)| (claim, since, reads)))
            .collect();
        for chunk in changed.chunks(CLAIMS_PER_STATEMENT / 2) {
            repo::put_claims(conn, chunk)?;
        }
        Ok(counted)
    }

    /// Drops buckets older than the longest window, at most once an hour, and forgets dedupe
    /// entries that have expired.
    fn prune(&self, conn: &mut DbConn, now: NaiveDateTime) -> Result<(), ApiError> {
        let due = match self.last_prune.lock() {
            Ok(mut last) if last.is_none_or(|at| now - at >= chrono::Duration::hours(1)) => {
                *last = Some(now);
                true
            }
            _ => false,
        };
        if due {
            repo::prune_before(conn, hour_of(now) - LONGEST_WINDOW_HOURS * 3600)?;
            let period = i64::try_from(self.dedupe.as_secs()).unwrap_or(i64::MAX);
            repo::drop_claims_before(conn, now.and_utc().timestamp().saturating_sub(period))?;
            let live = |since: &NaiveDateTime| (now - *since).to_std().unwrap_or_default() < self.dedupe;
            if let Ok(mut recent) = self.recent.lock() {
                recent.retain(|_, seen| live(seen));
            }
            if let Ok(mut by_address) = self.by_address.lock() {
                by_address.retain(|_, (since, _)| live(since));
            }
        }
        Ok(())
    }
}

/// The bytes of an address, IPv4 and its IPv6-mapped form alike.
fn address_bytes(address: IpAddr) -> [u8; 16] {
    match address {
        IpAddr::V4(v4) => v4.to_ipv6_mapped().octets(),
        IpAddr::V6(v6) => v6.octets(),
    }
}

/// Claims read per statement (one bound value each; written, three each, half as many): well under
/// either engine's limit of bound values.
const CLAIMS_PER_STATEMENT: usize = 8_000;

/// Keeps a dedupe map under `MAX_REMEMBERED_READS`: when full, expired entries go, then (if it is
/// still half full) everything.
fn bound<V>(map: &mut HashMap<u64, V>, live: impl Fn(&V) -> bool) {
    if map.len() >= MAX_REMEMBERED_READS {
        map.retain(|_, value| live(value));
        if map.len() >= MAX_REMEMBERED_READS / 2 {
            map.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn robots_and_empty_agents_are_not_readers() {
        for bot in [
            None,
            Some(""),
            Some("Googlebot/2.1 (+http://www.google.com/bot.html)"),
            Some("Mozilla/5.0 (compatible; bingbot/2.0)"),
            Some("AhrefsBot"),
            Some("my-crawler 1.0"),
            Some("Baiduspider"),
            Some("Yahoo! Slurp"),
        ] {
            assert!(is_bot(bot), "{bot:?}");
        }
        for reader in
            ["Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36", "Warta/1.0 iOS"]
        {
            assert!(!is_bot(Some(reader)), "{reader}");
        }
    }

    fn ip(n: u8) -> IpAddr {
        IpAddr::from([192, 0, 2, n])
    }

    #[test]
    fn a_deleted_articles_buffered_reads_are_forgotten() {
        let counter = ViewCounter::new(Duration::ZERO, 10, [0; 32]);
        let at = crate::clock::Clock::system().now();
        for client in 1..=3 {
            counter.record(ArticleId(7), ip(client), "a", at);
        }
        counter.record(ArticleId(8), ip(1), "a", at);
        counter.forget(ArticleId(7));
        assert_eq!(counter.pending(), 1);
    }

    #[test]
    fn keys_longer_than_any_slug_are_not_remembered() {
        let epoch = std::sync::Arc::new(ContentEpoch::new());
        let keys = ArticleKeys::new(epoch.clone());
        let now = crate::clock::Clock::system().now();
        keys.remember("a".repeat(121), None, keys.epoch());
        assert_eq!(keys.visible(&"a".repeat(121), now), None, "unknown: asked of the database each time");
        keys.remember("a".repeat(120), None, keys.epoch());
        assert_eq!(keys.visible(&"a".repeat(120), now), Some(None), "known to name nothing");
        let before_a_write = keys.epoch();
        epoch.bump();
        assert_eq!(keys.visible(&"a".repeat(120), now), None, "forgotten after a write");
        keys.remember("b".into(), None, before_a_write);
        assert_eq!(keys.visible("b", now), None, "an answer from before a write is not kept");
    }

    #[test]
    fn one_client_counts_once_per_period() {
        let counter = ViewCounter::new(Duration::from_secs(60), 10, [0; 32]);
        let at = crate::clock::Clock::system().now();
        assert!(counter.record(ArticleId(1), ip(4), "Mozilla", at));
        assert!(!counter.record(ArticleId(1), ip(4), "Mozilla", at));
        assert!(counter.record(ArticleId(2), ip(4), "Mozilla", at));
        assert!(counter.record(ArticleId(1), ip(5), "Mozilla", at));
        assert_eq!(counter.pending(), 3);
        let every_read = ViewCounter::new(Duration::ZERO, 1, [0; 32]);
        assert!(every_read.record(ArticleId(1), ip(1), "a", at) && every_read.record(ArticleId(1), ip(1), "a", at));
    }

    #[test]
    fn one_address_counts_at_most_its_cap_per_article_whatever_its_user_agents() {
        let counter = ViewCounter::new(Duration::from_secs(60), 3, [0; 32]);
        let at = crate::clock::Clock::system().now();
        let counted = (0..50).filter(|n| counter.record(ArticleId(1), ip(9), &format!("Agent {n}"), at)).count();
        assert_eq!(counted, 3);
        assert!(counter.record(ArticleId(2), ip(9), "Agent 0", at), "another article has its own cap");
        assert!(counter.record(ArticleId(1), ip(10), "Agent 0", at), "another address has its own cap");
    }

    /// Each window's running totals equal its buckets' sums at every hour the flush brings them
    /// to, whether they moved on by an hour, by less than a window, or past all they held.
    #[test]
    fn trending_totals_are_the_sums_of_their_windows_buckets() {
        use diesel::connection::SimpleConnection;
        use diesel::prelude::*;
        use rand::{Rng, SeedableRng};
        let conn = &mut crate::db::tests::memory_conn();
        conn.batch_execute(
            "INSERT INTO categories (id, slug, name, description, parent_id, position, created_at, updated_at)
                VALUES (1, 'berita', 'Berita', '', NULL, 0, '2024-01-01 00:00:00', '2024-01-01 00:00:00');",
        )
        .expect("a category");
        for id in 1..=6 {
            conn.batch_execute(&format!(
                "INSERT INTO articles (id, status, published_at, category_id, word_count, reading_time_minutes,
                    body_format, created_at, updated_at, slug, title, excerpt, body, body_html)
                 VALUES ({id}, 'published', '2024-01-01 00:00:00', 1, 1, 1, 'markdown', '2024-01-01 00:00:00',
                    '2024-01-01 00:00:00', 'a-{id}', 'A', '', '', '');"
            ))
            .expect("an article");
        }
        let sums = |conn: &mut DbConn, at: i64, window: i64| -> Vec<(i32, i64)> {
            use crate::db::schema::article_views::dsl::*;
            let rows: Vec<(i32, i64)> = article_views
                .filter(hour.ge(at - window * 3600).and(hour.le(at)))
                .select((article_id, views))
                .load(conn)
                .expect("buckets");
            let mut sums = std::collections::BTreeMap::new();
            for (id, read) in rows {
                *sums.entry(id).or_insert(0) += read;
            }
            sums.into_iter().collect()
        };
        let totals = |conn: &mut DbConn, window: i64| -> Vec<(i32, i64)> {
            use crate::db::schema::trending_totals::dsl::*;
            trending_totals
                .filter(window_hours.eq(window as i32))
                .select((article_id, views))
                .order(article_id)
                .load(conn)
                .expect("totals")
        };
        let counter = ViewCounter::new(Duration::ZERO, 10, [0; 32]);
        let mut rng = rand::rngs::StdRng::seed_from_u64(11);
        let mut now = chrono::DateTime::parse_from_rfc3339("2024-06-01T10:20:00Z").expect("valid").naive_utc();
        for step_hours in [0, 1, 1, 3, 23, 24, 2, 160, 5, 700, 40, 1, 800, 1] {
            now += chrono::Duration::hours(step_hours);
            for _ in 0..rng.gen_range(1..40) {
                let article = ArticleId(rng.gen_range(1..=6));
                // Now and then a read from the hour before, flushed only in this one, or from the
                // next hour (by an instance whose clock is ahead): in no window until then.
                let at = match rng.gen_range(0..10) {
                    0 | 1 => now - chrono::Duration::hours(1),
                    2 => now + chrono::Duration::hours(1),
                    _ => now,
                };
                counter.record(article, ip(rng.gen_range(1..=200)), "Mozilla", at);
            }
            counter.flush(conn, now).expect("a flush");
            let hour = hour_of(now);
            assert_eq!(repo::trending_hour(conn).expect("the hour"), hour);
            for window in TRENDING_WINDOWS {
                let expected: Vec<_> = sums(conn, hour, window).into_iter().filter(|(_, v)| *v > 0).collect();
                assert_eq!(totals(conn, window), expected, "window {window} h after {step_hours} h");
            }
        }
    }

    #[test]
    fn hours_are_whole() {
        let at = chrono::DateTime::parse_from_rfc3339("2024-01-01T10:59:59Z").expect("valid").naive_utc();
        assert_eq!(hour_of(at) % 3600, 0);
        assert_eq!(at.and_utc().timestamp() - hour_of(at), 3599);
    }
}
