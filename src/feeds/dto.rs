//! Request and response bodies of `/feeds`.

use serde::de::IntoDeserializer;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::articles::dto::ArticleSummary;

/// Newest visible articles first.
#[derive(Debug, Serialize, ToSchema)]
pub struct LatestFeed {
    pub data: Vec<ArticleSummary>,
    /// Pass as `cursor` for the next items ("Selengkapnya"); `null` at the end. Stays valid while
    /// articles are published: paging on never repeats or skips an item.
    #[schema(example = "MTY5MzQ2NTc0MC4wMDAwMDAwMDA6NDI", required = true)]
    pub next_cursor: Option<String>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct LatestQuery {
    /// Items, 1 to 50 (default 10).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 50)]
    pub limit: Option<String>,
    /// A category slug; its sub-categories are included.
    #[serde(default, deserialize_with = "crate::extract::non_empty")]
    pub category: Option<String>,
    /// `next_cursor` of the previous page.
    #[serde(default, deserialize_with = "crate::extract::non_empty")]
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
    #[param(inline, value_type = Option<TrendingWindow>)]
    pub window: Option<String>,
    /// Items, 1 to 50 (default 10).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 50)]
    pub limit: Option<String>,
    /// A category slug; its sub-categories are included.
    #[serde(default, deserialize_with = "crate::extract::non_empty")]
    pub category: Option<String>,
}

/// How far back the trending feed counts reads, in whole hours: `1h` is the current hour and the
/// one before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
pub enum TrendingWindow {
    #[serde(rename = "1h")]
    Hour,
    #[serde(rename = "24h")]
    Day,
    #[serde(rename = "7d")]
    Week,
    #[serde(rename = "30d")]
    Month,
}

impl TrendingWindow {
    pub fn parse(raw: &str) -> Option<TrendingWindow> {
        TrendingWindow::deserialize(IntoDeserializer::<serde::de::value::Error>::into_deserializer(raw)).ok()
    }

    pub fn hours(self) -> i64 {
        match self {
            TrendingWindow::Hour => 1,
            TrendingWindow::Day => 24,
            TrendingWindow::Week => 7 * 24,
            TrendingWindow::Month => 30 * 24,
        }
    }
}
