//! Article bodies: Markdown rendering, the HTML allow-list, and what is derived from the body's
//! text (word count, reading time, excerpt). Pure functions: no I/O.

use std::sync::LazyLock;

use pulldown_cmark::{html, Event, Options, Parser};

/// Words read per minute for `reading_time_minutes`.
const WORDS_PER_MINUTE: usize = 200;
/// Derived excerpts stay under this many characters, the ellipsis included.
const EXCERPT_MAX_CHARS: usize = 200;

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

/// Video players whose embeds are kept, as scheme, host and the path their embeds live under; any
/// other iframe is dropped.
const EMBED_PREFIXES: [(&str, &str); 4] = [
    ("www.youtube.com", "/embed/"),
    ("www.youtube-nocookie.com", "/embed/"),
    ("player.vimeo.com", "/video/"),
    ("open.spotify.com", "/embed/"),
];

/// Ids written in a body (footnotes, anchors) are namespaced with this, so that no element of an
/// article can take the id of something on the page around it (DOM clobbering).
pub const ID_PREFIX: &str = "warta-";

/// The embed URL as it is kept: parsed (so `..`, `%2e%2e` and backslashes are resolved as a browser
/// would) and written out normalized, on an allowed host, with a clean path under its prefix.
/// `None` drops the frame.
fn embed_source(raw: &str) -> Option<String> {
    let url = url::Url::parse(raw).ok()?;
    if url.scheme() != "https" || !url.username().is_empty() || url.password().is_some() || url.port().is_some() {
        return None;
    }
    let host = url.host_str()?;
    let (_, prefix) = EMBED_PREFIXES.iter().find(|(allowed, _)| *allowed == host)?;
    let rest = url.path().strip_prefix(prefix)?;
    let clean_segment =
        |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    rest.split('/').all(clean_segment).then(|| url.to_string())
}

static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
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
        .url_schemes(["http", "https", "mailto", "tel"].into())
        .attribute_filter(|element, attribute, value| match (element, attribute) {
            ("iframe", "src") => embed_source(value).map(Into::into),
            // A link to an id in the body follows the id to its prefixed name.
            (_, "href") if value.starts_with('#') && !value[1..].starts_with(ID_PREFIX) => {
                Some(format!("#{ID_PREFIX}{}", &value[1..]).into())
            }
            _ => Some(value.into()),
        });
    builder
});

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

/// Renders and sanitizes a body, or says why it cannot be. Raw HTML inside Markdown goes through the
/// same allow-list. The work is bounded whatever the body: Markdown stops at the first event past
/// the nesting limit or output past the size limit, and the HTML is measured by a parse that
/// stops at the nesting or element limit before the sanitizer builds its tree.
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

/// Markdown to (unsanitized) HTML, stopping early when the events nest too deep or the output
/// grows past the limit: Markdown's own output is measured before sanitizing, so the parse and the
/// sanitizer never see more than the limit.
fn markdown_to_html(body: &str) -> Result<String, RenderError> {
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

/// The shape of the tree an HTML parser builds from a body, measured with html5ever's own tree
/// builder (the one inside the sanitizer), so that every way HTML nests (unclosed or self-closed
/// tags, implied ends, formatting elements re-opened, foster-parented table content) counts as a
/// browser would count it. The sink keeps only parent links, not the tree, and the input is fed in
/// small pieces so that parsing stops soon after a limit is passed.
mod shape {
    use std::cell::{Cell, RefCell};
    use std::rc::Rc;

    use html5ever::interface::{ElementFlags, NodeOrText, QuirksMode, TreeSink};
    use html5ever::tendril::{StrTendril, TendrilSink};
    use html5ever::{local_name, ns, Attribute, QualName};

    use super::{RenderError, MAX_ELEMENTS, MAX_NESTING};

    /// Not attached to any parent.
    const DETACHED: usize = usize::MAX;
    /// Bytes fed to the parser between two looks at the limits.
    const PIECE: usize = 4096;

    /// What the parser holds of a node: its number and name (the name lives in the handle so that
    /// the parser can read it while the sink changes the tree).
    pub(super) struct Handle {
        id: usize,
        name: QualName,
    }

    struct Node {
        /// The child group this node belongs to (`DETACHED` when none).
        group: usize,
        /// The group new children of this node join.
        children: usize,
        /// For a `<template>`: the node that holds its contents.
        contents: Option<Rc<Handle>>,
    }

    /// Nodes and child groups. A group maps to the node that owns it: moving every child of one
    /// node to another (which the parser does when it repairs misnested formatting) is one change
    /// of owner, whatever the number of children.
    #[derive(Default)]
    struct Sink {
        nodes: RefCell<Vec<Node>>,
        owners: RefCell<Vec<usize>>,
        exceeded: Cell<Option<RenderError>>,
        elements: Cell<usize>,
    }

    fn nameless() -> QualName {
        QualName::new(None, ns!(), local_name!(""))
    }

    impl Sink {
        fn node(&self, name: QualName) -> Rc<Handle> {
            let mut nodes = self.nodes.borrow_mut();
            let mut owners = self.owners.borrow_mut();
            let id = nodes.len();
            owners.push(id);
            nodes.push(Node { group: DETACHED, children: owners.len() - 1, contents: None });
            Rc::new(Handle { id, name })
        }

        fn parent(&self, node: usize) -> Option<usize> {
            let group = self.nodes.borrow()[node].group;
            (group != DETACHED).then(|| self.owners.borrow()[group])
        }

        /// Elements between `node` and the document, the root `<html>` not counted, walking at most
        /// one step past the limit.
        fn depth(&self, node: usize) -> usize {
            let mut steps = 0;
            let mut at = node;
            while let Some(parent) = self.parent(at) {
                steps += 1;
                if steps > MAX_NESTING + 2 {
                    break;
                }
                at = parent;
            }
            steps.saturating_sub(1)
        }

        fn attach(&self, node: usize, group: usize) {
            self.nodes.borrow_mut()[node].group = group;
            if self.depth(node) > MAX_NESTING {
                self.exceeded.set(Some(RenderError::TooDeep));
            }
        }

        fn limit(&self) -> Option<RenderError> {
            self.exceeded.get()
        }
    }

    impl TreeSink for Sink {
        type Handle = Rc<Handle>;
        type Output = Self;
        type ElemName<'a> = &'a QualName;

        fn finish(self) -> Self {
            self
        }

        fn parse_error(&self, _msg: std::borrow::Cow<'static, str>) {}

        fn get_document(&self) -> Rc<Handle> {
            Rc::new(Handle { id: 0, name: nameless() })
        }

        fn elem_name<'a>(&'a self, target: &'a Rc<Handle>) -> &'a QualName {
            &target.name
        }

        fn create_element(&self, name: QualName, _attrs: Vec<Attribute>, _flags: ElementFlags) -> Rc<Handle> {
            self.elements.set(self.elements.get() + 1);
            if self.elements.get() > MAX_ELEMENTS {
                self.exceeded.set(Some(RenderError::TooManyElements));
            }
            self.node(name)
        }

        fn create_comment(&self, _text: StrTendril) -> Rc<Handle> {
            self.node(nameless())
        }

        fn create_pi(&self, _target: StrTendril, _data: StrTendril) -> Rc<Handle> {
            self.node(nameless())
        }

        fn append(&self, parent: &Rc<Handle>, child: NodeOrText<Rc<Handle>>) {
            if let NodeOrText::AppendNode(child) = child {
                let group = self.nodes.borrow()[parent.id].children;
                self.attach(child.id, group);
            }
        }

        fn append_based_on_parent_node(
            &self,
            element: &Rc<Handle>,
            prev_element: &Rc<Handle>,
            child: NodeOrText<Rc<Handle>>,
        ) {
            if self.parent(element.id).is_some() {
                self.append_before_sibling(element, child);
            } else {
                self.append(prev_element, child);
            }
        }

        fn append_doctype_to_document(&self, _name: StrTendril, _public_id: StrTendril, _system_id: StrTendril) {}

        fn get_template_contents(&self, target: &Rc<Handle>) -> Rc<Handle> {
            if let Some(contents) = self.nodes.borrow()[target.id].contents.clone() {
                return contents;
            }
            let contents = self.node(nameless());
            let group = self.nodes.borrow()[target.id].children;
            let mut nodes = self.nodes.borrow_mut();
            nodes[contents.id].group = group;
            nodes[target.id].contents = Some(contents.clone());
            contents
        }

        fn same_node(&self, x: &Rc<Handle>, y: &Rc<Handle>) -> bool {
            x.id == y.id
        }

        fn set_quirks_mode(&self, _mode: QuirksMode) {}

        fn append_before_sibling(&self, sibling: &Rc<Handle>, new_node: NodeOrText<Rc<Handle>>) {
            if let NodeOrText::AppendNode(node) = new_node {
                let group = self.nodes.borrow()[sibling.id].group;
                self.attach(node.id, group);
            }
        }

        fn add_attrs_if_missing(&self, _target: &Rc<Handle>, _attrs: Vec<Attribute>) {}

        fn remove_from_parent(&self, target: &Rc<Handle>) {
            self.nodes.borrow_mut()[target.id].group = DETACHED;
        }

        fn reparent_children(&self, node: &Rc<Handle>, new_parent: &Rc<Handle>) {
            let moved = self.nodes.borrow()[node.id].children;
            let fresh = {
                let mut owners = self.owners.borrow_mut();
                owners[moved] = new_parent.id;
                owners.push(node.id);
                owners.len() - 1
            };
            self.nodes.borrow_mut()[node.id].children = fresh;
        }
    }

    /// Parses `html` as the sanitizer will (a fragment in a `<div>`), and fails at the first limit
    /// passed. Children moved by a repair are only measured again when something is added under
    /// them, so a last pass measures every node.
    pub(super) fn check(html: &str) -> Result<(), RenderError> {
        let sink = Sink::default();
        // Node 0, the document.
        sink.node(nameless());
        let mut parser = html5ever::parse_fragment(
            sink,
            html5ever::ParseOpts::default(),
            QualName::new(None, ns!(html), local_name!("div")),
            vec![],
            false,
        );
        let mut rest = html;
        while !rest.is_empty() {
            let mut cut = rest.len().min(PIECE);
            while !rest.is_char_boundary(cut) {
                cut += 1;
            }
            parser.process(StrTendril::from_slice(&rest[..cut]));
            rest = &rest[cut..];
            if let Some(error) = parser.tokenizer.sink.sink.limit() {
                return Err(error);
            }
        }
        let sink = parser.finish();
        if let Some(error) = sink.limit() {
            return Err(error);
        }
        match deepest(&sink) > MAX_NESTING {
            true => Err(RenderError::TooDeep),
            false => Ok(()),
        }
    }

    /// The depth of the deepest node, each node's depth worked out once from its parent's.
    fn deepest(sink: &Sink) -> usize {
        let count = sink.nodes.borrow().len();
        let parents: Vec<Option<usize>> = (0..count).map(|node| sink.parent(node)).collect();
        const UNKNOWN: usize = usize::MAX;
        let mut steps = vec![UNKNOWN; count];
        let mut path = Vec::new();
        for start in 0..count {
            let mut at = start;
            // Walk up to a node whose depth is known (or a root), then fill in the path down.
            let mut known = loop {
                if steps[at] != UNKNOWN {
                    break steps[at];
                }
                path.push(at);
                match parents[at] {
                    Some(parent) if path.len() <= count => at = parent,
                    Some(_) => return usize::MAX,
                    None => break 0,
                }
            };
            if parents[at].is_none() && steps[at] == UNKNOWN {
                // `at` is a root: it is the last node of the path, with no element above it.
                known = 0;
                path.pop();
                steps[at] = 0;
            }
            while let Some(node) = path.pop() {
                known += 1;
                steps[node] = known;
            }
        }
        steps.into_iter().max().unwrap_or(0).saturating_sub(1)
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
        let footnotes = format!("{}\n\n[^a]: Catatan.", "[^a]".repeat(250_000));
        assert_eq!(render(&footnotes, BodyFormat::Markdown).err(), Some(RenderError::TooLarge));
        // Blocks that each re-open 50 formatting elements: few bytes, many elements.
        let opened: String = (0..50).map(|i| format!("<b title={i}>")).collect();
        let reopened = format!("<div>{opened}</div>{}", "<div>x</div>".repeat(20_000));
        assert_eq!(render(&reopened, BodyFormat::Html).err(), Some(RenderError::TooManyElements));
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
    fn embeds_need_a_clean_path_under_the_allowed_prefix() {
        assert_eq!(
            embed_source("https://www.youtube.com/embed/abc_-1?start=3").as_deref(),
            Some("https://www.youtube.com/embed/abc_-1?start=3")
        );
        assert!(embed_source("https://open.spotify.com/embed/track/4uLU6h").is_some());
        for bad in [
            "https://www.youtube.com/embed/../../x",
            "https://www.youtube.com/embed/%2e%2e/%2E%2E/x",
            "https://www.youtube.com/embed/..\\..\\x",
            "https://www.youtube.com/embed/a%2F..",
            "https://www.youtube.com/embed/",
            "https://www.youtube.com:8443/embed/abc",
            "https://user@www.youtube.com/embed/abc",
            "http://www.youtube.com/embed/abc",
            "https://www.youtube.com.evil.example/embed/abc",
            "https://www.youtube.com/watch?v=abc",
        ] {
            assert_eq!(embed_source(bad), None, "{bad}");
        }
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
