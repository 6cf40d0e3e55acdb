//! PostgreSQL's LISTEN/NOTIFY for content changes: every content write notifies the channel when
//! it commits (`db::count_content_change`), and each instance listens on a connection of its own,
//! so it learns of another instance's write within milliseconds instead of at its next poll of
//! `content_changes`. The poll stays as the fallback: a notification sent while the listening
//! connection was down is not delivered later, and SQLite has no notifications at all.

use diesel::pg::PgConnection;
use diesel::{Connection, RunQueryDsl};
use secrecy::{ExposeSecret, SecretString};

use crate::config::Database;

/// The channel content writes notify.
pub const CHANNEL: &str = "warta_content_changes";

/// What a check of the listening connection found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Heard {
    Nothing,
    /// A content write committed (one or more).
    Notified,
    /// The connection was (re)opened: writes before it were not notified, so read the count.
    StartedListening,
}

pub struct ChangeListener {
    url: SecretString,
    /// The listening connection, opened on first use and again after it failed.
    conn: Option<PgConnection>,
}

impl ChangeListener {
    /// A listener for `database`; `None` on SQLite.
    pub fn new(database: &Database) -> Option<ChangeListener> {
        match database {
            Database::Postgres(url) => Some(ChangeListener { url: url.clone(), conn: None }),
            Database::Sqlite(_) => None,
        }
    }

    /// Whether a content write was notified since the last call. Reads only what has already
    /// arrived on the connection's socket: it never waits for the server. On an error the
    /// connection is dropped and opened anew by the next call.
    pub fn check(&mut self) -> anyhow::Result<Heard> {
        if self.conn.is_none() {
            let mut conn = PgConnection::establish(self.url.expose_secret())?;
            diesel::sql_query(format!("LISTEN {CHANNEL}")).execute(&mut conn)?;
            self.conn = Some(conn);
            return Ok(Heard::StartedListening);
        }
        let Some(conn) = self.conn.as_mut() else { return Ok(Heard::Nothing) };
        let mut notified = false;
        let mut failed = None;
        for notification in conn.notifications_iter() {
            match notification {
                Ok(_) => notified = true,
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            }
        }
        if let Some(e) = failed {
            self.conn = None;
            return Err(e.into());
        }
        Ok(if notified { Heard::Notified } else { Heard::Nothing })
    }
}
