//! How far a body may go when rendered, and why one is refused (each a 422 on `body`).

/// How deeply a rendered body may nest elements. Real articles stay in single digits; the HTML
/// parser behind the sanitizer slows down with the square of the depth.
pub const MAX_NESTING: usize = 100;
/// The most `body_html` may weigh, in bytes.
pub const MAX_HTML_BYTES: usize = 2 * 1024 * 1024;
/// The most elements the HTML parser may build for a body. The smallest element written out
/// (`<b></b>`) takes 7 bytes, so a body under `MAX_HTML_BYTES` rarely comes near; the bound keeps a
/// parser that re-opens formatting elements on every paragraph from building millions.
pub const MAX_ELEMENTS: usize = MAX_HTML_BYTES / 8;

/// Why a body cannot be rendered; each is a 422 on `body`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RenderError {
    TooDeep,
    TooLarge,
    TooManyElements,
}

impl std::fmt::Display for RenderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RenderError::TooDeep => write!(f, "would render more than {MAX_NESTING} levels of nesting"),
            RenderError::TooLarge => write!(f, "would render to more than {} MB of HTML", MAX_HTML_BYTES >> 20),
            RenderError::TooManyElements => write!(f, "would render more than {MAX_ELEMENTS} HTML elements"),
        }
    }
}
