//! The OpenAPI document: metadata, tags and the bearer scheme here; every path comes from the
//! `#[utoipa::path]` next to its handler, collected from the same route registration the server uses.

use actix_web::App;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
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
    doc
}

/// The document as pretty JSON with a final newline: byte for byte the committed `openapi/openapi.json`.
pub fn document_json() -> String {
    // utoipa 5.5 writes a link's `operationId` as `operation_id`, which no OpenAPI tool reads. No
    // schema here has a property of that name, so the key can only come from a link.
    let mut json = document().to_pretty_json().unwrap_or_default().replace("\"operation_id\": ", "\"operationId\": ");
    json.push('\n');
    json
}
