//! Keys from an identity provider's JWKS URL (`SAMVERKAN_JWKS_URL`): fetched over HTTPS (plain
//! HTTP only on a loopback address), kept as long as the answer's `Cache-Control: max-age`
//! says (between one minute and a day; five minutes without one), refetched in the background
//! when that runs out, and at once when a token names a key we do not know — at most once per
//! `SAMVERKAN_JWKS_MIN_REFRESH` — so that a key rotation at the provider needs no restart.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use jsonwebtoken::jwk::JwkSet;

use super::Authenticator;

/// The longest a fetched key set is kept without asking again.
const MAX_AGE_CEILING: Duration = Duration::from_secs(24 * 60 * 60);
/// The shortest.
const MAX_AGE_FLOOR: Duration = Duration::from_secs(60);
/// How long a key set without cache headers is kept.
const DEFAULT_MAX_AGE: Duration = Duration::from_secs(300);
/// The wait after a failed fetch.
const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(30);

/// Where the keys come from, and when they were last asked for.
pub struct JwksSource {
    url: url::Url,
    client: reqwest::Client,
    min_refresh: Duration,
    last_fetch: tokio::sync::Mutex<Option<Instant>>,
}

impl JwksSource {
    /// A source for `url`: refused unless HTTPS, or HTTP to a loopback address.
    pub fn new(url: url::Url, min_refresh: Duration) -> Result<Self, String> {
        let loopback = match url.host() {
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            Some(url::Host::Domain(name)) => name == "localhost",
            None => false,
        };
        if url.scheme() != "https" && !(url.scheme() == "http" && loopback) {
            return Err(format!(
                "SAMVERKAN_JWKS_URL must be https:// (http:// only on a loopback address): {url}"
            ));
        }
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Self {
            url,
            client,
            min_refresh,
            last_fetch: tokio::sync::Mutex::new(None),
        })
    }

    /// Fetches the key set and how long it may be kept.
    async fn fetch(&self) -> Result<(JwkSet, Duration), String> {
        let response = self
            .client
            .get(self.url.clone())
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if !response.status().is_success() {
            return Err(format!("answered {}", response.status()));
        }
        let max_age = response
            .headers()
            .get(reqwest::header::CACHE_CONTROL)
            .and_then(|value| value.to_str().ok())
            .and_then(max_age)
            .unwrap_or(DEFAULT_MAX_AGE)
            .clamp(MAX_AGE_FLOOR, MAX_AGE_CEILING);
        let body = response.bytes().await.map_err(|e| e.to_string())?;
        let set: JwkSet = serde_json::from_slice(&body).map_err(|e| e.to_string())?;
        Ok((set, max_age))
    }
}

/// The `max-age` of a `Cache-Control` value.
fn max_age(value: &str) -> Option<Duration> {
    value.split(',').find_map(|directive| {
        let (name, seconds) = directive.trim().split_once('=')?;
        name.eq_ignore_ascii_case("max-age")
            .then(|| seconds.trim().trim_matches('"').parse().ok())
            .flatten()
            .map(Duration::from_secs)
    })
}

/// Fetches the keys and installs them; how long until the next fetch.
async fn refresh(authenticator: &Authenticator, source: &JwksSource) -> Duration {
    *source.last_fetch.lock().await = Some(Instant::now());
    match source.fetch().await {
        Ok((set, max_age)) => match authenticator.set_url_keys(&set) {
            Ok(count) => {
                tracing::info!(url = %source.url, keys = count, "JWKS loaded");
                max_age
            }
            Err(error) => {
                tracing::warn!(url = %source.url, %error, "JWKS refused");
                RETRY_AFTER_FAILURE
            }
        },
        Err(error) => {
            tracing::warn!(url = %source.url, %error, "JWKS fetch failed");
            RETRY_AFTER_FAILURE
        }
    }
}

/// Refetches after a token named an unknown key, unless the last fetch is more recent than
/// the minimum interval (a stream of forged `kid`s costs one fetch per interval).
pub(super) async fn refresh_for_unknown_key(authenticator: &Authenticator) {
    let Some(source) = &authenticator.jwks else {
        return;
    };
    let mut last = source.last_fetch.lock().await;
    if last.is_some_and(|at| at.elapsed() < source.min_refresh) {
        return;
    }
    *last = Some(Instant::now());
    drop(last);
    refresh(authenticator, source).await;
}

/// Loads the keys once (a failure is logged: tokens of the provider fail until a later fetch
/// succeeds), then keeps them fresh in the background.
pub async fn start(authenticator: &Arc<Authenticator>) {
    let Some(source) = &authenticator.jwks else {
        return;
    };
    let first = refresh(authenticator, source).await;
    let authenticator = Arc::clone(authenticator);
    tokio::spawn(async move {
        let mut wait = first;
        loop {
            tokio::time::sleep(wait).await;
            if let Some(source) = &authenticator.jwks {
                wait = refresh(&authenticator, source).await;
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_age_is_read_from_cache_control() {
        assert_eq!(
            max_age("public, max-age=600"),
            Some(Duration::from_secs(600))
        );
        assert_eq!(max_age("no-cache"), None);
        assert_eq!(max_age("MAX-AGE=\"60\""), Some(Duration::from_secs(60)));
    }

    #[test]
    fn only_https_or_loopback_http() {
        let ok = |u: &str| JwksSource::new(u.parse().unwrap(), Duration::ZERO).is_ok();
        assert!(ok("https://idp.example/jwks"));
        assert!(ok("http://127.0.0.1:8081/jwks"));
        assert!(ok("http://localhost/jwks"));
        assert!(!ok("http://idp.example/jwks"));
        assert!(!ok("ftp://idp.example/jwks"));
    }
}
