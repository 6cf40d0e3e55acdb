//! What is derived from a body's sanitized HTML: its text and the excerpt.

/// Derived excerpts stay under this many characters, the ellipsis included.
const EXCERPT_MAX_CHARS: usize = 200;

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
