//! Article bodies: Markdown rendering, the HTML allow-list, and what is derived from the body's
//! text (word count, reading time, excerpt). Pure functions: no I/O.

use std::sync::LazyLock;

use pulldown_cmark::{html, Options, Parser};

/// Words read per minute for `reading_time_minutes`.
const WORDS_PER_MINUTE: usize = 200;
/// Derived excerpts stay under this many characters, the ellipsis included.
const EXCERPT_MAX_CHARS: usize = 200;

/// How the `body` of an article is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum BodyFormat {
    Markdown,
    Html,
}

impl BodyFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            BodyFormat::Markdown => "markdown",
            BodyFormat::Html => "html",
        }
    }

    pub fn parse(raw: &str) -> Option<BodyFormat> {
        match raw {
            "markdown" => Some(BodyFormat::Markdown),
            "html" => Some(BodyFormat::Html),
            _ => None,
        }
    }
}

/// Everything derived from a body at write time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedBody {
    /// Sanitized HTML, safe to insert into a page.
    pub html: String,
    /// The text a reader sees, words separated by single spaces.
    pub text: String,
    pub word_count: i32,
    pub reading_time_minutes: i32,
}

/// Video players whose embeds are kept; any other iframe is dropped.
const EMBED_HOSTS: [&str; 4] = [
    "https://www.youtube.com/embed/",
    "https://www.youtube-nocookie.com/embed/",
    "https://player.vimeo.com/video/",
    "https://open.spotify.com/embed/",
];

static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::default();
    builder
        .add_tags(["iframe"])
        .add_tag_attributes("iframe", ["src", "width", "height", "allowfullscreen", "title"])
        .add_tag_attributes("img", ["title", "loading"])
        // Footnotes link to their definitions by id.
        .add_tag_attributes("sup", ["id", "class"])
        .add_tag_attributes("div", ["id", "class"])
        .add_tag_attributes("li", ["id"])
        .add_tag_attributes("a", ["id"])
        .url_schemes(["http", "https", "mailto", "tel"].into())
        .attribute_filter(|element, attribute, value| {
            if element == "iframe" && attribute == "src" && !EMBED_HOSTS.iter().any(|host| value.starts_with(host)) {
                return None;
            }
            Some(value.into())
        });
    builder
});

/// How deeply a body may nest quotes, lists or elements. Real articles stay in single digits; the
/// HTML parser behind the sanitizer slows down with the square of the depth, so a hostile body
/// nested thousands deep would hold the write lock for minutes.
pub const MAX_NESTING: usize = 100;

const VOID_ELEMENTS: [&str; 10] = ["br", "img", "hr", "input", "meta", "link", "wbr", "source", "area", "col"];

/// The deepest nesting in a body: HTML elements (as written, in either format) and Markdown block
/// quotes and list items (by their markers and indentation).
pub fn nesting_depth(body: &str) -> usize {
    let mut deepest = 0;
    for line in body.lines() {
        let markers = line
            .chars()
            .take_while(|c| matches!(c, '>' | ' ' | '\t' | '-' | '*' | '+'))
            .filter(|c| !c.is_whitespace())
            .count();
        let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
        deepest = deepest.max(markers).max(indent / 2);
    }
    let mut open: usize = 0;
    let bytes = body.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if *b != b'<' {
            continue;
        }
        match bytes.get(i + 1) {
            Some(b'/') => open = open.saturating_sub(1),
            Some(c) if c.is_ascii_alphabetic() => {
                let self_closing = body[i..].find('>').is_some_and(|e| e > 0 && bytes[i + e - 1] == b'/');
                let name: String = body[i + 1..].chars().take_while(char::is_ascii_alphanumeric).collect();
                if !self_closing && !VOID_ELEMENTS.contains(&name.to_ascii_lowercase().as_str()) {
                    open += 1;
                    deepest = deepest.max(open);
                }
            }
            _ => {}
        }
    }
    deepest
}

/// Renders and sanitizes a body. Raw HTML inside Markdown goes through the same allow-list.
pub fn render(body: &str, format: BodyFormat) -> RenderedBody {
    let unsafe_html = match format {
        BodyFormat::Markdown => {
            // No smart punctuation: the newsroom's quotes and dashes are kept exactly as typed.
            let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_FOOTNOTES;
            let mut out = String::with_capacity(body.len() * 5 / 4);
            html::push_html(&mut out, Parser::new_ext(body, options));
            out
        }
        BodyFormat::Html => body.to_owned(),
    };
    let html = drop_iframes_without_source(&SANITIZER.clean(&unsafe_html).to_string());
    let text = html_text(&html);
    let words = text.split(' ').filter(|w| !w.is_empty()).count();
    RenderedBody {
        html,
        text,
        word_count: words as i32,
        reading_time_minutes: words.div_ceil(WORDS_PER_MINUTE).max(1) as i32,
    }
}

/// The sanitizer can only strip a disallowed embed's `src`; the empty frame it leaves is removed here.
/// Its output is normalized HTML, so a plain scan finds every frame.
fn drop_iframes_without_source(html: &str) -> String {
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

/// The excerpt derived from a body's text: cut at a word boundary before 200 characters, with `…`
/// when something was cut.
pub fn derived_excerpt(text: &str) -> String {
    if text.chars().count() <= EXCERPT_MAX_CHARS {
        return text.to_owned();
    }
    let mut out = String::new();
    let mut len = 0;
    for word in text.split(' ') {
        let added = word.chars().count() + usize::from(!out.is_empty());
        if len + added > EXCERPT_MAX_CHARS - 1 {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
        len += added;
    }
    if out.is_empty() {
        // A single word longer than the limit: cut inside it.
        out = text.chars().take(EXCERPT_MAX_CHARS - 1).collect();
    }
    out.push('…');
    out
}

/// Elements that separate words; inline ones (`<em>`, `<a>`) do not.
const BLOCK_TAGS: [&str; 27] = [
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "table",
    "tr",
    "td",
    "th",
    "hr",
    "figure",
    "figcaption",
    "img",
    "iframe",
    "dd",
    "dt",
    "sup",
    "caption",
];

/// The text of sanitized HTML, with whitespace runs collapsed to single spaces.
pub fn html_text(html: &str) -> String {
    let mut raw = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        raw.push_str(&decode_entities(&rest[..open]));
        let Some(close) = rest[open..].find('>') else {
            rest = "";
            break;
        };
        let tag = &rest[open + 1..open + close];
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if BLOCK_TAGS.contains(&name.as_str()) {
            raw.push(' ');
        }
        rest = &rest[open + close + 1..];
    }
    raw.push_str(&decode_entities(rest));
    raw.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let decoded = after.find(';').filter(|&end| end <= 10).and_then(|end| {
            let entity = &after[..end];
            let c = match entity {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                _ if entity.starts_with("#x") || entity.starts_with("#X") => {
                    u32::from_str_radix(&entity[2..], 16).ok().and_then(char::from_u32)
                }
                _ if entity.starts_with('#') => entity[1..].parse::<u32>().ok().and_then(char::from_u32),
                _ => None,
            };
            c.map(|c| (c, end))
        });
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &after[end + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_features_are_rendered() {
        let body = "# Judul\n\nParagraf *miring* dan **tebal** ~~coret~~.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n\
                    Catatan[^1].\n\n[^1]: Sumber: redaksi.\n\n> Kutipan “tepat”.\n\n- satu\n- dua\n";
        let html = render(body, BodyFormat::Markdown).html;
        for expected in [
            "<h1>Judul</h1>",
            "<em>miring</em>",
            "<strong>tebal</strong>",
            "<del>coret</del>",
            "<table>",
            "<blockquote>",
            "<li>satu</li>",
            "footnote-definition",
            "“tepat”",
        ] {
            assert!(html.contains(expected), "{expected} missing in {html}");
        }
    }

    #[test]
    fn text_is_never_rewritten() {
        let body = "Dia berkata, \"Ya\" -- lalu [Korea Utara] --- pergi...";
        let html = render(body, BodyFormat::Markdown).html;
        assert!(html.contains("\"Ya\" -- lalu [Korea Utara] --- pergi..."), "{html}");
    }

    #[test]
    fn dangerous_html_is_removed() {
        let body = "<p onclick=\"x()\">a</p><script>alert(1)</script><a href=\"javascript:alert(1)\">b</a>\
                    <img src=\"x\" onerror=\"alert(1)\"><p style=\"position:fixed\">c</p><iframe src=\"https://evil.example\"></iframe>\
                    <iframe src=\"https://www.youtube.com/embed/abc\"></iframe>";
        let html = render(body, BodyFormat::Html).html;
        for banned in ["onclick", "<script", "javascript:", "onerror", "style=", "evil.example"] {
            assert!(!html.contains(banned), "{banned} kept in {html}");
        }
        assert!(html.contains("https://www.youtube.com/embed/abc"), "{html}");
        assert_eq!(html.matches("<iframe").count(), 1, "{html}");
    }

    #[test]
    fn words_are_whitespace_separated_tokens_of_the_text() {
        let rendered = render("Kim Jong-un tiba 30/8.\n\nParagraf *dua*.", BodyFormat::Markdown);
        assert_eq!(rendered.text, "Kim Jong-un tiba 30/8. Paragraf dua.");
        assert_eq!(rendered.word_count, 6);
        assert_eq!(rendered.reading_time_minutes, 1);
        let long = render(&"kata ".repeat(401), BodyFormat::Markdown);
        assert_eq!((long.word_count, long.reading_time_minutes), (401, 3));
        assert_eq!(render("", BodyFormat::Markdown).reading_time_minutes, 1);
    }

    #[test]
    fn nesting_is_measured_in_both_formats() {
        assert!(nesting_depth("Paragraf biasa.\n\n> kutipan\n\n- satu\n  - dua") <= 2);
        assert_eq!(nesting_depth(&">".repeat(500)), 500);
        assert_eq!(nesting_depth(&"<div>".repeat(300)), 300);
        assert_eq!(nesting_depth("<p>a<br>b<img src=x></p><p>c</p>"), 1);
        assert!(nesting_depth(&"- ".repeat(200)) > MAX_NESTING);
    }

    #[test]
    fn entities_become_text() {
        assert_eq!(html_text("<p>a &amp; b &lt;c&gt; &#8212; &#x2014; &bogus; &</p>"), "a & b <c> — — &bogus; &");
    }

    #[test]
    fn excerpts_are_cut_at_a_word_boundary() {
        let short = "Singkat saja.";
        assert_eq!(derived_excerpt(short), short);
        let long = "kata ".repeat(60).trim_end().to_owned();
        let excerpt = derived_excerpt(&long);
        assert!(excerpt.ends_with("kata…"), "{excerpt}");
        assert!(excerpt.chars().count() <= 200);
        assert_eq!(derived_excerpt(&"x".repeat(300)).chars().count(), 200);
    }
}
