//! Which iframes a body may keep: video and audio players on an allow-list, with a clean path.

/// Video players whose embeds are kept, as scheme, host and the path their embeds live under; any
/// other iframe is dropped.
const EMBED_PREFIXES: [(&str, &str); 4] = [
    ("www.youtube.com", "/embed/"),
    ("www.youtube-nocookie.com", "/embed/"),
    ("player.vimeo.com", "/video/"),
    ("open.spotify.com", "/embed/"),
];

/// The embed URL as it is kept: parsed (so `..`, `%2e%2e` and backslashes are resolved as a browser
/// would) and written out normalized, on an allowed host, with a clean path under its prefix.
/// `None` drops the frame.
pub(super) fn embed_source(raw: &str) -> Option<String> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
