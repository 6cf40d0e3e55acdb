//! Request extractors shared by every resource: a JSON body whose errors follow the contract's
//! precedence, and the client's address behind trusted proxies.

use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;

use actix_web::http::header;
use actix_web::web::Data;
use actix_web::{dev::Payload, FromRequest, HttpRequest};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};

use crate::config::Settings;
use crate::domain::validation::FieldError;
use crate::error::ApiError;

/// A JSON request body. Reading it only fails for a body over the size limit (413); whether it is
/// JSON at all (415, 400) and whether it fits the type (422) is decided when the handler calls
/// [`JsonBody::parse`], after authentication, lookups and role checks, so that the contract's order
/// (401, 404, 403, then 400/415, then 422) holds.
pub struct JsonBody<T> {
    result: Result<T, ApiError>,
    /// The JSON object when it did not fit the type, for the checks that rank before a 422.
    unfitting: Option<serde_json::Value>,
}

impl<T> JsonBody<T> {
    pub fn parse(self) -> Result<T, ApiError> {
        self.result
    }

    /// The body as `T` (or why it is not one), without taking it: for the checks that read what a
    /// body says before the handler answers its error.
    pub fn as_parsed(&self) -> Result<&T, &ApiError> {
        self.result.as_ref()
    }

    /// A top-level field of a body that is a JSON object but not a valid `T` (a 422): a role or
    /// version check that the contract ranks before the 422 can still read what it needs.
    pub fn unfitting_field(&self, name: &str) -> Option<&serde_json::Value> {
        self.unfitting.as_ref()?.get(name)
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let settings = req.app_data::<Data<Settings>>();
        let limit = settings.map(|s| s.max_body_bytes).unwrap_or(1024 * 1024);
        let timeout = settings.map(|s| s.request_timeout).unwrap_or(std::time::Duration::from_secs(10));
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                let essence = v.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
                essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
            })
            .unwrap_or(false);
        let declared =
            req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
        let mut payload = payload.take();
        Box::pin(async move {
            if declared.is_some_and(|len| len > limit as u64) {
                return Err(ApiError::PayloadTooLarge(limit));
            }
            // The whole body must arrive within the timeout, not each piece of it: a client sending
            // one byte a second would otherwise hold its connection (and a file descriptor) forever.
            let read = async {
                let mut body = Vec::new();
                while let Some(chunk) = payload.next().await {
                    let chunk =
                        chunk.map_err(|e| ApiError::BadRequest(format!("the request body could not be read: {e}")))?;
                    if body.len() + chunk.len() > limit {
                        return Err(ApiError::PayloadTooLarge(limit));
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(body)
            };
            let body = actix_web::rt::time::timeout(timeout, read)
                .await
                .map_err(|_| ApiError::RequestTimeout(timeout.as_secs()))??;
            let (result, unfitting) = if is_json { decode(&body) } else { (Err(ApiError::not_json()), None) };
            Ok(JsonBody { result, unfitting })
        })
    }
}

/// The body as `T`, or the error and (for a JSON object that does not fit `T`) the object.
fn decode<T: DeserializeOwned>(body: &[u8]) -> (Result<T, ApiError>, Option<serde_json::Value>) {
    let value: serde_json::Value = match serde_json::from_slice(body) {
        Ok(value) => value,
        Err(e) => return (Err(ApiError::BadRequest(format!("the body is not valid JSON: {e}"))), None),
    };
    if !value.is_object() {
        return (Err(ApiError::field("(body)", "must be a JSON object")), None);
    }
    match fit(&value) {
        Ok(fitted) => (Ok(fitted), None),
        Err(e) => (Err(e), Some(value)),
    }
}

fn fit<T: DeserializeOwned>(value: &serde_json::Value) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let message = e.inner().to_string();
        let path = e.path().to_string();
        let field = match message.strip_prefix("missing field `").and_then(|m| m.split('`').next()) {
            Some(missing) if path == "." => missing.to_owned(),
            Some(missing) => format!("{path}.{missing}"),
            None => path,
        };
        ApiError::Validation(vec![FieldError::new(field, message)])
    })
}

/// For optional query parameters where an empty value (`?category=`, as clients that always send
/// every parameter do) means the parameter was not given.
/// Use with `#[serde(default, deserialize_with = "crate::extract::non_empty")]`.
pub fn non_empty<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Option::<String>::deserialize(d)?.filter(|value| !value.is_empty()))
}

/// For PATCH fields where `null` means "clear it": absent is `None`, `null` is `Some(None)`.
/// Use with `#[serde(default, deserialize_with = "crate::extract::nullable")]`.
pub fn nullable<'de, T: Deserialize<'de>, D: Deserializer<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// The address of the client: the peer, or, when the peer is a trusted proxy, the nearest address
/// in `X-Forwarded-For` that is not itself a trusted proxy. The list is read from the right (the
/// entries our proxies wrote) and fails closed: an entry that does not parse (`unknown`, an
/// obfuscated name, garbage) stops the walk at the hop that wrote it, the nearest trusted proxy, so
/// whatever the client put further left is never believed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

impl ClientAddr {
    pub fn of(req: &HttpRequest) -> ClientAddr {
        let peer = req.peer_addr().map(|a| a.ip()).unwrap_or(IpAddr::from([0, 0, 0, 0]));
        let trusted: &[IpAddr] = req.app_data::<Data<Settings>>().map(|s| s.trusted_proxies.as_slice()).unwrap_or(&[]);
        // A line that is not text counts as one unparsable entry.
        let forwarded = req.headers().get_all("x-forwarded-for").map(|v| v.to_str().unwrap_or("\u{0}"));
        ClientAddr(client_address(peer, trusted, forwarded))
    }
}

/// The client behind `peer` given the `X-Forwarded-For` header lines in order (see [`ClientAddr`]).
fn client_address<'a>(peer: IpAddr, trusted: &[IpAddr], forwarded: impl Iterator<Item = &'a str>) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let entries: Vec<&str> = forwarded.flat_map(|line| line.split(',')).collect();
    let mut nearest = peer;
    for entry in entries.into_iter().rev() {
        match forwarded_address(entry) {
            Some(address) if trusted.contains(&address) => nearest = address,
            Some(address) => return address,
            None => return nearest,
        }
    }
    nearest
}

/// One `X-Forwarded-For` entry as proxies write it: `192.0.2.1`, `192.0.2.1:5678`, `2001:db8::1`,
/// `[2001:db8::1]` or `[2001:db8::1]:443`.
fn forwarded_address(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim();
    if let Ok(address) = entry.parse::<IpAddr>() {
        return Some(address);
    }
    if let Some(v6) = entry.strip_prefix('[').and_then(|rest| rest.strip_suffix(']')) {
        return v6.parse::<std::net::Ipv6Addr>().ok().map(IpAddr::V6);
    }
    entry.parse::<std::net::SocketAddr>().ok().map(|address| address.ip())
}

impl FromRequest for ClientAddr {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(Ok(ClientAddr::of(req)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Cover {
        url: String,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Body {
        name: String,
        cover: Option<Cover>,
        #[serde(default, deserialize_with = "nullable")]
        parent_id: Option<Option<i32>>,
    }

    fn field_of(body: &str) -> String {
        match decode::<Body>(body.as_bytes()).0 {
            Err(ApiError::Validation(errors)) => errors[0].field.clone(),
            other => panic!("expected a 422, got {other:?}"),
        }
    }

    #[test]
    fn errors_name_the_field() {
        assert_eq!(field_of(r#"{"name": 5}"#), "name");
        assert_eq!(field_of(r#"{}"#), "name");
        assert_eq!(field_of(r#"{"name": "a", "cover": {"url": 1}}"#), "cover.url");
        assert_eq!(field_of(r#"{"name": "a", "cover": {}}"#), "cover.url");
        assert_eq!(field_of(r#"[1]"#), "(body)");
    }

    #[test]
    fn syntax_errors_are_bad_requests() {
        for body in ["", "{", "{\"name\": \"a\"} x", "\u{0}"] {
            assert!(matches!(decode::<Body>(body.as_bytes()).0, Err(ApiError::BadRequest(_))), "{body:?}");
        }
        assert!(matches!(decode::<Body>(&[0xff, 0xfe]).0, Err(ApiError::BadRequest(_))));
    }

    #[test]
    fn forwarded_entries_parse_in_the_forms_proxies_write() {
        let ip = |s: &str| s.parse::<IpAddr>().expect("ip");
        for (entry, address) in [
            ("192.0.2.1", "192.0.2.1"),
            (" 192.0.2.1:5678 ", "192.0.2.1"),
            ("2001:db8::1", "2001:db8::1"),
            ("[2001:db8::1]", "2001:db8::1"),
            ("[2001:db8::1]:443", "2001:db8::1"),
        ] {
            assert_eq!(forwarded_address(entry), Some(ip(address)), "{entry}");
        }
        for entry in ["unknown", "", "_hidden", "192.0.2.1:x", "[192.0.2.1]", "2001:db8::1:443:x", "[::1"] {
            assert_eq!(forwarded_address(entry), None, "{entry}");
        }
    }

    #[test]
    fn an_unparsable_forwarded_entry_is_the_hop_that_wrote_it() {
        let ip = |s: &str| s.parse::<IpAddr>().expect("ip");
        let (proxy, inner) = (ip("10.0.0.1"), ip("10.0.0.2"));
        let trusted = [proxy, inner];
        let client = |lines: &[&str]| client_address(proxy, &trusted, lines.iter().copied());
        assert_eq!(client(&["198.51.100.1, 203.0.113.7"]), ip("203.0.113.7"));
        assert_eq!(client(&["198.51.100.1", "203.0.113.7:5555"]), ip("203.0.113.7"), "lines are one list");
        assert_eq!(client(&["198.51.100.1, unknown"]), proxy, "not the client-chosen entry to its left");
        assert_eq!(client(&["198.51.100.1, garbage, 10.0.0.2"]), inner, "the nearest trusted hop");
        assert_eq!(client(&["198.51.100.1, ,10.0.0.2"]), inner, "an empty entry is unparsable too");
        assert_eq!(client(&["198.51.100.1, 10.0.0.2"]), ip("198.51.100.1"));
        assert_eq!(client(&[]), proxy);
        assert_eq!(client_address(ip("192.0.2.9"), &trusted, ["203.0.113.7"].into_iter()), ip("192.0.2.9"));
    }

    #[test]
    fn null_and_absent_are_told_apart() {
        let absent = decode::<Body>(br#"{"name": "a"}"#).0.expect("valid");
        let null = decode::<Body>(br#"{"name": "a", "parent_id": null}"#).0.expect("valid");
        let set = decode::<Body>(br#"{"name": "a", "parent_id": 3}"#).0.expect("valid");
        assert_eq!((absent.parent_id, null.parent_id, set.parent_id), (None, Some(None), Some(Some(3))));
    }
}
