//! The shapes of successful answers every resource shares: 201 with `Location`, a page of a list
//! with its `Link` header, and 204.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;

use crate::domain::pagination::Paginated;

/// 201 Created with `Location` pointing at the new item.
pub fn created<T: Serialize>(location: String, body: &T) -> HttpResponse {
    HttpResponse::Created().insert_header((header::LOCATION, location)).json(body)
}

/// 200 with the `{data, meta}` envelope and an RFC 8288 `Link` header to the neighbouring pages.
pub fn page<T: Serialize>(req: &HttpRequest, page: &Paginated<T>) -> HttpResponse {
    let other_params: Vec<(String, String)> = serde_urlencoded::from_str::<Vec<(String, String)>>(req.query_string())
        .unwrap_or_default()
        .into_iter()
        .filter(|(k, _)| k != "page" && k != "per_page")
        .collect();
    let mut response = HttpResponse::Ok();
    if let Some(link) = page.meta.link_header(req.path(), &other_params) {
        response.insert_header((header::LINK, link));
    }
    response.json(page)
}

pub fn no_content() -> HttpResponse {
    HttpResponse::NoContent().finish()
}
