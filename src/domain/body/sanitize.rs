//! The HTML allow-list every body goes through, whatever its format.

use std::sync::LazyLock;

use super::embeds::embed_source;
use super::media::{media_id_of, MEDIA_SCHEME};

/// Ids written in a body (footnotes, anchors) are namespaced with this, so that no element of an
/// article can take the id of something on the page around it (DOM clobbering).
pub const ID_PREFIX: &str = "warta-";

pub(super) static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::default();
    builder
        .add_tags(["iframe"])
        .add_tag_attributes("iframe", ["src", "width", "height", "allowfullscreen", "title"])
        .add_tag_attributes("img", ["title", "loading"])
        // Footnotes link to their definitions by id; ids are prefixed and `class` is never kept.
        .add_tag_attributes("sup", ["id"])
        .add_tag_attributes("div", ["id"])
        .add_tag_attributes("li", ["id"])
        .add_tag_attributes("a", ["id"])
        .id_prefix(Some(ID_PREFIX))
        .url_schemes(["http", "https", "mailto", "tel", MEDIA_SCHEME].into())
        .attribute_filter(|element, attribute, value| match (element, attribute) {
            // A library picture (`media:42`, linked to its files by the write): only as an image.
            ("img", "src") if value.get(..6).is_some_and(|s| s.eq_ignore_ascii_case("media:")) => {
                media_id_of(value).map(|id| format!("{MEDIA_SCHEME}:{id}").into())
            }
            // Anywhere else a `media:` URL would be a dead link; text attributes (alt) keep theirs.
            (_, "href" | "src" | "cite" | "longdesc")
                if value.get(..6).is_some_and(|s| s.eq_ignore_ascii_case("media:")) =>
            {
                None
            }
            ("iframe", "src") => embed_source(value).map(Into::into),
            // A link to an id in the body follows the id to its prefixed name.
            (_, "href") if value.starts_with('#') && !value[1..].starts_with(ID_PREFIX) => {
                Some(format!("#{ID_PREFIX}{}", &value[1..]).into())
            }
            _ => Some(value.into()),
        });
    builder
});

/// The sanitizer can only strip a disallowed embed's `src`; the empty frame it leaves is removed here.
/// Its output is normalized HTML, so a plain scan finds every frame.
pub(super) fn drop_iframes_without_source(html: &str) -> String {
    if !html.contains("<iframe") {
        return html.to_owned();
    }
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find("<iframe") {
        out.push_str(&rest[..start]);
        let element = &rest[start..];
        let end = element.find("</iframe>").map_or(element.len(), |e| e + "</iframe>".len());
        let open_tag = &element[..element.find('>').map_or(element.len(), |e| e + 1)];
        if open_tag.contains(" src=\"") {
            out.push_str(&element[..end]);
        }
        rest = &element[end..];
    }
    out.push_str(rest);
    out
}
