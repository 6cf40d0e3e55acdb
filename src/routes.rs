//! The route table: every path the server answers, once. The router registration below and the
//! OpenAPI document come from the handlers' own attributes; everything else that must know the
//! routes (metric labels, the `Allow` header of a 405, which anonymous reads are cacheable content)
//! is derived from [`ROUTES`], and a test checks the table against the served OpenAPI document.
//!
//! Both `startup` (to serve) and `openapi` (to describe) use [`register_routes`], so neither
//! depends on the other.

use utoipa_actix_web::{scope, UtoipaApp};

use crate::{articles, audit, auth, authors, categories, feeds, health, media, syndication, tags, users};

/// What a route serves, for caching.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Public content: anonymous `GET`s are cacheable and the same for every reader.
    Content,
    /// Anything else: accounts, logins, the view beacon, operations.
    Other,
}

/// One route: its pattern (also its metric label), the methods its handlers answer (`HEAD` and
/// `OPTIONS` are added by the server), and what it serves.
#[derive(Debug, PartialEq, Eq)]
pub struct Route {
    pub pattern: &'static str,
    pub methods: &'static [&'static str],
    pub kind: Kind,
    /// Whether the last `{name}` takes the rest of the path, slashes included (a file's key).
    tail: bool,
    /// The `Allow` header, made once.
    allow: std::sync::OnceLock<String>,
}

const fn route(pattern: &'static str, methods: &'static [&'static str], kind: Kind) -> Route {
    Route { pattern, methods, kind, tail: false, allow: std::sync::OnceLock::new() }
}

/// A route whose last segment takes the rest of the path; registered with the pattern `{name:.+}`,
/// documented (and labelled) as `{name}`.
const fn tail_route(pattern: &'static str, methods: &'static [&'static str], kind: Kind) -> Route {
    Route { pattern, methods, kind, tail: true, allow: std::sync::OnceLock::new() }
}

const READ: &[&str] = &["GET"];
const COLLECTION: &[&str] = &["GET", "POST"];
const ITEM: &[&str] = &["GET", "PATCH", "DELETE"];
const ACTION: &[&str] = &["POST"];

use Kind::{Content, Other};

/// Every route, the most requested first (the lookup goes in order).
pub static ROUTES: [Route; 31] = [
    route("/api/v1/feeds/latest", READ, Content),
    route("/api/v1/articles/{key}/views", ACTION, Other),
    route("/api/v1/articles/{key}", ITEM, Content),
    route("/api/v1/articles", COLLECTION, Content),
    route("/api/v1/feeds/trending", READ, Content),
    route("/api/v1/articles/{key}/related", READ, Content),
    route("/api/v1/syndication/rss.xml", READ, Content),
    route("/api/v1/syndication/feed.json", READ, Content),
    route("/api/v1/categories", COLLECTION, Content),
    route("/api/v1/categories/{key}", ITEM, Content),
    route("/api/v1/authors", COLLECTION, Content),
    route("/api/v1/authors/{key}", ITEM, Content),
    route("/api/v1/tags", COLLECTION, Content),
    route("/api/v1/tags/{key}", ITEM, Content),
    route("/api/v1/auth/login", ACTION, Other),
    route("/api/v1/auth/refresh", ACTION, Other),
    route("/api/v1/auth/logout", ACTION, Other),
    route("/api/v1/auth/me", READ, Other),
    route("/api/v1/auth/me/password", &["PUT"], Other),
    route("/api/v1/users", COLLECTION, Other),
    route("/api/v1/users/{id}", ITEM, Other),
    route("/api/v1/media", COLLECTION, Other),
    route("/api/v1/media/{id}", ITEM, Other),
    route("/api/v1/audit", READ, Other),
    route("/healthz", READ, Other),
    route("/readyz", READ, Other),
    route("/metrics", READ, Other),
    route("/openapi.json", READ, Other),
    route("/docs", READ, Other),
    route("/docs/{_:.*}", READ, Other),
    tail_route("/media/{key}", READ, Other),
];

/// The label of requests no route answers.
pub const UNMATCHED: &str = "unmatched";

impl Route {
    /// Whether `path` (as the router sees it: percent-decoded where that is safe) is this route.
    /// A `{name}` segment matches any non-empty segment; `{_:.*}` matches the rest of the path.
    fn matches(&self, path: &str) -> bool {
        let mut wanted = self.pattern.split('/');
        let mut given = path.split('/');
        loop {
            match (wanted.next(), given.next()) {
                (None, None) => return true,
                (Some("{_:.*}"), Some(_)) => return true,
                (Some(w), Some(g)) if self.tail && w.starts_with('{') && wanted.clone().next().is_none() => {
                    return !g.is_empty()
                }
                (Some(w), Some(g)) if w.starts_with('{') => {
                    if g.is_empty() {
                        return false;
                    }
                }
                (Some(w), Some(g)) if w == g => {}
                _ => return false,
            }
        }
    }

    /// The `Allow` header: the handlers' methods, `HEAD` wherever `GET` is, and `OPTIONS`.
    pub fn allow(&'static self) -> &'static str {
        self.allow.get_or_init(|| {
            let mut methods: Vec<&str> = Vec::with_capacity(self.methods.len() + 2);
            for method in self.methods {
                methods.push(method);
                if *method == "GET" {
                    methods.push("HEAD");
                }
            }
            methods.push("OPTIONS");
            methods.join(", ")
        })
    }
}

/// The route that answers `path`, if any. Written as a walk over the table rather than asked of
/// the router, whose matching runs a regular expression per route; this allocates nothing.
pub fn find(path: &str) -> Option<&'static Route> {
    ROUTES.iter().find(|route| route.matches(path))
}

/// Whether `path` (a request path or a route pattern) is public content: anonymous `GET`s are
/// cacheable and the same for every reader.
pub fn is_content(path: &str) -> bool {
    find(path).is_some_and(|route| route.kind == Kind::Content)
}

/// The metrics label of a path: its route pattern, from the fixed table, so a scan of random URLs
/// cannot grow the label set.
pub fn label(path: &str) -> &'static str {
    find(path).map_or(UNMATCHED, |route| route.pattern)
}

/// Every documented route: the operations endpoints at the root, the API under `/api/v1`.
pub fn register_routes<T>(app: UtoipaApp<T>) -> UtoipaApp<T>
where
    T: actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Error = actix_web::Error,
        InitError = (),
    >,
{
    // The router tries routes in this order, running a regular expression for each one with a
    // `{key}`: the routes readers hit all day come first.
    app.service(
        scope("/api/v1")
            .configure(articles::configure_beacon)
            .configure(feeds::configure)
            .configure(articles::configure)
            .configure(syndication::configure)
            .configure(categories::configure)
            .configure(authors::configure)
            .configure(tags::configure)
            .configure(auth::configure)
            .configure(users::configure)
            .configure(media::configure)
            .configure(audit::configure),
    )
    .service(media::handlers::media_file)
    .service(health::healthz)
    .service(health::readyz)
    .service(health::metrics)
    .service(health::openapi_json)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_route_patterns_from_a_fixed_set() {
        let cases = [
            ("/api/v1/articles", "/api/v1/articles"),
            ("/api/v1/articles/korea-utara", "/api/v1/articles/{key}"),
            ("/api/v1/articles/views", "/api/v1/articles/{key}"),
            ("/api/v1/articles/12/views", "/api/v1/articles/{key}/views"),
            ("/api/v1/articles/12/random", UNMATCHED),
            ("/api/v1/articles/", UNMATCHED),
            ("/api/v1/articles//views", UNMATCHED),
            ("/api/v1/users/3", "/api/v1/users/{id}"),
            ("/api/v1/feeds/latest", "/api/v1/feeds/latest"),
            ("/api/v1/feeds/whatever", UNMATCHED),
            ("/api/v1/auth/me/password", "/api/v1/auth/me/password"),
            ("/healthz", "/healthz"),
            ("/healthz/", UNMATCHED),
            ("/docs/swagger-ui.css", "/docs/{_:.*}"),
            ("/media/ab/abcdef/640.webp", "/media/{key}"),
            ("/media/", UNMATCHED),
            ("/api/v1/media/3", "/api/v1/media/{id}"),
            ("/wp-admin/install.php", UNMATCHED),
            ("/api/v1/nope", UNMATCHED),
            ("", UNMATCHED),
        ];
        for (path, label) in cases {
            assert_eq!(super::label(path), label, "{path}");
        }
    }

    #[test]
    fn allow_adds_head_and_options() {
        assert_eq!(find("/api/v1/tags").map(Route::allow), Some("GET, HEAD, POST, OPTIONS"));
        assert_eq!(find("/api/v1/auth/me/password").map(Route::allow), Some("PUT, OPTIONS"));
    }
}
