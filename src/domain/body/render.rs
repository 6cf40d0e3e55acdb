//! A body's format, and rendering it: Markdown to HTML, the limits, the allow-list, the text.

use super::limits::{RenderError, MAX_HTML_BYTES};
use super::markdown::markdown_to_html;
use super::sanitize::{drop_iframes_without_source, SANITIZER};
use super::shape;
use super::text::html_text;

/// Words read per minute for `reading_time_minutes`.
const WORDS_PER_MINUTE: usize = 200;

/// How the `body` of an article is written.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    serde::Serialize,
    serde::Deserialize,
    utoipa::ToSchema,
    diesel::expression::AsExpression,
    diesel::deserialize::FromSqlRow,
)]
#[diesel(sql_type = diesel::sql_types::Text)]
#[serde(rename_all = "lowercase")]
pub enum BodyFormat {
    Markdown,
    Html,
}

crate::domain::stored_text::stored_as_text!(BodyFormat, "body format");

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

/// Renders and sanitizes a body, or says why it cannot be. Raw HTML inside Markdown goes through the
/// same allow-list. The work is bounded whatever the body (see `limits`): Markdown is refused
/// unread past a count of syntax bytes and stops at the first event past the nesting limit or
/// output past the size limit; the HTML is measured by a parse that stops at the nesting or node
/// limit, and counts the work the sanitizer's writer will do, before the sanitizer parses it again.
pub fn render(body: &str, format: BodyFormat) -> Result<RenderedBody, RenderError> {
    let unsafe_html = match format {
        BodyFormat::Markdown => markdown_to_html(body)?,
        BodyFormat::Html => body.to_owned(),
    };
    shape::check(&unsafe_html)?;
    let html = drop_iframes_without_source(&SANITIZER.clean(&unsafe_html).to_string());
    if html.len() > MAX_HTML_BYTES {
        return Err(RenderError::TooLarge);
    }
    let text = html_text(&html);
    let words = text.split(' ').filter(|w| !w.is_empty()).count();
    Ok(RenderedBody {
        html,
        text,
        word_count: words as i32,
        reading_time_minutes: words.div_ceil(WORDS_PER_MINUTE).max(1) as i32,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_features_are_rendered() {
        let body = "# Judul\n\nParagraf *miring* dan **tebal** ~~coret~~.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n\
                    Catatan[^1].\n\n[^1]: Sumber: redaksi.\n\n> Kutipan “tepat”.\n\n- satu\n- dua\n";
        let html = render(body, BodyFormat::Markdown).expect("renders").html;
        for expected in [
            "<h1>Judul</h1>",
            "<em>miring</em>",
            "<strong>tebal</strong>",
            "<del>coret</del>",
            "<table>",
            "<blockquote>",
            "<li>satu</li>",
            "id=\"warta-1\"",
            "“tepat”",
        ] {
            assert!(html.contains(expected), "{expected} missing in {html}");
        }
    }

    #[test]
    fn text_is_never_rewritten() {
        let body = "Dia berkata, \"Ya\" -- lalu [Korea Utara] --- pergi...";
        let html = render(body, BodyFormat::Markdown).expect("renders").html;
        assert!(html.contains("\"Ya\" -- lalu [Korea Utara] --- pergi..."), "{html}");
    }

    #[test]
    fn dangerous_html_is_removed() {
        let body = "<p onclick=\"x()\">a</p><script>alert(1)</script><a href=\"javascript:alert(1)\">b</a>\
                    <img src=\"x\" onerror=\"alert(1)\"><p style=\"position:fixed\">c</p><iframe src=\"https://evil.example\"></iframe>\
                    <iframe src=\"https://www.youtube.com/embed/abc\"></iframe>";
        let html = render(body, BodyFormat::Html).expect("renders").html;
        for banned in ["onclick", "<script", "javascript:", "onerror", "style=", "evil.example"] {
            assert!(!html.contains(banned), "{banned} kept in {html}");
        }
        assert!(html.contains("https://www.youtube.com/embed/abc"), "{html}");
        assert_eq!(html.matches("<iframe").count(), 1, "{html}");
    }

    #[test]
    fn words_are_whitespace_separated_tokens_of_the_text() {
        let rendered = render("Kim Jong-un tiba 30/8.\n\nParagraf *dua*.", BodyFormat::Markdown).expect("renders");
        assert_eq!(rendered.text, "Kim Jong-un tiba 30/8. Paragraf dua.");
        assert_eq!(rendered.word_count, 6);
        assert_eq!(rendered.reading_time_minutes, 1);
        let long = render(&"kata ".repeat(401), BodyFormat::Markdown).expect("renders");
        assert_eq!((long.word_count, long.reading_time_minutes), (401, 3));
        assert_eq!(render("", BodyFormat::Markdown).expect("renders").reading_time_minutes, 1);
    }

    fn depth_error(body: &str, format: BodyFormat) -> Option<RenderError> {
        render(body, format).err()
    }

    #[test]
    fn nesting_is_measured_on_the_parsed_tree_in_both_formats() {
        use BodyFormat::{Html, Markdown};
        assert_eq!(depth_error("Paragraf biasa.\n\n> kutipan\n\n- satu\n  - dua", Markdown), None);
        assert_eq!(depth_error(&"<div>".repeat(100), Html), None);
        for (body, format) in [
            (">".repeat(500), Markdown),
            (format!("{}daftar", "- ".repeat(200)), Markdown),
            (format!("{}daftar", "1. ".repeat(200)), Markdown),
            (format!("{}daftar", "* ".repeat(200)), Markdown),
            (format!("{}x", (0..150).map(|i| format!("{}- a\n", "  ".repeat(i))).collect::<String>()), Markdown),
            ("<div>".repeat(101), Html),
            ("<div/>".repeat(101), Html),
            ("<div></x>".repeat(101), Html),
            ("</p><div>".repeat(101), Html),
            ("<b><i>".repeat(60), Html),
            // Formatting elements closed by their block are re-opened by the next text, deeper.
            (
                format!(
                    "<div>{}</div>{}x",
                    (0..60).map(|i| format!("<b title={i}>")).collect::<String>(),
                    "<div>".repeat(50)
                ),
                Html,
            ),
            ("<table><tr><td>".repeat(40), Html),
            ("<div>".repeat(101), Markdown),
        ] {
            assert_eq!(depth_error(&body, format), Some(RenderError::TooDeep), "{}", &body[..body.len().min(60)]);
        }
    }

    #[test]
    fn output_and_element_counts_are_bounded() {
        let footnotes = format!("{}\n\n[^a]: Catatan.", "[^a]".repeat(40_000));
        assert_eq!(render(&footnotes, BodyFormat::Markdown).err(), Some(RenderError::TooLarge));
        // Blocks that each re-open 50 formatting elements: few bytes, many elements.
        let opened: String = (0..50).map(|i| format!("<b title={i}>")).collect();
        let reopened = format!("<div>{opened}</div>{}", "<div>x</div>".repeat(20_000));
        assert_eq!(render(&reopened, BodyFormat::Html).err(), Some(RenderError::TooManyNodes));
    }

    #[test]
    fn ids_are_namespaced_and_classes_dropped_and_footnotes_still_link() {
        let html = render("Catatan[^a].\n\n[^a]: Sumber.", BodyFormat::Markdown).expect("renders").html;
        assert!(!html.contains("class="), "{html}");
        assert!(html.contains("href=\"#warta-a\"") && html.contains("id=\"warta-a\""), "{html}");
        let html = render("<p id=\"x\" class=\"c\"><a href=\"#x\">x</a></p>", BodyFormat::Html).expect("renders").html;
        assert!(!html.contains("class="), "{html}");
    }

    #[test]
    fn the_parsers_work_is_bounded_by_the_pieces_they_build_and_the_syntax_they_read() {
        use BodyFormat::{Html, Markdown};
        for (what, body) in [
            ("stray less-than signs", "<".repeat(70_000)),
            ("line breaks", "\n".repeat(70_000)),
            ("character references", "&lt;".repeat(70_000)),
            ("paragraphs", "<p>a</p>".repeat(33_000)),
        ] {
            assert_eq!(render(&body, Html).err(), Some(RenderError::TooManyNodes), "{what}");
        }
        for body in ["[a](".repeat(50_000), "*a ".repeat(150_000), "a\n\n".repeat(70_000), "[^a]".repeat(250_000)] {
            assert_eq!(render(&body, Markdown).err(), Some(RenderError::TooMuchSyntax), "{}", &body[..12]);
        }
        // A megabyte of prose, punctuation, quotes and paragraphs included, is well within both.
        let paragraph = "Presiden mengatakan, \"Pemerintah akan terus mendukung UMKM.\" Kebijakan itu \
                         (diumumkan Senin, 12/8) berlaku mulai 2025, kata juru bicara istana kepada wartawan.\n\n";
        let prose = paragraph.repeat(1_040_000 / paragraph.len());
        assert!(render(&prose, Markdown).is_ok());
        let html: String = prose.split("\n\n").map(|p| format!("<p>{p}</p>")).collect();
        assert!(render(&html, Html).is_ok());
    }

    #[test]
    fn escapes_the_html_writer_would_search_far_for_are_bounded() {
        use BodyFormat::{Html, Markdown};
        for (what, body, format) in [
            ("ampersands before a long text", format!("{}{}", "&".repeat(30_000), "a".repeat(900_000)), Html),
            ("ampersands in markdown", format!("{}{}", "&amp;".repeat(20_000), "kata ".repeat(150_000)), Markdown),
            ("copyright signs", "©".repeat(100_000), Html),
            ("no-break spaces", "\u{a0}".repeat(300_000), Html),
            ("an attribute of ampersands", format!("<p title=\"{}\">a</p>", "&".repeat(100_000)), Html),
        ] {
            assert_eq!(render(&body, format).err(), Some(RenderError::TooManyEscapes), "{what}");
        }
        // Escaped characters in many short runs cost little: each run is searched on its own.
        let short_runs = "<p>Tom &amp; Jerry © 2024, a&nbsp;b</p>".repeat(2_000);
        assert_eq!(render(&short_runs, Html).err(), None);
        let links = "<a href=\"https://a.example/?a=1&amp;b=2&amp;c=3\">a</a> ".repeat(10_000);
        assert_eq!(render(&links, Html).err(), None);
    }
}
