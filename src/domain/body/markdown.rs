//! Markdown to (unsanitized) HTML, bounded in depth and output size while it is written.

use pulldown_cmark::{html, Event, Options, Parser};

use super::limits::{RenderError, MAX_HTML_BYTES, MAX_MARKDOWN_SYNTAX, MAX_NESTING};

/// Markdown to (unsanitized) HTML, stopping early when the events nest too deep or the output
/// grows past the limit: Markdown's own output is measured before sanitizing, so the parse and the
/// sanitizer never see more than the limit.
pub(super) fn markdown_to_html(body: &str) -> Result<String, RenderError> {
    // The parser reads the whole body's blocks before the first event, so its work is bounded
    // before it starts, by what it spends its time on.
    if syntax(body) > MAX_MARKDOWN_SYNTAX {
        return Err(RenderError::TooMuchSyntax);
    }
    // No smart punctuation: the newsroom's quotes and dashes are kept exactly as typed.
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_FOOTNOTES;
    let mut depth = 0usize;
    let mut too_deep = false;
    let events = Parser::new_ext(body, options).map_while(|event| {
        match &event {
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
        too_deep |= depth > MAX_NESTING;
        (!too_deep).then_some(event)
    });
    let mut out = Bounded { text: String::with_capacity(body.len() * 5 / 4), limit: MAX_HTML_BYTES };
    let written = html::write_html_fmt(&mut out, events);
    if too_deep {
        return Err(RenderError::TooDeep);
    }
    written.map_err(|_| RenderError::TooLarge)?;
    Ok(out.text)
}

/// A string that refuses to grow past `limit`, so rendering stops rather than finishing a huge page.
struct Bounded {
    text: String,
    limit: usize,
}

impl std::fmt::Write for Bounded {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        if self.text.len() + s.len() > self.limit {
            return Err(std::fmt::Error);
        }
        self.text.push_str(s);
        Ok(())
    }
}

/// Bytes that can be Markdown syntax: ASCII punctuation and line breaks. Everything else (letters,
/// digits, spaces, any non-ASCII character) is text to the parser whatever its place.
fn syntax(body: &str) -> usize {
    body.bytes().filter(|b| b.is_ascii_punctuation() || *b == b'\n').count()
}
