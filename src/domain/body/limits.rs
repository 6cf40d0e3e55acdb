//! How far a body may go when rendered, and why one is refused (each a 422 on `body`).

/// How deeply a rendered body may nest elements. Real articles stay in single digits; the HTML
/// parser behind the sanitizer slows down with the square of the depth.
pub const MAX_NESTING: usize = 100;
/// The most `body_html` may weigh, in bytes.
pub const MAX_HTML_BYTES: usize = 2 * 1024 * 1024;
/// The most pieces the HTML parser may build for a body: elements, comments and runs of text
/// (each character reference, stray `<` or line break may be a run of its own). Each costs the
/// parser about the same whatever its size, and the sanitizer parses the body once more, so this
/// bounds the time of both whatever the body is made of. A long article builds a few thousand; the
/// bound also keeps a parser that re-opens formatting elements on every paragraph from building
/// millions.
pub const MAX_NODES: usize = 1 << 15;
/// The most bytes of a Markdown body that may be syntax (ASCII punctuation and line breaks). The
/// Markdown parser spends its time on them (dense syntax such as `[a](` costs it 100 ns a byte)
/// and prose has a few percent of them, so a body of prose up to the request size limit passes.
pub const MAX_MARKDOWN_SYNTAX: usize = 1 << 17;
/// The most work the HTML writer may do on escaped characters, in bytes searched. html5ever's
/// serializer (0.40) searches from each `&` and each Latin-1 sign (`©`, `«`, the no-break space)
/// to the next `<` or `>` or the end of the text, so a run of text costs up to (escaped
/// characters) x (its length): 1 MB of `&` would take many seconds. Counted as an upper bound on
/// the parsed tree (see `shape`); this much is about 20 ms. A real article's text and links come
/// nowhere near (a 100 kB paragraph-free text with 20,000 `&`).
pub const MAX_ESCAPE_WORK: u64 = 1 << 31;

/// Why a body cannot be rendered; each is a 422 on `body`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RenderError {
    TooDeep,
    TooLarge,
    TooManyNodes,
    TooManyEscapes,
    TooMuchSyntax,
}

impl std::fmt::Display for RenderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RenderError::TooDeep => write!(f, "would render more than {MAX_NESTING} levels of nesting"),
            RenderError::TooLarge => write!(f, "would render to more than {} MB of HTML", MAX_HTML_BYTES >> 20),
            RenderError::TooManyNodes => {
                write!(f, "would render more than {MAX_NODES} HTML elements and pieces of text")
            }
            RenderError::TooManyEscapes => write!(
                f,
                "has too many `&` or Latin-1 signs (such as ©) in one run of text or attribute for its length"
            ),
            RenderError::TooMuchSyntax => write!(
                f,
                "has more than {MAX_MARKDOWN_SYNTAX} punctuation marks and line breaks: too much Markdown syntax \
                 to render within the limits ({MAX_NESTING} levels, {} MB of HTML)",
                MAX_HTML_BYTES >> 20
            ),
        }
    }
}
