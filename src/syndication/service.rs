//! Rendering the feeds. RSS is written by hand (a dozen elements, every text escaped); JSON Feed is
//! serialized from typed structs.

use std::collections::HashMap;

use chrono::{NaiveDateTime, SecondsFormat};
use serde::Serialize;

use crate::articles::dto::ArticleSummary;
use crate::articles::repo::{self as articles, ArticleFilter};
use crate::articles::service::summaries_of;
use crate::categories;
use crate::categories::service::Tree;
use crate::config::Settings;
use crate::db::DbConn;
use crate::domain::key::ItemKey;
use crate::error::ApiError;

/// Articles in a feed.
const FEED_SIZE: i64 = 50;

/// The latest visible articles with their HTML bodies, and the feed's title suffix.
pub struct FeedContent {
    pub title: String,
    pub category: Option<String>,
    pub items: Vec<(ArticleSummary, String)>,
}

pub fn content(
    conn: &mut DbConn,
    category: Option<&str>,
    settings: &Settings,
    now: NaiveDateTime,
) -> Result<FeedContent, ApiError> {
    let tree = Tree::load(conn)?;
    let (title, categories) = match category {
        Some(slug) => {
            let found =
                categories::repo::find_by_key(conn, &ItemKey::slug(slug))?.ok_or(ApiError::NotFound("category"))?;
            (format!("{} — {}", settings.site_name, found.name), Some(tree.subtree(found.id)))
        }
        None => (settings.site_name.clone(), None),
    };
    let filter = ArticleFilter::newest_visible(categories, None, now);
    let ids = filter.page(conn, FEED_SIZE, 0)?;
    let bodies: HashMap<_, _> = articles::by_ids(conn, &ids)?.into_iter().map(|row| (row.id, row.body_html)).collect();
    let summaries = summaries_of(conn, &tree, &ids, settings.timezone, now)?;
    let items = summaries
        .into_iter()
        .map(|s| {
            let body = bodies.get(&s.id).cloned().unwrap_or_default();
            (s, body)
        })
        .collect();
    Ok(FeedContent { title, category: category.map(str::to_owned), items })
}

/// Where a reader finds the article on the site.
pub fn article_url(settings: &Settings, article: &ArticleSummary) -> String {
    settings
        .article_url
        .replace("{slug}", &article.slug)
        .replace("{id}", &article.id.to_string())
        .replace("{category}", &article.category.slug)
}

fn feed_url(settings: &Settings, file: &str, category: Option<&str>) -> String {
    let query = category.map(|c| format!("?category={}", urlencode(c))).unwrap_or_default();
    format!("{}/api/v1/syndication/{file}{query}", settings.public_url)
}

fn urlencode(value: &str) -> String {
    serde_urlencoded::to_string([("", value)]).map(|s| s.trim_start_matches('=').to_owned()).unwrap_or_default()
}

/// Text for XML element content and attribute values.
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // A raw carriage return would be read back as a newline.
            '\r' => out.push_str("&#13;"),
            // Characters XML 1.0 forbids are dropped rather than breaking the document.
            c if ((c as u32) < 0x20 && !matches!(c, '\t' | '\n')) || matches!(c, '\u{FFFE}' | '\u{FFFF}') => {}
            c => out.push(c),
        }
    }
    out
}

/// RFC 2822 as `to_rfc2822` writes it, without its panic on years outside 0-9999 (refused on
/// input, but a feed must not crash a worker on a stored value).
fn rfc2822(at: &NaiveDateTime) -> String {
    at.format("%a, %d %b %Y %H:%M:%S +0000").to_string()
}

fn rfc3339(at: &NaiveDateTime) -> String {
    at.and_utc().to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A stable identity for an article, kept when its slug changes.
fn guid(settings: &Settings, article: &ArticleSummary) -> String {
    format!("{}/api/v1/articles/{}", settings.public_url, article.id)
}

pub fn rss(feed: &FeedContent, settings: &Settings) -> String {
    let mut out = String::with_capacity(4096 + feed.items.len() * 4096);
    out.push_str(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" \
         xmlns:media=\"http://search.yahoo.com/mrss/\">\n<channel>\n",
    );
    let element = |out: &mut String, name: &str, text: &str| {
        out.push_str(&format!("<{name}>{}</{name}>\n", xml_escape(text)));
    };
    element(&mut out, "title", &feed.title);
    element(&mut out, "link", &settings.public_url);
    element(&mut out, "description", &format!("Berita terbaru dari {}", feed.title));
    element(&mut out, "language", "id");
    element(&mut out, "generator", "Warta");
    let self_url = feed_url(settings, "rss.xml", feed.category.as_deref());
    out.push_str(&format!(
        "<atom:link href=\"{}\" rel=\"self\" type=\"application/rss+xml\"/>\n",
        xml_escape(&self_url)
    ));
    if let Some(newest) = feed.items.iter().filter_map(|(a, _)| a.published_at).max() {
        element(&mut out, "lastBuildDate", &rfc2822(&newest));
    }
    for (article, body_html) in &feed.items {
        out.push_str("<item>\n");
        element(&mut out, "title", &article.title);
        element(&mut out, "link", &article_url(settings, article));
        out.push_str(&format!("<guid isPermaLink=\"false\">{}</guid>\n", xml_escape(&guid(settings, article))));
        if let Some(at) = &article.published_at {
            element(&mut out, "pubDate", &rfc2822(at));
        }
        // One element per author: readers list co-bylines as separate people.
        for author in &article.authors {
            element(&mut out, "dc:creator", &author.name);
        }
        element(&mut out, "category", &article.category.name);
        for tag in &article.tags {
            element(&mut out, "category", &tag.name);
        }
        element(&mut out, "description", &article.excerpt);
        element(&mut out, "content:encoded", body_html);
        if let Some(cover) = &article.cover_image {
            // RSS 2.0 requires `length`; the size of an image on another host is unknown here, and
            // "0" is what feed readers accept for that (common practice, as podcasts' "unknown").
            out.push_str(&format!(
                "<enclosure url=\"{}\" length=\"0\" type=\"{}\"/>\n",
                xml_escape(&cover.url),
                image_type(&cover.url)
            ));
            out.push_str(&format!("<media:content url=\"{}\" medium=\"image\">", xml_escape(&cover.url)));
            if let Some(caption) = cover.caption.as_ref().or(cover.alt.as_ref()) {
                out.push_str(&format!("<media:description>{}</media:description>", xml_escape(caption)));
            }
            if let Some(credit) = &cover.credit {
                out.push_str(&format!("<media:credit>{}</media:credit>", xml_escape(credit)));
            }
            out.push_str("</media:content>\n");
        }
        out.push_str("</item>\n");
    }
    out.push_str("</channel>\n</rss>\n");
    out
}

/// The media type of an image by the extension of its URL's path; JPEG when it says nothing.
fn image_type(url: &str) -> &'static str {
    let path = url.split(['?', '#']).next().unwrap_or("");
    let extension = path.rsplit('/').next().and_then(|file| file.rsplit_once('.')).map(|(_, ext)| ext);
    match extension.map(str::to_ascii_lowercase).as_deref() {
        Some("png") => "image/png",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("avif") => "image/avif",
        Some("svg") => "image/svg+xml",
        _ => "image/jpeg",
    }
}

/// JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct JsonFeed {
    /// Always `https://jsonfeed.org/version/1.1`.
    pub version: &'static str,
    pub title: String,
    pub home_page_url: String,
    pub feed_url: String,
    pub description: String,
    pub language: &'static str,
    pub items: Vec<JsonFeedItem>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct JsonFeedItem {
    pub id: String,
    pub url: String,
    pub title: String,
    pub summary: String,
    pub content_html: String,
    /// The cover's URL; left out when the article has none.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String)]
    pub image: Option<String>,
    /// Always sent: a listed article is visible, and a visible article has a publication time.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String, format = DateTime, required = true)]
    pub date_published: Option<String>,
    #[schema(format = DateTime)]
    pub date_modified: String,
    pub authors: Vec<JsonFeedAuthor>,
    pub tags: Vec<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct JsonFeedAuthor {
    pub name: String,
}

pub fn json_feed(feed: FeedContent, settings: &Settings) -> JsonFeed {
    let feed_url = feed_url(settings, "feed.json", feed.category.as_deref());
    let items = feed
        .items
        .into_iter()
        .map(|(article, content_html)| JsonFeedItem {
            id: guid(settings, &article),
            url: article_url(settings, &article),
            title: article.title.clone(),
            summary: article.excerpt.clone(),
            content_html,
            image: article.cover_image.as_ref().map(|c| c.url.clone()),
            date_published: article.published_at.as_ref().map(rfc3339),
            date_modified: rfc3339(&article.updated_at),
            authors: article.authors.iter().map(|a| JsonFeedAuthor { name: a.name.clone() }).collect(),
            tags: std::iter::once(article.category.name.clone())
                .chain(article.tags.iter().map(|t| t.name.clone()))
                .collect(),
        })
        .collect();
    JsonFeed {
        version: "https://jsonfeed.org/version/1.1",
        description: format!("Berita terbaru dari {}", feed.title),
        title: feed.title,
        home_page_url: settings.public_url.clone(),
        feed_url,
        language: "id",
        items,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_text_is_escaped() {
        assert_eq!(
            xml_escape("A & B <c> \"d\" 'e' “é” 🎉\u{1}"),
            "A &amp; B &lt;c&gt; &quot;d&quot; &apos;e&apos; “é” 🎉"
        );
        assert_eq!(xml_escape("a\r\nb\u{FFFE}\u{FFFF}"), "a&#13;\nb");
    }

    #[test]
    fn image_types_follow_the_extension() {
        for (url, media_type) in [
            ("https://i.example/a.jpg?w=1", "image/jpeg"),
            ("https://i.example/a.PNG", "image/png"),
            ("https://i.example/x.y/a.webp#top", "image/webp"),
            ("https://i.example/x.png/photo", "image/jpeg"),
            ("https://i.example/image?format=png", "image/jpeg"),
        ] {
            assert_eq!(image_type(url), media_type, "{url}");
        }
    }
}
