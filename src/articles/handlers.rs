//! HTTP handlers of `/articles`.

use actix_web::http::header;
use actix_web::web::{Data, Json, Path, Query};
use actix_web::{delete, get, patch, post, HttpRequest, HttpResponse};

use crate::articles::dto::{
    ArticleListQuery, ArticleResponse, ArticleSummary, CreateArticleRequest, RelatedArticles, RelatedQuery,
    UpdateArticleRequest,
};
use crate::articles::service::{self, ChangeClaims, Lookup, Precondition, Totals};
use crate::auth::{AuthUser, MaybeUser};
use crate::clock::{Moment, Now};
use crate::db::Db;
use crate::domain::article_status::ArticleStatus;
use crate::domain::key::ItemKey;
use crate::domain::pagination::Paginated;
use crate::error::{ApiError, Problem};
use crate::extract::JsonBody;
use crate::media::service::Library;
use crate::responses;
use crate::views::ViewCounter;

/// `If-Match`, with several header lines read as one list (RFC 9110 §5.3).
fn if_match(req: &HttpRequest) -> Option<Precondition> {
    let lines: Vec<&str> = req.headers().get_all(header::IF_MATCH).filter_map(|v| v.to_str().ok()).collect();
    Precondition::from_if_match((!lines.is_empty()).then(|| lines.join(",")).as_deref())
}

/// An article answer for a logged-in user carries its version as `ETag` (the caching middleware
/// marks it `private, no-store`).
fn private_article(mut response: actix_web::HttpResponseBuilder, article: &ArticleResponse) -> HttpResponse {
    response.insert_header((header::ETAG, format!("\"{}\"", article.summary.version))).json(article)
}

/// List articles: visible ones by default; with `status`, also unpublished ones the caller may see.
#[utoipa::path(tag = "articles", params(ArticleListQuery), security((), ("bearer" = [])), responses(
    (status = 200, description = "A page of article summaries", body = Paginated<ArticleSummary>,
        headers(("Link" = String, description = "RFC 8288 links to the first, previous, next and last pages"))),
    (status = 400, description = "A paging parameter is not a number", body = Problem, content_type = "application/problem+json"),
    (status = 401, description = "`status` asked for without a login, or a bad token", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "A parameter is out of range or unknown", body = Problem, content_type = "application/problem+json")))]
#[get("/articles")]
pub async fn list_articles(
    req: HttpRequest,
    db: Data<Db>,
    viewer: MaybeUser,
    totals: Data<Totals>,
    at: Moment,
    query: Query<ArticleListQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = db.run(move |conn| service::list(conn, viewer.0.as_ref(), &query, &totals, at)).await?;
    Ok(responses::page(&req, &page))
}

/// Create an article (writers: as `draft` or `review` only).
#[utoipa::path(tag = "articles", security(("bearer" = [])), request_body = CreateArticleRequest, responses(
    (status = 201, description = "Created", body = ArticleResponse,
        headers(("Location" = String, description = "The new article"), ("ETag" = String, description = "The version, quoted")),
        links(
            ("GetArticle" = (operation_id = "get_article", parameters(("key" = "$response.body#/id")))),
            ("UpdateArticle" = (operation_id = "update_article", parameters(("key" = "$response.body#/id"), ("header.If-Match" = "$response.header.ETag")))),
            ("DeleteArticle" = (operation_id = "delete_article", parameters(("key" = "$response.body#/id"), ("header.If-Match" = "$response.header.ETag")))),
        )),
    (status = 400, description = "Body is not JSON", body = Problem, content_type = "application/problem+json"),
    (status = 401, description = "Missing, invalid or expired token", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "A writer asked for a status only editors may set", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "The slug is taken", body = Problem, content_type = "application/problem+json"),
    (status = 415, description = "Body is not application/json", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid field, or ids that name nothing", body = Problem, content_type = "application/problem+json")))]
#[post("/articles")]
pub async fn create_article(
    db: Data<Db>,
    library: Data<Library>,
    user: AuthUser,
    at: Moment,
    body: JsonBody<CreateArticleRequest>,
) -> Result<HttpResponse, ApiError> {
    // A writer asking for a status only editors may set is 403 even when the rest of the body is a 422.
    if let Some(status) = body.unfitting_field("status").and_then(|s| s.as_str()).and_then(ArticleStatus::parse) {
        service::check_status_allowed(&user, status)?;
    }
    // A body that does not fit names every field it gets wrong, not only the first.
    let misfits = CreateArticleRequest::misfits(|name| body.unfitting_field(name));
    let req = match body.parse() {
        Err(ApiError::Validation(_)) if !misfits.is_empty() => return Err(ApiError::Validation(misfits)),
        other => other?,
    };
    let article = db.run(move |conn| service::create(conn, &user, req, at, &library.media_url)).await?;
    let location = format!("/api/v1/articles/{}", article.summary.id);
    Ok(private_article(HttpResponse::Created().insert_header((header::LOCATION, location)).take(), &article))
}

/// One article, by id or slug. Anonymous readers see visible articles only; writers also their
/// own; editors everything. A slug retired after publication answers 301 to the current one.
#[utoipa::path(tag = "articles", params(("key" = String, Path, description = "An id (all digits) or a slug")),
    security((), ("bearer" = [])), responses(
    (status = 200, description = "The article", body = ArticleResponse,
        headers(("ETag" = String, description = "For logged-in callers, the version, quoted"))),
    (status = 301, description = "The slug changed; `Location` has the current one", headers(("Location" = String))),
    (status = 401, description = "A bad token", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such article, or not visible to the caller", body = Problem, content_type = "application/problem+json")))]
#[get("/articles/{key}")]
pub async fn get_article(
    req: HttpRequest,
    db: Data<Db>,
    viewer: MaybeUser,
    at: Moment,
    key: Path<String>,
) -> Result<HttpResponse, ApiError> {
    let key = ItemKey::parse(&key);
    let logged_in = viewer.0.is_some();
    match db.run(move |conn| service::get(conn, viewer.0.as_ref(), &key, at)).await? {
        Lookup::MovedTo(slug) => {
            // The query string goes along, so a link's tracking parameters survive the move.
            let query = match req.query_string() {
                "" => String::new(),
                query => format!("?{query}"),
            };
            Ok(HttpResponse::MovedPermanently()
                .insert_header((header::LOCATION, format!("/api/v1/articles/{slug}{query}")))
                .finish())
        }
        Lookup::Found(article) if logged_in => Ok(private_article(HttpResponse::Ok(), &article)),
        Lookup::Found(article) => Ok(HttpResponse::Ok().json(article)),
    }
}

/// Change an article. Send the version it is based on as `If-Match: "<version>"` (or `version` in
/// the body): without one the answer is 428, with a stale one 412, and nothing changes.
#[utoipa::path(tag = "articles", security(("bearer" = [])), params(
        ("key" = String, Path, description = "An id (all digits) or a slug"),
        ("If-Match" = Option<String>, Header, description = "The version being changed, quoted: `\"3\"`")),
    request_body = UpdateArticleRequest, responses(
    (status = 200, description = "The changed article", body = ArticleResponse, headers(("ETag" = String, description = "The new version, quoted")),
        links(
            ("UpdateArticle" = (operation_id = "update_article", parameters(("key" = "$response.body#/id"), ("header.If-Match" = "$response.header.ETag")))),
            ("DeleteArticle" = (operation_id = "delete_article", parameters(("key" = "$response.body#/id"), ("header.If-Match" = "$response.header.ETag")))),
        )),
    (status = 400, description = "Body is not JSON", body = Problem, content_type = "application/problem+json"),
    (status = 401, description = "Missing, invalid or expired token", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Not the caller's to change, or a status only editors may set", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such article, or not visible to the caller", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "The slug is taken", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "The article changed since that version", body = Problem, content_type = "application/problem+json"),
    (status = 415, description = "Body is not application/json", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid field", body = Problem, content_type = "application/problem+json"),
    (status = 428, description = "No version given", body = Problem, content_type = "application/problem+json")))]
#[patch("/articles/{key}")]
pub async fn update_article(
    req: HttpRequest,
    db: Data<Db>,
    library: Data<Library>,
    user: AuthUser,
    key: Path<String>,
    at: Moment,
    body: JsonBody<UpdateArticleRequest>,
) -> Result<HttpResponse, ApiError> {
    let (key, if_match) = (ItemKey::parse(&key), if_match(&req));
    // What the body says about status, time and version counts for the checks the contract ranks
    // before its 422, even when the body does not fit; a body that is not JSON at all says nothing.
    let claims = match body.as_parsed() {
        Ok(change) => Some(ChangeClaims::of(change)),
        Err(ApiError::Validation(_)) => Some(ChangeClaims {
            status: body.unfitting_field("status").and_then(|s| s.as_str()).and_then(ArticleStatus::parse),
            version: body.unfitting_field("version").and_then(|v| v.as_i64()),
            published_at: body.unfitting_field("published_at").is_some(),
        }),
        Err(_) => None,
    };
    let (article, user) =
        db.run(move |conn| Ok((service::authorize_change(conn, &user, &key, claims, if_match, at.now)?, user))).await?;
    // Between the phases, so that its 400 or 415 ranks after 404 and 403, and its 422 after 428 and 412.
    let change = body.parse()?;
    let article = db.run(move |conn| service::update(conn, &user, article, change, at, &library.media_url)).await?;
    Ok(private_article(HttpResponse::Ok(), &article))
}

/// Delete an article (editor or admin), naming its version in `If-Match`.
#[utoipa::path(tag = "articles", security(("bearer" = [])), params(
        ("key" = String, Path, description = "An id (all digits) or a slug"),
        ("If-Match" = String, Header, description = "The version being deleted, quoted: `\"3\"`")),
    responses(
    (status = 204, description = "Deleted"),
    (status = 401, description = "Missing, invalid or expired token", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Writers may not delete articles", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such article, or not visible to the caller", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "The article changed since that version", body = Problem, content_type = "application/problem+json"),
    (status = 428, description = "No version given", body = Problem, content_type = "application/problem+json")))]
#[delete("/articles/{key}")]
pub async fn delete_article(
    req: HttpRequest,
    db: Data<Db>,
    views: Data<ViewCounter>,
    user: AuthUser,
    key: Path<String>,
    now: Now,
) -> Result<HttpResponse, ApiError> {
    let (key, if_match) = (ItemKey::parse(&key), if_match(&req));
    let deleted = db.run(move |conn| service::delete(conn, &user, &key, if_match, now.0)).await?;
    // Its buffered reads must not be written to a later article that is given the same id.
    views.forget(deleted);
    Ok(responses::no_content())
}

/// Visible articles related to this one: those sharing a tag first, then others in its category,
/// newest first; never the article itself.
#[utoipa::path(tag = "articles", security((), ("bearer" = [])), params(("key" = String, Path, description = "An id (all digits) or a slug"), RelatedQuery), responses(
    (status = 200, description = "Related articles", body = RelatedArticles),
    (status = 401, description = "An `Authorization` header with a token that is invalid, expired or of a deleted account (the route needs none)", body = Problem, content_type = "application/problem+json"),
    (status = 400, description = "`limit` is not a number", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such article, or not visible", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "`limit` out of range", body = Problem, content_type = "application/problem+json")))]
#[get("/articles/{key}/related")]
pub async fn related_articles(
    _caller: MaybeUser,
    db: Data<Db>,
    at: Moment,
    key: Path<String>,
    query: Query<RelatedQuery>,
) -> Result<Json<RelatedArticles>, ApiError> {
    let key = ItemKey::parse(&key);
    let data = db.run(move |conn| service::related(conn, &key, query.limit.as_deref(), at)).await?;
    Ok(Json(RelatedArticles { data }))
}
