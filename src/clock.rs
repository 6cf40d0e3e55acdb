//! The time the application acts at. Services never read the system clock themselves: handlers and
//! background tasks ask the [`Clock`] in the app state and pass `now` in, so a test can move time
//! forward (a schedule falls due, a window or a token expires) instead of sleeping through it.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use actix_web::dev::Payload;
use actix_web::web::Data;
use actix_web::{FromRequest, HttpRequest};
use chrono::NaiveDateTime;

use crate::config::Settings;

/// The system's UTC time plus an offset that only tests move. Cloning shares the offset, so the
/// clone a test keeps moves the server's time too.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    offset_millis: Arc<AtomicI64>,
}

impl Clock {
    pub fn system() -> Clock {
        Clock::default()
    }

    /// Now in UTC, as the database stores it.
    pub fn now(&self) -> NaiveDateTime {
        #[allow(clippy::disallowed_methods)] // the one place the system clock is read
        let system = chrono::Utc::now().naive_utc();
        // To the microsecond, as PostgreSQL stores times: what is written is what is read back.
        let now = system + chrono::Duration::milliseconds(self.offset_millis.load(Ordering::Relaxed));
        chrono::SubsecRound::trunc_subsecs(now, 6)
    }

    /// Seconds since the Unix epoch, as JWT claims carry them.
    pub fn unix_seconds(&self) -> i64 {
        self.now().and_utc().timestamp()
    }

    /// Moves this clock, and every clone of it, forward.
    pub fn advance(&self, by: std::time::Duration) {
        let millis = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        self.offset_millis.fetch_add(millis, Ordering::Relaxed);
    }
}

/// The time a request is handled at, read once from the app's [`Clock`].
#[derive(Clone, Copy, Debug)]
pub struct Now(pub NaiveDateTime);

impl Now {
    /// The app's time for a request, where a handler already has more extractors than it should.
    pub fn of(req: &HttpRequest) -> NaiveDateTime {
        match req.app_data::<Data<Clock>>() {
            Some(clock) => clock.now(),
            // An app built without a clock (never by `startup`) still gets the system's time.
            None => Clock::system().now(),
        }
    }
}

impl FromRequest for Now {
    type Error = std::convert::Infallible;
    type Future = std::future::Ready<Result<Now, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(Ok(Now(Now::of(req))))
    }
}

/// When an answer is made, and the site's zone it prints times in (`WARTA_TIMEZONE`).
#[derive(Clone, Copy, Debug)]
pub struct Moment {
    pub now: NaiveDateTime,
    pub tz: chrono_tz::Tz,
}

impl FromRequest for Moment {
    type Error = std::convert::Infallible;
    type Future = std::future::Ready<Result<Moment, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let Ok(Now(now)) = Now::from_request(req, payload).into_inner();
        let tz = req.app_data::<Data<Settings>>().map_or(chrono_tz::UTC, |s| s.timezone);
        std::future::ready(Ok(Moment { now, tz }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advancing_a_clone_moves_the_original() {
        let clock = Clock::system();
        let before = clock.now();
        clock.clone().advance(std::time::Duration::from_secs(3600));
        let moved = clock.now() - before;
        assert!(moved >= chrono::Duration::seconds(3600) && moved < chrono::Duration::seconds(3660), "{moved}");
    }
}
