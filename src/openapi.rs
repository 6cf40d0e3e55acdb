//! The OpenAPI document: metadata, tags and the bearer scheme here; every path comes from the
//! `#[utoipa::path]` next to its handler, collected from the same route registration the server uses.

use actix_web::App;
use utoipa::openapi::header::Header;
use utoipa::openapi::path::{Operation, Parameter, ParameterIn};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{Required, Response};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Warta API",
        description = "The content API of Warta, a headless CMS for news publishers.\n\n\
            Log in with `POST /api/v1/auth/login`, then send `Authorization: Bearer <access_token>`. \
            Errors are RFC 9457 `application/problem+json` documents.\n\n\
            Rules the schemas cannot state: no text field accepts a NUL character; ids in a body must \
            name something that exists; a stale or missing article version is 412 or 428 (send the \
            `ETag` back in `If-Match`); all of these are answered with a 4xx problem document.",
        license(name = "MIT", identifier = "MIT")
    ),
    // Relative to the document: the server that serves `/openapi.json` (and `/docs`) is the API.
    // Generated clients take their base URL at run time.
    servers((url = "/", description = "The server that serves this document")),
    modifiers(&BearerScheme),
    tags(
        (name = "auth", description = "Logging in and staying logged in"),
        (name = "users", description = "Editors' accounts (admin only)"),
        (name = "categories", description = "The section tree"),
        (name = "authors", description = "Public bylines"),
        (name = "tags", description = "Labels on articles"),
        (name = "articles", description = "News articles and the editorial workflow"),
        (name = "feeds", description = "Latest and trending, for front ends and mobile clients"),
        (name = "syndication", description = "RSS 2.0 and JSON Feed 1.1 for feed readers"),
        (name = "media", description = "The picture library and its files"),
        (name = "audit", description = "Who wrote what, when (admin only)"),
        (name = "operations", description = "Health, metrics and this document"),
    )
)]
pub struct ApiDoc;

struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build()),
        );
    }
}

/// The document the server serves at `/openapi.json` and `warta openapi` prints.
pub fn document() -> utoipa::openapi::OpenApi {
    let (_, mut doc) =
        crate::routes::register_routes(App::new().into_utoipa_app().openapi(ApiDoc::openapi())).split_for_parts();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    for (path, item) in doc.paths.paths.iter_mut() {
        let methods = [
            ("GET", &mut item.get),
            ("HEAD", &mut item.head),
            ("POST", &mut item.post),
            ("PUT", &mut item.put),
            ("PATCH", &mut item.patch),
            ("DELETE", &mut item.delete),
        ];
        for (method, operation) in methods {
            if let Some(operation) = operation.as_mut() {
                public_unless_declared(operation);
                caching_headers(path, method, operation);
            }
        }
    }
    doc
}

/// An operation that declares no security needs no credentials: it says so with the empty
/// requirement (`[{}]`), which linters and generators read as "public" rather than "unknown".
/// Routes that accept an optional token declare `security((), ("bearer" = []))` themselves.
fn public_unless_declared(operation: &mut Operation) {
    operation.security.get_or_insert_with(|| vec![SecurityRequirement::default()]);
}

fn header(description: &str) -> Header {
    let mut header = Header::default();
    header.description = Some(description.to_owned());
    header
}

/// Declares the caching headers where the middleware sends them: on anonymous reads of content
/// `ETag`, `Cache-Control` and 304 for a matching `If-None-Match`; on writes and on any answer to a
/// request with `Authorization`, `Cache-Control: private, no-store`.
fn caching_headers(path: &str, method: &str, operation: &mut Operation) {
    // The route table decides which anonymous reads the caching middleware answers with a validator,
    // `Cache-Control: public` and 304; `tests/api/openapi.rs` checks this against real answers.
    let cached = method == "GET" && crate::routes::is_content(path);
    let with_token = operation.security.iter().flatten().any(|r| *r != SecurityRequirement::default());
    let private = if method == "GET" {
        "`private, no-store` when the request carries `Authorization`: the answer is for that caller only."
    } else {
        "`private, no-store`: a write's answer is for its caller only."
    };
    let public = "For anonymous readers `public, max-age=N, stale-while-revalidate=60` (N is \
        `WARTA_CACHE_MAX_AGE`, 30 s by default); `private, no-store` when the request carries `Authorization`.";
    let weak = "For anonymous readers a weak validator of the exact body (`W/\"…\"`): send it back in \
        `If-None-Match` for a 304.";
    for (status, response) in operation.responses.responses.iter_mut() {
        let utoipa::openapi::RefOr::T(response) = response else { continue };
        if !(status.starts_with('2') || status.starts_with('3')) {
            continue;
        }
        if cached && status == "200" {
            let etag = response.headers.entry("ETag".to_owned()).or_insert_with(|| header(weak));
            if let Some(existing) = etag.description.as_mut().filter(|d| !d.contains("weak validator")) {
                *existing = format!("{existing}. {weak}");
            }
            response.headers.insert("Cache-Control".to_owned(), header(public));
        } else if cached || with_token || method != "GET" {
            response.headers.insert("Cache-Control".to_owned(), header(private));
        }
    }
    if cached {
        let mut not_modified =
            Response::new("Not modified: `If-None-Match` names the current `ETag` (anonymous readers)");
        not_modified.headers.insert("ETag".to_owned(), header("The current validator, as in the 200 answer"));
        not_modified.headers.insert("Cache-Control".to_owned(), header(public));
        if let Some(utoipa::openapi::RefOr::T(ok)) = operation.responses.responses.get("200") {
            if let Some(link) = ok.headers.get("Link") {
                not_modified.headers.insert("Link".to_owned(), link.clone());
            }
        }
        operation.responses.responses.insert("304".to_owned(), not_modified.into());
        let mut if_none_match = Parameter::new("If-None-Match");
        if_none_match.parameter_in = ParameterIn::Header;
        if_none_match.required = Required::False;
        if_none_match.description =
            Some("The `ETag` of a copy the reader holds; answered 304 without a body while it is current".to_owned());
        if_none_match.schema =
            Some(utoipa::openapi::ObjectBuilder::new().schema_type(utoipa::openapi::Type::String).into());
        operation.parameters.get_or_insert_with(Vec::new).push(if_none_match);
    }
}

/// The document as pretty JSON with a final newline: byte for byte the committed `openapi/openapi.json`.
pub fn document_json() -> String {
    // utoipa 5.5 writes a link's `operationId` as `operation_id`, which no OpenAPI tool reads. No
    // schema here has a property of that name, so the key can only come from a link.
    let mut json = document().to_pretty_json().unwrap_or_default().replace("\"operation_id\": ", "\"operationId\": ");
    json.push('\n');
    json
}
