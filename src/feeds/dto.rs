//! Request and response bodies of `/feeds`.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::articles::dto::ArticleSummary;

/// Newest visible articles first.
#[derive(Debug, Serialize, ToSchema)]
pub struct LatestFeed {
    pub data: Vec<ArticleSummary>,
    /// Pass as `cursor` for the next items ("Selengkapnya"); `null` at the end. Stays valid while
    /// articles are published: paging on never repeats or skips an item.
    #[schema(example = "MTY5MzQ2NTc0MDAwMDAwMDo0Mg")]
    pub next_cursor: Option<String>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct LatestQuery {
    /// Items, 1 to 50 (default 10).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 50)]
    pub limit: Option<String>,
    /// A category slug; its sub-categories are included.
    pub category: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// An article in the trending feed, with its reads in the window.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TrendingItem {
    #[serde(flatten)]
    pub article: ArticleSummary,
    /// Reads in the window.
    #[schema(example = 1532)]
    pub views: i64,
}

/// The most-read visible articles of a window, most first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TrendingFeed {
    pub data: Vec<TrendingItem>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct TrendingQuery {
    /// `1h`, `24h`, `7d` (default) or `30d`.
    pub window: Option<String>,
    /// Items, 1 to 50 (default 10).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 50)]
    pub limit: Option<String>,
    /// A category slug; its sub-categories are included.
    pub category: Option<String>,
}
