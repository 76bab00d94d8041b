//! The address people use to reach this server, when the operator names one: requests for
//! any other host are refused (421), which stops DNS-rebinding pages and stray virtual
//! hosts from talking to Between, and absolute links are built from it.

use std::str::FromStr;

use askama::Template;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// `http://HOST[:PORT]` or `https://HOST[:PORT]`, with no path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicUrl {
    https: bool,
    host: String,
    port: Option<u16>,
}

/// Why a public URL could not be used.
#[derive(Debug, thiserror::Error)]
#[error(
    "{0:?} is not a public URL Between can use: write it as https://HOST or https://HOST:PORT, without a path"
)]
pub struct PublicUrlError(String);

impl FromStr for PublicUrl {
    type Err = PublicUrlError;

    fn from_str(s: &str) -> Result<PublicUrl, PublicUrlError> {
        let bad = || PublicUrlError(s.to_string());
        let (scheme, rest) = s.trim().split_once("://").ok_or_else(bad)?;
        let https = match scheme.to_ascii_lowercase().as_str() {
            "https" => true,
            "http" => false,
            _ => return Err(bad()),
        };
        // Pages link to absolute paths such as /help, so Between must own the whole host.
        let authority = rest.strip_suffix('/').unwrap_or(rest);
        if authority.is_empty() || authority.contains(['/', '?', '#', '@']) {
            return Err(bad());
        }
        let (host, port) = split_authority(authority).ok_or_else(bad)?;
        let host_ok = if host.starts_with('[') {
            host.trim_matches(['[', ']'])
                .parse::<std::net::Ipv6Addr>()
                .is_ok()
        } else {
            host.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
        };
        if !host_ok || host.is_empty() {
            return Err(bad());
        }
        Ok(PublicUrl { https, host, port })
    }
}

/// Splits `host[:port]` (IPv6 in brackets) into a lower-case host and the port, if any.
fn split_authority(authority: &str) -> Option<(String, Option<u16>)> {
    let (host, port) = match authority.rfind(':') {
        Some(i) if !authority[i..].contains(']') => (&authority[..i], Some(&authority[i + 1..])),
        _ => (authority, None),
    };
    let port = match port {
        Some(p) => Some(p.parse::<u16>().ok()?),
        None => None,
    };
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    Some((host, port))
}

impl PublicUrl {
    fn default_port(&self) -> u16 {
        if self.https { 443 } else { 80 }
    }

    /// The origin, e.g. `https://between.example.org` (the default port left out).
    pub fn origin(&self) -> String {
        let scheme = if self.https { "https" } else { "http" };
        match self.port.filter(|p| *p != self.default_port()) {
            Some(p) => format!("{scheme}://{}:{p}", self.host),
            None => format!("{scheme}://{}", self.host),
        }
    }

    /// An absolute link to a path of this server (`path` starts with `/`).
    pub fn link(&self, path: &str) -> String {
        format!("{}{path}", self.origin())
    }

    /// Whether a request's `Host` names this server: the same host, case aside, and the
    /// same port once a missing port is read as the scheme's default.
    pub fn matches_host(&self, host: &str) -> bool {
        match split_authority(host.trim()) {
            Some((h, port)) => {
                h == self.host
                    && port.unwrap_or(self.default_port())
                        == self.port.unwrap_or(self.default_port())
            }
            None => false,
        }
    }
}

#[derive(Template)]
#[template(path = "misdirected.html")]
struct MisdirectedPage {
    home: String,
    help: String,
}

/// Refuses requests for a host other than the public URL's. The health check is answered
/// for any host, so a load balancer may probe an instance by its own address; it reads no
/// personal data.
pub async fn check_host(public: Option<PublicUrl>, req: Request, next: Next) -> Response {
    let Some(public) = public else {
        return next.run(req).await;
    };
    let path = req.uri().path();
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_string)
        // HTTP/2 carries the host in the request target instead.
        .or_else(|| req.uri().authority().map(|a| a.to_string()));
    if path == "/healthz" || host.as_deref().is_some_and(|h| public.matches_host(h)) {
        return next.run(req).await;
    }
    tracing::warn!(path = %path, "refused a request for another host");
    if path.starts_with("/api/") {
        return crate::api::error::json(
            StatusCode::MISDIRECTED_REQUEST,
            "wrong_host",
            &format!("This server answers at {}.", public.origin()),
            None,
        );
    }
    let page = MisdirectedPage {
        home: public.link("/"),
        help: public.link("/help"),
    };
    crate::pages::render(StatusCode::MISDIRECTED_REQUEST, &page).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_urls_parse_and_name_their_origin() {
        let u: PublicUrl = "https://Between.Example.org/".parse().unwrap();
        assert_eq!(u.origin(), "https://between.example.org");
        assert_eq!(u.link("/help"), "https://between.example.org/help");
        let p: PublicUrl = "http://127.0.0.1:8080".parse().unwrap();
        assert_eq!(p.origin(), "http://127.0.0.1:8080");
        let d: PublicUrl = "https://example.org:443".parse().unwrap();
        assert_eq!(d.origin(), "https://example.org");
        let v6: PublicUrl = "http://[::1]:8080".parse().unwrap();
        assert_eq!(v6.origin(), "http://[::1]:8080");
        for bad in [
            "example.org",
            "ftp://example.org",
            "https://",
            "https://example.org/between",
            "https://example.org?x=1",
            "https://user@example.org",
            "https://example.org:99999",
            "https://exa mple.org",
            "https://[nothex]:80",
        ] {
            assert!(bad.parse::<PublicUrl>().is_err(), "{bad}");
        }
    }

    #[test]
    fn hosts_match_by_name_and_effective_port() {
        let u: PublicUrl = "https://between.example.org".parse().unwrap();
        for good in [
            "between.example.org",
            "BETWEEN.example.org",
            "between.example.org:443",
            "between.example.org.",
        ] {
            assert!(u.matches_host(good), "{good}");
        }
        for bad in [
            "between.example.org:80",
            "evil.example",
            "127.0.0.1",
            "between.example.org.evil.example",
            "",
        ] {
            assert!(!u.matches_host(bad), "{bad}");
        }
        let local: PublicUrl = "http://[::1]:8080".parse().unwrap();
        assert!(local.matches_host("[::1]:8080"));
        assert!(!local.matches_host("[::1]"));
    }
}
