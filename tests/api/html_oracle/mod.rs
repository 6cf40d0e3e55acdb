//! The one HTML oracle of the black-box tests: markup the server hands out (`body_html`, a feed's
//! `content_html` or `content:encoded`) is parsed with html5ever's tree builder exactly as a browser
//! parses `div.innerHTML = html` (scripting on, foreign content, raw-text elements, character
//! references, NUL bytes), and the answers are read off that tree, never off the text. It knows
//! nothing of the server's sanitizer: what counts as dangerous is written here on its own, so a
//! sanitizer that lets something through cannot also teach the oracle to look away.

mod tree;

use tree::Tree;

/// The namespace a browser puts an element in: anything but HTML is foreign content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Namespace {
    Html,
    Svg,
    MathMl,
    Other,
}

/// One element as a browser builds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    pub namespace: Namespace,
    /// The local name, lowercased as the parser lowercases it (`foreignObject` keeps its case).
    pub name: String,
    /// Attribute names as the parser adjusts them (`xlink:href` in SVG) and values with every
    /// character reference decoded.
    pub attributes: Vec<(String, String)>,
    /// 1 for an element at the top of the fragment, 2 for its children, and so on.
    pub depth: usize,
}

impl Element {
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    pub fn is_html(&self, name: &str) -> bool {
        self.namespace == Namespace::Html && self.name == name
    }

    fn label(&self) -> String {
        match self.namespace {
            Namespace::Html => format!("<{}>", self.name),
            Namespace::Svg => format!("<svg:{}>", self.name),
            Namespace::MathMl => format!("<math:{}>", self.name),
            Namespace::Other => format!("<?:{}>", self.name),
        }
    }
}

/// Every element of `html` in document order (a `<template>`'s contents under the template).
pub fn elements(html: &str) -> Vec<Element> {
    Tree::fragment(html).elements()
}

/// How deeply the elements of `html` nest, and how many there are.
pub fn shape(html: &str) -> (usize, usize) {
    let elements = elements(html);
    (elements.iter().map(|e| e.depth).max().unwrap_or(0), elements.len())
}

/// Elements that run script, frame or embed other documents, submit, restyle the page or change
/// how the page around them is read. `<iframe>` is judged by its source instead.
const FORBIDDEN_ELEMENTS: [&str; 30] = [
    "script",
    "style",
    "link",
    "meta",
    "base",
    "object",
    "embed",
    "applet",
    "param",
    "frame",
    "frameset",
    "form",
    "input",
    "button",
    "textarea",
    "select",
    "keygen",
    "noscript",
    "noembed",
    "noframes",
    "template",
    "portal",
    "xmp",
    "plaintext",
    "svg",
    "math",
    "html",
    "head",
    "body",
    "slot",
];

/// Attributes that point the browser somewhere: their scheme decides whether they run script.
const URL_ATTRIBUTES: [&str; 20] = [
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "srcset",
    "imagesrcset",
    "poster",
    "background",
    "cite",
    "data",
    "codebase",
    "longdesc",
    "lowsrc",
    "dynsrc",
    "ping",
    "manifest",
    "icon",
    "archive",
    "classid",
];

/// Schemes a link or an image may use; every other one (`javascript:`, `vbscript:`, `data:`,
/// `blob:`, ...) is a danger.
const SAFE_SCHEMES: [&str; 4] = ["http", "https", "mailto", "tel"];

/// Players whose embeds may stay as frames: host and the path their embeds live under.
const EMBEDS: [(&str, &str); 4] = [
    ("www.youtube.com", "/embed/"),
    ("www.youtube-nocookie.com", "/embed/"),
    ("player.vimeo.com", "/video/"),
    ("open.spotify.com", "/embed/"),
];

/// Ids in a body must carry this prefix, so that no element of an article clobbers one of the page.
const ID_PREFIX: &str = "warta-";

/// Elements whose `name` becomes a property of `document` (DOM clobbering).
const NAMED_ON_DOCUMENT: [&str; 5] = ["img", "form", "embed", "object", "iframe"];

/// Everything in `html` that could run script, restyle or reframe the page, submit somewhere, or
/// clobber the page's DOM, as a browser builds it both where a client inserts it (a `<div>`'s
/// `innerHTML`) and where a server template puts it (a page's `<body>`, whose own attributes a
/// stray `<body onload>` would set); empty when the markup is safe there. Markup that a browser
/// builds differently once it serializes and parses it again (mutation XSS) is a danger too.
pub fn dangers(html: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for tree in [Tree::fragment(html), Tree::page(html)] {
        let elements = tree.elements();
        let mut here: Vec<String> = elements.iter().flat_map(element_dangers).collect();
        for element in tree.page_elements().into_iter().filter(|e| !the_page_as_written(e)) {
            here.push(format!("the page's own {} changed to {:?}", element.label(), element.attributes));
        }
        let serialized = tree.serialize();
        if tree.reparse(&serialized).elements() != elements {
            here.push(format!("the markup changes when a browser serializes and parses it again: {serialized:.300}"));
        }
        for danger in here {
            if !found.contains(&danger) {
                found.push(danger);
            }
        }
    }
    found
}

/// The page around markup parsed in a page is `<html><head><title></head><body>`, untouched: any
/// attribute on them, or any other element outside the body, came from the markup.
fn the_page_as_written(element: &Element) -> bool {
    element.namespace == Namespace::Html
        && element.attributes.is_empty()
        && matches!((element.name.as_str(), element.depth), ("html", 0) | ("head" | "body", 1) | ("title", 2))
}

fn element_dangers(element: &Element) -> Vec<String> {
    let label = element.label();
    let mut found = Vec::new();
    if element.namespace != Namespace::Html {
        found.push(format!("foreign content {label}"));
    } else if FORBIDDEN_ELEMENTS.contains(&element.name.as_str()) {
        found.push(format!("a {label} element"));
    }
    if element.is_html("iframe") {
        match element.attribute("src") {
            Some(src) if allowed_embed(src) => {}
            src => found.push(format!("an <iframe> whose src is not an allowed embed: {src:?}")),
        }
    }
    for (name, value) in &element.attributes {
        let lower = value.to_lowercase();
        if name.starts_with("on") {
            found.push(format!("an event handler {name}= on {label}"));
        } else if matches!(name.as_str(), "style" | "srcdoc" | "action" | "formaction" | "http-equiv" | "class") {
            found.push(format!("a {name}= attribute on {label}"));
        } else if name == "id" && !value.starts_with(ID_PREFIX) {
            found.push(format!("an id={value:?} without the {ID_PREFIX} prefix on {label}"));
        } else if name == "name" && NAMED_ON_DOCUMENT.contains(&element.name.as_str()) {
            found.push(format!("a name={value:?} that names a property of document on {label}"));
        }
        if lower.chars().filter(|c| !c.is_whitespace()).collect::<String>().contains("expression(") {
            found.push(format!("a CSS expression in {name}= on {label}"));
        }
        if URL_ATTRIBUTES.contains(&name.as_str()) {
            for url in urls(name, value) {
                if let Some(scheme) = scheme(url).filter(|s| !SAFE_SCHEMES.contains(&s.as_str())) {
                    found.push(format!("a {scheme}: URL in {name}={value:?} on {label}"));
                }
            }
        }
    }
    found
}

/// The URLs an attribute value holds.
fn urls<'a>(name: &str, value: &'a str) -> Vec<&'a str> {
    match name {
        "srcset" | "imagesrcset" => value.split(',').filter_map(|c| c.split_whitespace().next()).collect(),
        "ping" | "archive" => value.split_whitespace().collect(),
        _ => vec![value],
    }
}

/// The scheme a browser's URL parser finds in `url`, lowercased: it strips leading and trailing
/// control characters and spaces and removes tabs and newlines anywhere before it looks.
fn scheme(url: &str) -> Option<String> {
    let cleaned: String =
        url.trim_matches(|c: char| c <= ' ').chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')).collect();
    let (scheme, _) = cleaned.split_once(':')?;
    let mut chars = scheme.chars();
    let first = chars.next()?;
    (first.is_ascii_alphabetic() && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
        .then(|| scheme.to_ascii_lowercase())
}

/// An embed source as a browser resolves it (dot segments, percent-encoding, backslashes): https,
/// an allowed player, no credentials or port, and a path under the player's embed path.
fn allowed_embed(src: &str) -> bool {
    let Ok(url) = url::Url::parse(src) else { return false };
    url.scheme() == "https"
        && url.username().is_empty()
        && url.password().is_none()
        && url.port().is_none()
        && EMBEDS.iter().any(|(host, prefix)| {
            url.host_str() == Some(host) && url.path().strip_prefix(prefix).is_some_and(|rest| !rest.is_empty())
        })
}

// ---------------------------------------------------------------------------------------------
// The oracle's own tests: each trick below is one a string search misses or misreads.

/// Markup that runs script or escapes the sanitizer's rules, with a word every danger found for
/// it must include at least once.
const CAUGHT: [(&str, &str); 30] = [
    ("<img/src=\"x\"/onerror=alert(1)>", "onerror"),
    ("<IMG SRC=x ONERROR=alert(1)>", "onerror"),
    ("<img src=x\tonerror\n=\u{c}alert(1)>", "onerror"),
    ("<img src=x\0 onerror=alert(1)>", "onerror"),
    ("<svg><a xlink:href=\"javascript:alert(1)\"><text>klik</text></a></svg>", "xlink:href"),
    ("<svg/onload=alert(1)>", "onload"),
    ("<a href=\"jav&#x61;script:alert(1)\">klik</a>", "javascript:"),
    ("<a href=\"&#106avascript:alert(1)\">klik</a>", "javascript:"),
    ("<a href=\"&#0000106;avascript:alert(1)\">klik</a>", "javascript:"),
    ("<a href=\"java&Tab;script&colon;alert(1)\">klik</a>", "javascript:"),
    ("<a href=\"java&NewLine;script:alert(1)\">klik</a>", "javascript:"),
    ("<a href=\"\u{1}\u{20}JaVaScRiPt:alert(1)\">klik</a>", "javascript:"),
    ("<a href=vbscript:msgbox(1)>klik</a>", "vbscript:"),
    ("<img srcset=\"https://a.example/1.jpg 1x, javascript:alert(1) 2x\">", "srcset"),
    ("<form><button formaction=javascript:alert(1)>x</button></form>", "formaction"),
    ("<xmp><p title=\"</xmp><img src=x onerror=alert(1)>\"></xmp>", "onerror"),
    ("<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>", "onerror"),
    ("<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>", "foreign"),
    ("<iframe src=\"https://www.youtube.com/embed/../../redirect\"></iframe>", "iframe"),
    ("<iframe src=\"https://www.youtube.com.evil.example/embed/x\"></iframe>", "iframe"),
    ("<iframe srcdoc=\"&lt;script&gt;alert(1)&lt;/script&gt;\"></iframe>", "srcdoc"),
    ("<base href=\"https://evil.example/\">", "<base>"),
    ("<meta http-equiv=refresh content=\"0;url=https://evil.example/\">", "meta"),
    ("<object data=\"https://evil.example/x.swf\"></object>", "object"),
    ("<p style=\"width: expression(alert(1))\">x</p>", "style"),
    ("<div id=\"login\" class=\"admin\">x</div>", "id="),
    ("<img name=\"cookie\" src=\"https://a.example/a.jpg\">", "name="),
    ("<template><img src=x onerror=alert(1)></template>", "onerror"),
    ("<body onload=alert(1)>", "onload"),
    ("<p>teks</p></body></html><html manifest=\"https://evil.example/m\">", "manifest"),
];

/// Markup a string search takes for an attack and a browser does not run.
const HARMLESS: [&str; 8] = [
    "<!-- <script>alert(1)</script> --><p>teks</p>",
    "<p title=\"&lt;img src=x onerror=alert(1)&gt;\">teks</p>",
    "&lt;script&gt;alert(1)&lt;/script&gt; javascript:alert(1)",
    "<a href=\"java\0script:alert(1)\">a NUL makes it a relative link</a>",
    "<scr\0ipt>alert(1)</scr\0ipt>",
    "<p>onerror=alert(1) style=x</p>",
    "<a href=\"https://warta.example/?q=javascript:alert(1)\" rel=\"noopener noreferrer\">tautan</a>",
    "<div id=\"warta-fn-1\"><a href=\"#warta-fn-1\">1</a></div>\
     <iframe src=\"https://www.youtube.com/embed/dQw4w9WgXcQ\" width=\"560\"></iframe>\
     <img src=\"https://img.warta.example/a.jpg\" srcset=\"https://img.warta.example/a.jpg 2x\" alt=\"Foto\">\
     <a href=\"mailto:redaksi@warta.example\">surel</a> <a href=\"tel:+6221\">telepon</a>",
];

#[test]
fn the_oracle_catches_tricks_a_string_search_misses() {
    let mut misses = Vec::new();
    for (html, word) in CAUGHT {
        let found = dangers(html);
        if !found.iter().any(|d| d.contains(word)) {
            misses.push(format!("{html:?}: expected a danger naming {word:?}, found {found:?}"));
        }
    }
    assert!(misses.is_empty(), "{} trick(s) slipped through:\n{}", misses.len(), misses.join("\n"));
}

#[test]
fn the_oracle_passes_markup_that_only_looks_like_an_attack() {
    let mut wrong = Vec::new();
    for html in HARMLESS {
        let found = dangers(html);
        if !found.is_empty() {
            wrong.push(format!("{html:?}: {found:?}"));
        }
    }
    assert!(wrong.is_empty(), "harmless markup judged dangerous:\n{}", wrong.join("\n"));
}

/// Nested forms are dropped only when a parser sees them: once written out and parsed again, the
/// `<style>` leaves MathML and the `<img>` hidden in its text becomes an element.
#[test]
fn the_oracle_catches_markup_that_mutates_when_parsed_again() {
    let html = "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>";
    let found = dangers(html);
    assert!(found.iter().any(|d| d.contains("parses it again")), "{found:?}");
}

#[test]
fn the_oracle_reads_elements_as_a_browser_builds_them() {
    let found = elements("<P><IMG/SRC='a.jpg'ALT=&quot;x&quot;><svg><a xlink:href=#b><foreignObject><b>t");
    let seen: Vec<(Namespace, &str, usize)> = found.iter().map(|e| (e.namespace, e.name.as_str(), e.depth)).collect();
    assert_eq!(
        seen,
        [
            (Namespace::Html, "p", 1),
            (Namespace::Html, "img", 2),
            (Namespace::Svg, "svg", 2),
            (Namespace::Svg, "a", 3),
            (Namespace::Svg, "foreignObject", 4),
            (Namespace::Html, "b", 5),
        ]
    );
    assert_eq!(found[1].attributes, [("src".to_owned(), "a.jpg".to_owned()), ("alt".to_owned(), "\"x\"".to_owned())]);
    assert_eq!(found[3].attribute("xlink:href"), Some("#b"));
    assert_eq!(shape(&"<div>".repeat(150)), (150, 150));
    assert_eq!(shape("<b><i>x</b>y</i>"), (2, 3), "the adoption agency re-opens <i>");
}
