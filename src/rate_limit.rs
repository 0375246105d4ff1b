//! Rate limits: per token subject for authenticated callers, per client address for everyone
//! else, each a GCRA bucket of the `governor` crate (a sustained rate per minute and a burst).
//! A caller over its limit gets 429 problem+json with `Retry-After`; every limited answer
//! carries `RateLimit-Policy` and `RateLimit` (IETF draft-ietf-httpapi-ratelimit-headers).
//! Other callers are not affected. Health probes and `/metrics` are never limited.

use std::{net::IpAddr, num::NonZeroU32, sync::Arc, time::Duration};

use actix_web::{
    Error, HttpMessage,
    body::{EitherBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    http::header::{HeaderName, HeaderValue},
    middleware::Next,
    web,
};
use governor::{
    Quota, RateLimiter,
    clock::{Clock, DefaultClock},
    middleware::StateInformationMiddleware,
    state::keyed::DefaultKeyedStateStore,
};

use crate::{auth::Verified, error::ApiError, public_url::client_address};

/// Whose bucket a request draws from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Caller {
    /// A verified token's `sub`.
    Subject(String),
    /// The client's address.
    Address(IpAddr),
}

type Limiter =
    RateLimiter<Caller, DefaultKeyedStateStore<Caller>, DefaultClock, StateInformationMiddleware>;

/// One limit: requests per minute and the burst allowed at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// Sustained requests per minute (0: no limit).
    pub per_minute: u32,
    /// Requests allowed at once.
    pub burst: u32,
}

struct Bucket {
    limiter: Limiter,
    limit: Limit,
}

impl Bucket {
    fn new(limit: Limit) -> Option<Self> {
        let per_minute = NonZeroU32::new(limit.per_minute)?;
        let burst = NonZeroU32::new(limit.burst.max(1))?;
        let quota = Quota::per_minute(per_minute).allow_burst(burst);
        Some(Self {
            limiter: RateLimiter::dashmap(quota).with_middleware::<StateInformationMiddleware>(),
            limit,
        })
    }
}

/// The service's rate limits.
pub struct RateLimits {
    authenticated: Option<Bucket>,
    anonymous: Option<Bucket>,
    trusted_proxies: Vec<IpAddr>,
}

/// What a bucket said.
enum Decision {
    Allowed { remaining: u32 },
    Limited { retry_after: Duration },
}

impl RateLimits {
    /// The limits for tokens and for addresses (a zero rate turns one off).
    pub fn new(authenticated: Limit, anonymous: Limit, trusted_proxies: Vec<IpAddr>) -> Self {
        Self {
            authenticated: Bucket::new(authenticated),
            anonymous: Bucket::new(anonymous),
            trusted_proxies,
        }
    }

    /// Forgets callers whose buckets are full again (keeps memory bounded).
    pub fn forget_idle(&self) {
        for bucket in [&self.authenticated, &self.anonymous].into_iter().flatten() {
            bucket.limiter.retain_recent();
            bucket.limiter.shrink_to_fit();
        }
    }

    /// Starts forgetting idle callers once a minute.
    pub fn spawn_cleanup(self: &Arc<Self>) {
        let limits = Arc::clone(self);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(60));
            loop {
                tick.tick().await;
                limits.forget_idle();
            }
        });
    }

    fn check(bucket: &Bucket, caller: &Caller) -> Decision {
        match bucket.limiter.check_key(caller) {
            Ok(state) => Decision::Allowed {
                remaining: state.remaining_burst_capacity(),
            },
            Err(not_until) => Decision::Limited {
                retry_after: not_until.wait_time_from(DefaultClock::default().now()),
            },
        }
    }
}

/// The `RateLimit-Policy` and `RateLimit` headers of a bucket.
fn headers(limit: Limit, remaining: u32) -> [(HeaderName, String); 2] {
    let interval = 60.0 / f64::from(limit.per_minute.max(1));
    let reset = (f64::from(limit.burst.saturating_sub(remaining)) * interval).ceil() as u64;
    [
        (
            HeaderName::from_static("ratelimit-policy"),
            format!("\"default\";q={};w=60", limit.per_minute),
        ),
        (
            HeaderName::from_static("ratelimit"),
            format!("\"default\";r={remaining};t={reset}"),
        ),
    ]
}

/// The middleware: finds the caller's bucket, refuses with 429 when it is empty.
pub async fn rate_limit<B: MessageBody>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, Error> {
    let Some(limits) = req.app_data::<web::Data<RateLimits>>().cloned() else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    };
    if req.path().starts_with("/health/") || req.path() == "/metrics" {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    }
    // The token as `authenticate` (the middleware outside this one) verified it.
    let subject = match req.extensions().get::<Verified>() {
        Some(Verified(Ok(identity))) => Some(identity.sub.clone()),
        _ => None,
    };
    let (bucket, caller) = match subject {
        Some(sub) => (&limits.authenticated, Caller::Subject(sub)),
        None => {
            let forwarded = req
                .headers()
                .get("x-forwarded-for")
                .and_then(|value| value.to_str().ok());
            let peer = req.peer_addr().map(|addr| addr.ip());
            match client_address(peer, forwarded, &limits.trusted_proxies) {
                Some(address) => (&limits.anonymous, Caller::Address(address)),
                None => {
                    return next
                        .call(req)
                        .await
                        .map(ServiceResponse::map_into_left_body);
                }
            }
        }
    };
    let Some(bucket) = bucket else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    };
    match RateLimits::check(bucket, &caller) {
        Decision::Limited { retry_after } => {
            let seconds = retry_after.as_secs_f64().ceil().max(1.0) as u64;
            let mut response =
                actix_web::ResponseError::error_response(&ApiError::TooManyRequests(seconds));
            for (name, value) in headers(bucket.limit, 0) {
                if let Ok(value) = HeaderValue::from_str(&value) {
                    response.headers_mut().insert(name, value);
                }
            }
            Ok(req.into_response(response).map_into_right_body())
        }
        Decision::Allowed { remaining } => {
            let mut response = next.call(req).await?;
            for (name, value) in headers(bucket.limit, remaining) {
                if let Ok(value) = HeaderValue::from_str(&value) {
                    response.headers_mut().insert(name, value);
                }
            }
            Ok(response.map_into_left_body())
        }
    }
}
