//! The editorial workflow's statuses and the one rule of visibility: an article is visible when it
//! is `published`, or `scheduled` with its time passed, and then it reads as `published`.

use chrono::NaiveDateTime;
use diesel::deserialize::FromSqlRow;
use diesel::expression::AsExpression;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::stored_text::stored_as_text;

/// Where an article stands in the workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, AsExpression, FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Text)]
#[serde(rename_all = "lowercase")]
pub enum ArticleStatus {
    /// Being written.
    Draft,
    /// Submitted by a writer for an editor's review.
    Review,
    /// Will become visible at `published_at`.
    Scheduled,
    /// Visible to everyone.
    Published,
    /// Taken down; kept for the record.
    Archived,
}

/// What decides whether an article is visible: its id, stored status and publication time.
pub type Visibility = (crate::domain::ids::ArticleId, ArticleStatus, Option<NaiveDateTime>);

stored_as_text!(ArticleStatus, "article status");

impl ArticleStatus {
    pub const ALL: [ArticleStatus; 5] = [
        ArticleStatus::Draft,
        ArticleStatus::Review,
        ArticleStatus::Scheduled,
        ArticleStatus::Published,
        ArticleStatus::Archived,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ArticleStatus::Draft => "draft",
            ArticleStatus::Review => "review",
            ArticleStatus::Scheduled => "scheduled",
            ArticleStatus::Published => "published",
            ArticleStatus::Archived => "archived",
        }
    }

    pub fn parse(raw: &str) -> Option<ArticleStatus> {
        ArticleStatus::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// Whether a writer may put an article in this status (the rest need an editor).
    pub fn open_to_writers(self) -> bool {
        matches!(self, ArticleStatus::Draft | ArticleStatus::Review)
    }

    /// The status readers see: a scheduled article whose time has come reads as published.
    pub fn effective(self, published_at: Option<NaiveDateTime>, now: NaiveDateTime) -> ArticleStatus {
        match (self, published_at) {
            (ArticleStatus::Scheduled, Some(at)) if at <= now => ArticleStatus::Published,
            (status, _) => status,
        }
    }

    pub fn is_visible(self, published_at: Option<NaiveDateTime>, now: NaiveDateTime) -> bool {
        self.effective(published_at, now) == ArticleStatus::Published
    }

    /// The status to store for a requested status and time: publishing with a future time is
    /// scheduling, and publishing without a time publishes now.
    pub fn resolve(
        self,
        published_at: Option<NaiveDateTime>,
        now: NaiveDateTime,
    ) -> (ArticleStatus, Option<NaiveDateTime>) {
        match (self, published_at) {
            (ArticleStatus::Published, None) => (ArticleStatus::Published, Some(now)),
            (ArticleStatus::Published, Some(at)) if at > now => (ArticleStatus::Scheduled, Some(at)),
            (status, at) => (status, at),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: u32) -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2024, 1, 1).and_then(|d| d.and_hms_opt(h, 0, 0)).expect("valid")
    }

    #[test]
    fn scheduled_articles_become_visible_at_their_time() {
        let now = t(12);
        assert!(!ArticleStatus::Scheduled.is_visible(Some(t(13)), now));
        assert!(ArticleStatus::Scheduled.is_visible(Some(t(12)), now));
        assert_eq!(ArticleStatus::Scheduled.effective(Some(t(11)), now), ArticleStatus::Published);
        for hidden in [ArticleStatus::Draft, ArticleStatus::Review, ArticleStatus::Archived] {
            assert!(!hidden.is_visible(Some(t(1)), now));
        }
    }

    #[test]
    fn publishing_resolves_its_time() {
        let now = t(12);
        assert_eq!(ArticleStatus::Published.resolve(None, now), (ArticleStatus::Published, Some(now)));
        assert_eq!(ArticleStatus::Published.resolve(Some(t(14)), now), (ArticleStatus::Scheduled, Some(t(14))));
        assert_eq!(ArticleStatus::Published.resolve(Some(t(9)), now), (ArticleStatus::Published, Some(t(9))));
        assert_eq!(ArticleStatus::Draft.resolve(None, now), (ArticleStatus::Draft, None));
    }
}
