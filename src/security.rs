//! Security headers on every answer: no MIME sniffing, no referrer, and a Content-Security-Policy:
//! nothing at all for the JSON API, and only the binary's own files for the interactive docs. And
//! the per-address connection cap.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::{Arc, Mutex};

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;

/// The docs page loads its own script and stylesheet; Swagger UI sets inline styles and shows
/// data: images, and talks only to this server.
const DOCS_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
    img-src 'self' data:; connect-src 'self'; font-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
/// API answers are data, never documents to render.
const API_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";

pub async fn security_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody + 'static>, actix_web::Error> {
    let docs = req.path() == "/docs" || req.path().starts_with("/docs/");
    let mut response = next.call(req).await?;
    add_security_headers(response.headers_mut(), docs);
    Ok(response)
}

/// The headers `security_headers` puts on every answer (`docs`: the interactive docs' policy);
/// also used by the edge, which answers cached reads before that middleware runs.
pub fn add_security_headers(headers: &mut header::HeaderMap, docs: bool) {
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers
        .insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(if docs { DOCS_POLICY } else { API_POLICY }));
}

/// Connections open at once per client address, so that one address cannot take every file
/// descriptor with connections that send nothing or trickle. A connection takes a slot when it is
/// accepted ([`ConnectionLimits::admit`], from `HttpServer::on_connect`) and gives it back when the
/// connection ends (the slot lives in the connection's data and is dropped with it). IPv6 clients
/// are counted by /64, the block one subscriber usually holds; trusted proxies are not capped (their
/// clients are many), only the total is.
pub struct ConnectionLimits {
    per_address: usize,
    exempt: Vec<IpAddr>,
    live: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

/// One admitted connection; dropping it frees the slot. Entries exist only for addresses with a live
/// connection, so the map is bounded by the total connection cap.
pub struct ConnectionSlot {
    address: IpAddr,
    live: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

impl ConnectionLimits {
    pub fn new(per_address: usize, exempt: Vec<IpAddr>) -> ConnectionLimits {
        ConnectionLimits { per_address, exempt, live: Arc::default() }
    }

    /// A slot for a new connection from `peer`, or `None` when that address holds its share.
    pub fn admit(&self, peer: IpAddr) -> Option<ConnectionSlot> {
        let address = counted_address(peer);
        let Ok(mut live) = self.live.lock() else { return None };
        let open = live.entry(address).or_insert(0);
        if *open >= self.per_address && !self.exempt.contains(&peer) {
            if *open == 0 {
                live.remove(&address);
            }
            return None;
        }
        *open += 1;
        Some(ConnectionSlot { address, live: self.live.clone() })
    }

    /// Connections open from `peer`'s address (or /64).
    pub fn open_from(&self, peer: IpAddr) -> usize {
        self.live.lock().map(|live| live.get(&counted_address(peer)).copied().unwrap_or(0)).unwrap_or(0)
    }
}

impl Drop for ConnectionSlot {
    fn drop(&mut self) {
        if let Ok(mut live) = self.live.lock() {
            if let Some(open) = live.get_mut(&self.address) {
                *open -= 1;
                if *open == 0 {
                    live.remove(&self.address);
                }
            }
        }
    }
}

/// The address a connection is counted under: IPv4 as is (also when mapped into IPv6), IPv6 by /64.
fn counted_address(peer: IpAddr) -> IpAddr {
    match peer {
        IpAddr::V4(_) => peer,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & !((1u128 << 64) - 1))),
        },
    }
}

/// What a refused connection reads before it is closed.
const TOO_MANY_CONNECTIONS: &str = concat!(
    "HTTP/1.1 429 Too Many Requests\r\ncontent-type: application/problem+json\r\nretry-after: 1\r\n",
    "connection: close\r\ncontent-length: 135\r\n\r\n",
    r#"{"type":"about:blank","title":"Too Many Requests","status":429,"#,
    r#""detail":"too many connections are open from your address; retry later"}"#
);

/// Answers a connection over its address's share with a 429 and closes it at once, from
/// `on_connect`, before the server reads anything: its file descriptor is freed now, not after a
/// timeout. The socket is fresh, so the short answer fits its send buffer.
pub fn refuse_connection(stream: &actix_web::rt::net::TcpStream) {
    use std::io::Write;
    use std::os::fd::AsFd;
    // A second descriptor of the same socket, as a std stream (the server keeps its own): writing
    // and shutting down act on the socket; the server then reads end-of-file and drops it.
    let Ok(socket) = stream.as_fd().try_clone_to_owned() else { return };
    let mut socket = std::net::TcpStream::from(socket);
    let _ = socket.write(TOO_MANY_CONNECTIONS.as_bytes());
    let _ = socket.shutdown(std::net::Shutdown::Both);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_refusal_is_a_complete_problem_answer() {
        let (head, body) = TOO_MANY_CONNECTIONS.split_once("\r\n\r\n").expect("a head and a body");
        assert!(head.contains(&format!("content-length: {}", body.len())), "{head}");
        let problem: serde_json::Value = serde_json::from_str(body).expect("JSON");
        assert_eq!(problem["status"], 429);
    }

    #[test]
    fn slots_are_counted_per_address_and_given_back() {
        let proxy: IpAddr = "10.0.0.1".parse().expect("ip");
        let limits = ConnectionLimits::new(2, vec![proxy]);
        let one: IpAddr = "192.0.2.1".parse().expect("ip");
        let (a, b) = (limits.admit(one).expect("first"), limits.admit(one).expect("second"));
        assert!(limits.admit(one).is_none(), "the third from one address");
        assert!(limits.admit("192.0.2.2".parse().expect("ip")).is_some(), "another address");
        drop(a);
        assert!(limits.admit(one).is_some(), "a closed connection gives its slot back");
        drop(b);
        let proxied: Vec<_> = (0..5).filter_map(|_| limits.admit(proxy)).collect();
        assert_eq!(proxied.len(), 5, "a trusted proxy is not capped");
        let v6 = |s: &str| s.parse::<IpAddr>().expect("ip");
        let _x = limits.admit(v6("2001:db8::1")).expect("one");
        let _y = limits.admit(v6("2001:db8::2")).expect("two");
        assert!(limits.admit(v6("2001:db8::ffff:1")).is_none(), "one /64 is one address");
        assert!(limits.admit(v6("2001:db8:0:1::1")).is_some(), "the next /64 is another");
        assert_eq!(limits.open_from(v6("::ffff:192.0.2.1")), limits.open_from(one), "IPv4-mapped is IPv4");
    }
}
