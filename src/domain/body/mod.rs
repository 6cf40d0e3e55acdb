//! Article bodies: Markdown rendering, the HTML allow-list, the limits on what a body may render
//! to, and what is derived from the body's text (word count, reading time, excerpt). Pure
//! functions: no I/O.

mod embeds;
mod limits;
mod markdown;
mod media;
mod render;
mod sanitize;
mod shape;
mod text;

pub use limits::{RenderError, MAX_ESCAPE_WORK, MAX_HTML_BYTES, MAX_MARKDOWN_SYNTAX, MAX_NESTING, MAX_NODES};
pub use media::{link_media, media_refs, LinkedImage};
pub use render::{render, BodyFormat, RenderedBody};
pub use sanitize::ID_PREFIX;
pub use text::{derived_excerpt, html_text};
