//! Webhook rules: a checked subscription, Standard Webhooks 1.0 secrets and signatures, the
//! addresses a delivery may never reach (SSRF), and the retry schedule.

use std::{
    net::{IpAddr, Ipv4Addr, Ipv6Addr},
    time::Duration,
};

use base64::{Engine, engine::general_purpose::STANDARD};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

use crate::error::ApiError;

use super::{
    events::is_type_filter,
    organisation::WebUrl,
    text::{FieldErrors, one_line},
};

/// The prefix of a Standard Webhooks secret.
pub const SECRET_PREFIX: &str = "whsec_";
/// Consecutive failed attempts after which a subscription is deactivated.
pub const MAX_FAILURES: i32 = 50;
/// How long a rotated-out secret still signs.
pub const ROTATION_OVERLAP: Duration = Duration::from_secs(24 * 3600);
/// Most event types one subscription may name.
pub const MAX_TYPES: usize = 50;

/// A subscription as a client sends it, before any check.
#[derive(Debug, Clone, Default)]
pub struct UncheckedWebhook {
    pub url: String,
    pub description: Option<String>,
    pub types: Vec<String>,
    pub concerns: Option<Uuid>,
    pub group_id: Option<Uuid>,
    pub include_non_public: bool,
    pub active: bool,
}

/// A checked subscription (the address rules that need DNS are checked separately).
#[derive(Debug, Clone)]
pub struct Webhook {
    pub url: WebUrl,
    pub description: Option<String>,
    pub types: Vec<String>,
    pub concerns: Option<Uuid>,
    pub group_id: Option<Uuid>,
    pub include_non_public: bool,
    pub active: bool,
}

impl Webhook {
    /// Checks every field, reporting every error at once (422).
    pub fn parse(new: UncheckedWebhook) -> Result<Self, ApiError> {
        let mut errors = FieldErrors::default();
        let url = errors.check("url", WebUrl::parse(&new.url));
        let description = match new.description {
            Some(text) => errors.check("description", one_line(&text, 1, 500)),
            None => None,
        };
        if new.types.len() > MAX_TYPES {
            errors.add("types", format!("at most {MAX_TYPES} types"));
        }
        for (i, t) in new.types.iter().enumerate() {
            if !is_type_filter(t) {
                errors.add(&format!("types[{i}]"), "not an event type or family");
            }
        }
        errors.finish()?;
        let Some(url) = url else {
            return Err(ApiError::field(
                "url",
                "must be an absolute http or https URL",
            ));
        };
        Ok(Self {
            url,
            description,
            types: new.types,
            concerns: new.concerns,
            group_id: new.group_id,
            include_non_public: new.include_non_public,
            active: new.active,
        })
    }
}

/// A new random secret: `whsec_` and the base64 of 32 random bytes.
pub fn new_secret() -> Result<String, getrandom::Error> {
    let mut key = [0u8; 32];
    getrandom::fill(&mut key)?;
    Ok(format!("{SECRET_PREFIX}{}", STANDARD.encode(key)))
}

/// The `webhook-signature` of one message: `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`
/// for each secret, space-separated. A secret that does not decode signs nothing.
pub fn signature(secrets: &[&str], id: &str, timestamp: i64, body: &str) -> String {
    secrets
        .iter()
        .filter_map(|secret| {
            let key = STANDARD
                .decode(secret.strip_prefix(SECRET_PREFIX).unwrap_or(secret))
                .ok()?;
            let mut mac = Hmac::<Sha256>::new_from_slice(&key).ok()?;
            mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
            Some(format!(
                "v1,{}",
                STANDARD.encode(mac.finalize().into_bytes())
            ))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether a delivery may reach `ip`: not loopback, private, link-local (cloud metadata),
/// shared (CGNAT), unspecified, broadcast, multicast or documentation space, in IPv4 or IPv6.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    !(ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b))
        || (a == 192 && b == 0 && ip.octets()[2] == 0)
        || a >= 240)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || ip.is_unique_local()
        || ip.is_unicast_link_local()
        || ip.segments()[0] == 0x2001 && ip.segments()[1] == 0x0db8
        || ip.segments()[0] == 0x0064 && ip.segments()[1] == 0xff9b)
}

/// When retries of failing deliveries fall due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetrySchedule {
    /// The wait after the first failure.
    pub base: Duration,
    /// The longest wait.
    pub max: Duration,
}

/// The wait before the next attempt after `failures` consecutive failures: the base doubled
/// for each failure after the first, at most the schedule's maximum, times `jitter`
/// (0.75–1.25).
pub fn backoff(schedule: RetrySchedule, failures: i32, jitter: f64) -> Duration {
    let doublings = failures.saturating_sub(1).clamp(0, 30) as u32;
    let wait = schedule
        .base
        .saturating_mul(2u32.saturating_pow(doublings))
        .min(schedule.max);
    wait.mul_f64(jitter.clamp(0.75, 1.25))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_follow_standard_webhooks() {
        // The example of the Standard Webhooks reference libraries.
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
        let body = r#"{"test": 2432232314}"#;
        assert_eq!(
            signature(&[secret], id, 1614265330, body),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
        let both = signature(&[secret, secret], id, 1614265330, body);
        assert_eq!(both.split(' ').count(), 2);
    }

    #[test]
    fn secrets_are_prefixed_random_keys() {
        let a = new_secret().unwrap();
        let b = new_secret().unwrap();
        assert!(a.starts_with(SECRET_PREFIX));
        assert_ne!(a, b);
        assert_eq!(
            STANDARD.decode(&a[SECRET_PREFIX.len()..]).unwrap().len(),
            32
        );
    }

    #[test]
    fn private_and_metadata_addresses_are_refused() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00:ec2::254",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["93.184.216.34", "2a00:1450:400f:80d::200e"] {
            assert!(is_public(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn retries_back_off_exponentially_to_an_hour() {
        let hour = Duration::from_secs(3600);
        let base = RetrySchedule {
            base: Duration::from_secs(5),
            max: hour,
        };
        assert_eq!(backoff(base, 1, 1.0), Duration::from_secs(5));
        assert_eq!(backoff(base, 2, 1.0), Duration::from_secs(10));
        assert_eq!(backoff(base, 4, 1.0), Duration::from_secs(40));
        assert_eq!(backoff(base, 40, 1.0), hour);
        assert_eq!(backoff(base, 1, 2.0), Duration::from_millis(6250));
        // With the defaults, 50 failures take longer than a day, however the jitter falls.
        let total: Duration = (1..MAX_FAILURES).map(|n| backoff(base, n, 0.75)).sum();
        assert!(total > Duration::from_secs(24 * 3600), "{total:?}");
    }
}
