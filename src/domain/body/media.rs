//! Pictures from the media library in a body: `![alt](media:42)` in Markdown and
//! `<img src="media:42">` in HTML survive the sanitizer as `src="media:42"` (only on `img`), and
//! are linked here to the item's files once the write has looked them up.

use std::collections::{BTreeSet, HashMap};

/// The scheme of a library reference.
pub const MEDIA_SCHEME: &str = "media";

/// A `src` value naming a library item, as the sanitizer keeps it: `media:` and digits.
pub fn media_id_of(value: &str) -> Option<i32> {
    let digits = value.get(..6).filter(|s| s.eq_ignore_ascii_case("media:")).map(|_| &value[6..])?;
    if digits.is_empty() || digits.len() > 9 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|id| *id > 0)
}

/// What a linked picture carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkedImage {
    pub url: String,
    pub srcset: String,
    pub width: u32,
    pub height: u32,
}

/// An `<img ...>` open tag of sanitized HTML: where it is and its attributes in order.
struct ImgTag<'a> {
    start: usize,
    end: usize,
    attributes: Vec<(&'a str, &'a str)>,
}

/// The `img` tags of sanitized (serialized) HTML: attribute values are double-quoted with `"`
/// escaped, so a plain scan reads them.
fn img_tags(html: &str) -> Vec<ImgTag<'_>> {
    let mut tags = Vec::new();
    let mut from = 0;
    while let Some(found) = html[from..].find("<img ") {
        let start = from + found;
        let mut at = start + "<img".len();
        let mut attributes = Vec::new();
        loop {
            let rest = &html[at..];
            let trimmed = rest.trim_start();
            at += rest.len() - trimmed.len();
            if trimmed.starts_with('>') {
                at += 1;
                break;
            }
            let Some(eq) = trimmed.find("=\"") else { return tags };
            let name = &trimmed[..eq];
            let value_start = at + eq + 2;
            let Some(close) = html[value_start..].find('"') else { return tags };
            attributes.push((name, &html[value_start..value_start + close]));
            at = value_start + close + 1;
        }
        tags.push(ImgTag { start, end: at, attributes });
        from = at;
    }
    tags
}

/// The library items a body shows, each once.
pub fn media_refs(html: &str) -> BTreeSet<i32> {
    img_tags(html)
        .iter()
        .flat_map(|tag| {
            tag.attributes.iter().filter(|(name, _)| *name == "src").filter_map(|(_, value)| media_id_of(value))
        })
        .collect()
}

fn escape(value: &str) -> String {
    value.replace('&', "&amp;").replace('"', "&quot;")
}

/// The body with each `media:ID` picture pointing at the item's files: `src` (the original),
/// `srcset`, `width`, `height` and `loading="lazy"` (unless the body chose another loading).
/// A picture whose item is not in `images` is left as it is (the write refuses those first).
pub fn link_media(html: &str, images: &HashMap<i32, LinkedImage>) -> String {
    let mut out = String::with_capacity(html.len());
    let mut copied = 0;
    for tag in img_tags(html) {
        let id = tag.attributes.iter().find(|(name, _)| *name == "src").and_then(|(_, value)| media_id_of(value));
        let Some(image) = id.and_then(|id| images.get(&id)) else { continue };
        out.push_str(&html[copied..tag.start]);
        out.push_str(&format!("<img src=\"{}\"", escape(&image.url)));
        if !image.srcset.is_empty() {
            out.push_str(&format!(" srcset=\"{}\"", escape(&image.srcset)));
        }
        out.push_str(&format!(" width=\"{}\" height=\"{}\"", image.width, image.height));
        let mut loading = false;
        for (name, value) in &tag.attributes {
            match *name {
                "src" | "srcset" | "width" | "height" => {}
                other => {
                    loading |= other == "loading";
                    out.push_str(&format!(" {other}=\"{value}\""));
                }
            }
        }
        if !loading {
            out.push_str(" loading=\"lazy\"");
        }
        out.push('>');
        copied = tag.end;
    }
    out.push_str(&html[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::body::{render, BodyFormat};

    fn linked() -> HashMap<i32, LinkedImage> {
        HashMap::from([(
            42,
            LinkedImage {
                url: "https://cdn.example/ab/abc/original.jpg".into(),
                srcset: "https://cdn.example/ab/abc/320.webp 320w".into(),
                width: 1200,
                height: 800,
            },
        )])
    }

    #[test]
    fn library_pictures_survive_the_sanitizer_only_as_img_sources() {
        let html = render(
            "![Banjir](media:42)\n\n<img src=\"MEDIA:7\" alt=\"x\"> [tautan](media:42) <iframe src=\"media:42\"></iframe> ![x](media:abc)",
            BodyFormat::Markdown,
        )
        .expect("renders")
        .html;
        assert_eq!(media_refs(&html), BTreeSet::from([7, 42]), "{html}");
        assert!(!html.contains("href=\"media:"), "{html}");
        assert!(!html.contains("media:abc"), "{html}");
    }

    #[test]
    fn linked_pictures_carry_their_sizes() {
        let html =
            render("Awal ![Banjir \"besar\"](media:42 \"Judul\") akhir", BodyFormat::Markdown).expect("renders").html;
        let out = link_media(&html, &linked());
        assert_eq!(
            out,
            "<p>Awal <img src=\"https://cdn.example/ab/abc/original.jpg\" srcset=\"https://cdn.example/ab/abc/320.webp 320w\" \
             width=\"1200\" height=\"800\" alt=\"Banjir &quot;besar&quot;\" title=\"Judul\" loading=\"lazy\"> akhir</p>\n"
        );
        let eager =
            render("<img src=\"media:42\" loading=\"eager\" width=\"5\">", BodyFormat::Html).expect("renders").html;
        let out = link_media(&eager, &linked());
        assert!(out.contains("loading=\"eager\"") && !out.contains("lazy") && !out.contains("width=\"5\""), "{out}");
        let unknown = render("<img src=\"media:9\">", BodyFormat::Html).expect("renders").html;
        assert_eq!(link_media(&unknown, &linked()), unknown);
    }
}
