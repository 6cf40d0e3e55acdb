//! Slugs: the URL names of categories, authors, tags and articles. Generated from a name or title
//! with transliteration, or given by a client and validated.

use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;
use utoipa::{PartialSchema, ToSchema};

use crate::domain::validation::FieldError;

pub const MAX_SLUG_LEN: usize = 120;

/// A slug that satisfies the contract: `^[a-z0-9]+(-[a-z0-9]+)*$`, at least one letter, at most 120.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slug(String);

/// The contract's rule in one expression: all-digit words may come before the first word with a letter.
const SLUG_PATTERN: &str = "^([0-9]+-)*[0-9]*[a-z][a-z0-9]*(-[a-z0-9]+)*$";

impl PartialSchema for Slug {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(SLUG_PATTERN))
            .max_length(Some(MAX_SLUG_LEN))
            .description(Some(
                "Lowercase ASCII letters and digits joined by single hyphens, with at least one letter; \
                 at most 120 characters.",
            ))
            .examples(["korea-utara"])
            .into()
    }
}

impl ToSchema for Slug {}

impl Slug {
    pub fn parse(field: &str, raw: &str) -> Result<Slug, FieldError> {
        let well_formed = !raw.is_empty()
            && raw.split('-').all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
        if !well_formed {
            return Err(FieldError::new(field, "must be lowercase letters and digits joined by single hyphens"));
        }
        if !raw.bytes().any(|b| b.is_ascii_lowercase()) {
            return Err(FieldError::new(field, "must contain a letter"));
        }
        if raw.len() > MAX_SLUG_LEN {
            return Err(FieldError::new(field, format!("must be at most {MAX_SLUG_LEN} characters")));
        }
        Ok(Slug(raw.to_owned()))
    }

    /// The slug generated from a name or title. `singular` (such as `article`) goes in front when the
    /// text has no letter, so that the slug can never be mistaken for an id.
    pub fn generate(text: &str, singular: &str) -> Slug {
        let mut words = transliterated_words(text);
        if !words.iter().any(|w| w.bytes().any(|b| b.is_ascii_lowercase())) {
            words.insert(0, singular.to_owned());
        }
        Slug(join_within(&words, MAX_SLUG_LEN))
    }

    /// The `n`-th candidate when the plain slug is taken: `-2`, `-3`, ..., the suffix kept within 120.
    pub fn with_suffix(&self, n: u32) -> Slug {
        if n < 2 {
            return self.clone();
        }
        let suffix = format!("-{n}");
        let words: Vec<String> = self.0.split('-').map(str::to_owned).collect();
        let base = join_within(&words, MAX_SLUG_LEN - suffix.len());
        Slug(format!("{base}{suffix}"))
    }

    /// The first of this slug, `-2`, `-3`, ... that `taken` says is free.
    pub fn first_free<E>(&self, mut taken: impl FnMut(&str) -> Result<bool, E>) -> Result<Slug, E> {
        let mut n = 1;
        loop {
            let candidate = self.with_suffix(n);
            if !taken(candidate.as_str())? {
                return Ok(candidate);
            }
            n += 1;
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// Lower-case ASCII words of `text`: letters transliterated, apostrophes inside words dropped,
/// everything else (spaces, punctuation, emoji, symbols) a word break.
fn transliterated_words(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut words = Vec::new();
    let mut current = String::new();
    let flush = |current: &mut String, words: &mut Vec<String>| {
        if !current.is_empty() {
            words.push(std::mem::take(current));
        }
    };
    for (i, &c) in chars.iter().enumerate() {
        if c.is_alphanumeric() {
            let ascii =
                if c.is_ascii() { c.to_string() } else { deunicode::deunicode_char(c).unwrap_or("").to_owned() };
            for t in ascii.chars() {
                if t.is_ascii_alphanumeric() {
                    current.push(t.to_ascii_lowercase());
                } else {
                    flush(&mut current, &mut words);
                }
            }
        } else if is_apostrophe(c)
            && i > 0
            && chars[i - 1].is_alphanumeric()
            && chars.get(i + 1).is_some_and(|n| n.is_alphanumeric())
        {
            // "Jong-un's" is one word to a reader, so its slug is `jong-uns`, not `jong-un-s`.
        } else {
            flush(&mut current, &mut words);
        }
    }
    flush(&mut current, &mut words);
    words
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | 'ʼ' | '`')
}

/// Joins words with `-`, keeping whole words while they fit in `max`; a first word longer than
/// `max` is cut, since there is no boundary to cut at.
fn join_within(words: &[String], max: usize) -> String {
    let mut out = String::new();
    for word in words {
        let needed = if out.is_empty() { word.len() } else { out.len() + 1 + word.len() };
        if needed > max {
            if out.is_empty() {
                out.push_str(&word[..max]);
            }
            break;
        }
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(word);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generation_follows_the_contract() {
        let cases = [
            ("Bédah Buku ‘Reset’", "bedah-buku-reset"),
            ("Kim Jong-un's Visit", "kim-jong-uns-visit"),
            ("Berita 🎉 Terkini!!", "berita-terkini"),
            ("  Ekonomi & Bisnis  ", "ekonomi-bisnis"),
            ("2024", "article-2024"),
            ("🎉", "article"),
            ("Straße Ça Va", "strasse-ca-va"),
            ("[Korea Utara]", "korea-utara"),
        ];
        for (title, expected) in cases {
            assert_eq!(Slug::generate(title, "article").as_str(), expected, "{title}");
        }
    }

    #[test]
    fn long_titles_are_cut_at_a_word_boundary() {
        let title = "kata ".repeat(40);
        let slug = Slug::generate(&title, "article");
        assert!(slug.as_str().len() <= MAX_SLUG_LEN);
        assert!(slug.as_str().ends_with("kata"));
        let suffixed = slug.with_suffix(12);
        assert!(suffixed.as_str().len() <= MAX_SLUG_LEN);
        assert!(suffixed.as_str().ends_with("kata-12"), "{}", suffixed.as_str());
        assert_eq!(Slug::generate(&"a".repeat(200), "x").as_str().len(), MAX_SLUG_LEN);
    }

    #[test]
    fn collisions_get_numbered_suffixes() {
        let taken = ["berita", "berita-2"];
        let free = Slug::generate("Berita", "tag").first_free(|s| Ok::<_, ()>(taken.contains(&s)));
        assert_eq!(free.map(Slug::into_string), Ok("berita-3".to_owned()));
    }

    #[test]
    fn generated_slugs_always_parse() {
        for text in ["Bédah Buku", "2024", "", "北京 news", "a-b", &"word ".repeat(50)] {
            let slug = Slug::generate(text, "tag");
            assert!(Slug::parse("slug", slug.as_str()).is_ok(), "{text:?} -> {slug:?}");
        }
    }

    #[test]
    fn given_slugs_are_validated() {
        assert!(Slug::parse("slug", "berita-dunia").is_ok());
        assert!(Slug::parse("slug", "2024-pemilu").is_ok());
        for bad in ["", "Berita", "berita--dunia", "-berita", "berita-", "2024", "berita dunia", "bérita", "../etc"] {
            assert!(Slug::parse("slug", bad).is_err(), "{bad}");
        }
        assert!(Slug::parse("slug", &"a".repeat(121)).is_err());
    }
}
