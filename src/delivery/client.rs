//! Sending one signed message: the HTTP client, whose resolver refuses private addresses, and
//! the Standard Webhooks headers.

use std::{
    net::{IpAddr, SocketAddr},
    sync::Arc,
    time::{Duration, Instant},
};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use crate::{
    domain::webhook::{is_public, signature},
    store::webhooks::deliveries::Outcome,
};

/// How long a receiver has to answer.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// The most of a receiver's error answer kept with the attempt.
const MAX_ERROR: usize = 300;

/// Resolves names with the system resolver and refuses any name with an address a delivery may
/// not reach (so a name that moves to a private address after it was checked is refused too).
struct PublicOnly;

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if let Some(private) = addrs.iter().find(|a| !is_public(a.ip())) {
                return Err(
                    format!("{host} resolves to {}, a private address", private.ip()).into(),
                );
            }
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

/// Sends webhook messages.
#[derive(Clone)]
pub struct Sender {
    client: reqwest::Client,
    allow_private: bool,
}

impl Sender {
    /// A sender; with `allow_private` it may reach loopback and private addresses.
    pub fn new(allow_private: bool) -> Result<Self, reqwest::Error> {
        let mut builder = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .connect_timeout(TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("samverkan-webhooks/", env!("CARGO_PKG_VERSION")));
        if !allow_private {
            builder = builder.dns_resolver(Arc::new(PublicOnly));
        }
        Ok(Self {
            client: builder.build()?,
            allow_private,
        })
    }

    /// Whether `url` may be delivered to: http(s), and (unless private addresses are allowed)
    /// a host whose every address is public. Resolves the name.
    pub async fn check_url(&self, url: &str) -> Result<(), String> {
        let parsed = url::Url::parse(url).map_err(|_| "not an absolute URL".to_owned())?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err("must be an http or https URL".into());
        }
        if self.allow_private {
            return Ok(());
        }
        let host = parsed.host_str().ok_or("has no host")?;
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let port = parsed.port_or_known_default().unwrap_or(443);
        let addrs: Vec<IpAddr> = match host.parse::<IpAddr>() {
            Ok(ip) => vec![ip],
            Err(_) => tokio::net::lookup_host((host, port))
                .await
                .map_err(|e| format!("{host} does not resolve: {e}"))?
                .map(|a| a.ip())
                .collect(),
        };
        match addrs.iter().find(|ip| !is_public(**ip)) {
            Some(ip) => Err(format!(
                "{host} is {ip}, a loopback, private, link-local or otherwise internal address"
            )),
            None if addrs.is_empty() => Err(format!("{host} has no address")),
            None => Ok(()),
        }
    }

    /// Posts `body` to `url` signed with `secrets` as message `id`; never fails, the outcome
    /// says what happened.
    pub async fn send(&self, url: &str, secrets: &[&str], id: &str, body: &str) -> Outcome {
        let started = Instant::now();
        let elapsed =
            |started: Instant| i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX);
        if let Err(refused) = self.check_literal(url) {
            return Outcome {
                status_code: None,
                duration_ms: 0,
                error: Some(refused),
            };
        }
        let timestamp = chrono::Utc::now().timestamp();
        let result = self
            .client
            .post(url)
            .header(
                "content-type",
                "application/cloudevents+json; charset=utf-8",
            )
            .header("webhook-id", id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature(secrets, id, timestamp, body))
            .body(body.to_owned())
            .send()
            .await;
        match result {
            Ok(response) => {
                let status = response.status().as_u16();
                let error = if response.status().is_success() {
                    None
                } else {
                    let text = response.text().await.unwrap_or_default();
                    Some(format!(
                        "HTTP {status}: {}",
                        text.chars().take(MAX_ERROR).collect::<String>()
                    ))
                };
                Outcome {
                    status_code: Some(status),
                    duration_ms: elapsed(started),
                    error,
                }
            }
            Err(error) => Outcome {
                status_code: None,
                duration_ms: elapsed(started),
                error: Some(describe(&error)),
            },
        }
    }

    /// An address written into the URL is not resolved, so it is checked here.
    fn check_literal(&self, url: &str) -> Result<(), String> {
        if self.allow_private {
            return Ok(());
        }
        let parsed = url::Url::parse(url).map_err(|_| "not an absolute URL".to_owned())?;
        let ip = match parsed.host() {
            Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip),
            Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip),
            _ => return Ok(()),
        };
        if is_public(ip) {
            Ok(())
        } else {
            Err(format!("refused: {ip} is an internal address"))
        }
    }
}

/// The error and its causes, one line.
fn describe(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text.chars().take(MAX_ERROR).collect()
}
