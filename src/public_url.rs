//! The base URL the service is reached at, for the absolute URLs it writes (calendar `URL:`
//! lines, Kolada `next_page`). Never taken from a request header a client controls: it is
//! `SAMVERKAN_PUBLIC_URL` when set; otherwise the `Forwarded` / `X-Forwarded-*` headers only when
//! the request comes from a proxy listed in `SAMVERKAN_TRUSTED_PROXIES`; otherwise the address
//! the server listens on.

use std::net::IpAddr;

use actix_web::HttpRequest;

/// Where absolute URLs point, as configured.
#[derive(Debug, Clone, Default)]
pub struct PublicBase {
    /// `SAMVERKAN_PUBLIC_URL`, without a trailing slash.
    pub url: Option<String>,
    /// Proxies whose forwarding headers are believed.
    pub trusted_proxies: Vec<IpAddr>,
}

impl PublicBase {
    /// The base URL (scheme and authority, no trailing slash) for absolute URLs in the answer
    /// to `req`.
    pub fn of(&self, req: &HttpRequest) -> String {
        if let Some(url) = &self.url {
            return url.clone();
        }
        let from_proxy = req
            .peer_addr()
            .is_some_and(|peer| self.trusted_proxies.contains(&peer.ip()));
        if from_proxy {
            let info = req.connection_info();
            return format!("{}://{}", info.scheme(), info.host());
        }
        format!("http://{}", req.app_config().local_addr())
    }
}

/// The address of the client that sent `req`: the peer, or, when the peer is a trusted proxy,
/// the nearest address in `X-Forwarded-For` that is not one (a client can prepend anything, so
/// the list is read from the right).
pub fn client_address(
    peer: Option<IpAddr>,
    forwarded_for: Option<&str>,
    trusted: &[IpAddr],
) -> Option<IpAddr> {
    let peer = peer?;
    if !trusted.contains(&peer) {
        return Some(peer);
    }
    let forwarded = forwarded_for.unwrap_or_default();
    forwarded
        .rsplit(',')
        .filter_map(|hop| hop.trim().parse::<IpAddr>().ok())
        .find(|hop| !trusted.contains(hop))
        .or(Some(peer))
}

/// The base for `req`: the app's [`PublicBase`], or the listening address when it has none.
pub fn base_url(req: &HttpRequest) -> String {
    req.app_data::<actix_web::web::Data<PublicBase>>()
        .map(|base| base.of(req))
        .unwrap_or_else(|| PublicBase::default().of(req))
}
