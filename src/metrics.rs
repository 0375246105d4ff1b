//! Prometheus metrics for HTTP requests: a counter and a latency histogram by route pattern,
//! method and status, recorded when the response body is finished.
//!
//! The names, help texts, labels and buckets are those actix-web-prom used, so `/metrics` reads
//! the same; the route label comes from the request middleware, which works it out once per
//! request (see [`crate::middleware::request_context`]).

use std::{
    borrow::Cow,
    pin::Pin,
    sync::Arc,
    task::{Context, Poll},
    time::Instant,
};

use actix_web::{
    body::{BodySize, BoxBody, MessageBody},
    http::{Method, StatusCode},
    web::Bytes,
};
use prometheus::{HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry};

/// The `endpoint` label of a request that matched no route.
pub const UNMATCHED: &str = "UNMATCHED";

/// The label names, in order.
const LABELS: [&str; 3] = ["endpoint", "method", "status"];

/// The request counter and latency histogram, and the registry `/metrics` serves.
pub struct HttpMetrics {
    registry: Registry,
    requests: IntCounterVec,
    durations: HistogramVec,
}

impl HttpMetrics {
    /// Registers `<namespace>_http_requests_total` and `<namespace>_http_requests_duration_seconds`
    /// in a new registry.
    pub fn new(namespace: &str) -> Result<Self, prometheus::Error> {
        let requests = IntCounterVec::new(
            Opts::new("http_requests_total", "Total number of HTTP requests").namespace(namespace),
            &LABELS,
        )?;
        let durations = HistogramVec::new(
            HistogramOpts::new(
                "http_requests_duration_seconds",
                "HTTP request duration in seconds for all requests",
            )
            .namespace(namespace),
            &LABELS,
        )?;
        let registry = Registry::new();
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(durations.clone()))?;
        Ok(Self {
            registry,
            requests,
            durations,
        })
    }

    /// The registry holding these metrics (and any others the service adds).
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Wraps a response body so that the request is counted, with its duration since `started`,
    /// when the body has been sent or dropped.
    pub fn record_when_sent(self: Arc<Self>, body: BoxBody, request: RequestLabels) -> BoxBody {
        BoxBody::new(MeteredBody {
            body,
            pending: Some((self, request)),
        })
    }

    fn observe(&self, request: &RequestLabels) {
        let labels = [
            request.endpoint.as_ref(),
            request.method.as_str(),
            request.status.as_str(),
        ];
        let elapsed = request.started.elapsed().as_secs_f64();
        if let Ok(histogram) = self.durations.get_metric_with_label_values(&labels) {
            histogram.observe(elapsed);
        }
        if let Ok(counter) = self.requests.get_metric_with_label_values(&labels) {
            counter.inc();
        }
    }
}

/// What a request is counted under.
#[derive(Debug)]
pub struct RequestLabels {
    /// The matched route pattern, or [`UNMATCHED`].
    pub endpoint: Cow<'static, str>,
    /// The method the handler saw (`GET` for a `HEAD`).
    pub method: Method,
    /// The response status.
    pub status: StatusCode,
    /// When handling began.
    pub started: Instant,
}

/// A response body that records its request once it is finished (or abandoned).
struct MeteredBody {
    body: BoxBody,
    pending: Option<(Arc<HttpMetrics>, RequestLabels)>,
}

impl MessageBody for MeteredBody {
    type Error = <BoxBody as MessageBody>::Error;

    fn size(&self) -> BodySize {
        self.body.size()
    }

    fn poll_next(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        Pin::new(&mut self.body).poll_next(cx)
    }
}

impl Drop for MeteredBody {
    fn drop(&mut self) {
        if let Some((metrics, request)) = self.pending.take() {
            metrics.observe(&request);
        }
    }
}
