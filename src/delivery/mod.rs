//! The webhook deliverer, run inside `serve` (unless `SAMVERKAN_WEBHOOKS=off`): for each active
//! subscription it claims, it sends the feed's events after the subscription's cursor, in feed
//! order, one at a time, signed as Standard Webhooks 1.0 messages whose body is the CloudEvent.
//!
//! - A 2xx within 10 s moves the cursor past the event.
//! - `410 Gone` deactivates the subscription.
//! - Anything else is retried after an exponential backoff with jitter (5 s doubling to an hour
//!   by default); later events wait, so order is kept. 50 consecutive failures (more than a day
//!   of retries) deactivate the subscription. Each deactivation is an audited change with a
//!   `webhook.deactivated` event.
//!
//! Replicas on one database share the subscriptions through leases (see
//! [`crate::store::webhooks::deliveries`]); a replica that dies leaves its lease to expire,
//! and at most the event it was sending is sent again (delivery is at least once).

pub mod client;

use std::{sync::Arc, time::Duration};

use sea_orm::DatabaseConnection;
use serde_json::json;
use uuid::Uuid;

pub use client::Sender;

use crate::{
    domain::{
        events::SOURCE,
        webhook::{MAX_FAILURES, RetrySchedule, backoff},
    },
    entities::{webhook, webhook_delivery},
    error::{ApiError, ApiResult},
    signal::{FeedSignal, until},
    store::{
        self, Actor,
        events::{self, FeedFilter},
        webhooks::{self as hooks, deliveries},
    },
};

/// Events read per page.
const PAGE: u64 = 100;
/// Candidates tried per claim.
const CLAIM: u64 = 16;
/// How often the deliverer looks for work when nothing wakes it.
const TICK: Duration = Duration::from_secs(1);

/// The deliverer of one process.
#[derive(Clone)]
pub struct Deliverer {
    db: DatabaseConnection,
    sender: Sender,
    replica: String,
    retries: RetrySchedule,
    lease: Duration,
}

impl Deliverer {
    /// A deliverer with a replica name of its own.
    /// A deliverer with a replica name of its own, holding each subscription it serves for
    /// `lease` at a time.
    pub fn new(
        db: DatabaseConnection,
        sender: Sender,
        retries: RetrySchedule,
        lease: Duration,
    ) -> Self {
        let replica = format!("{}-{}", std::process::id(), Uuid::now_v7().simple());
        Self {
            db,
            sender,
            replica,
            retries,
            lease,
        }
    }

    /// This process's name in leases and attempts.
    pub fn replica(&self) -> &str {
        &self.replica
    }

    /// Delivers until the process ends: a round when a write commits here, and at least every
    /// second (for writes of other processes and for retries that fall due).
    pub fn spawn(self, signal: Arc<FeedSignal>) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            loop {
                let waiter = signal.waiter();
                let wait = match self.round().await {
                    Ok(()) => self.until_due().await,
                    Err(error) => {
                        tracing::warn!(%error, "webhook delivery round failed; retrying");
                        TICK
                    }
                };
                until(waiter, wait).await;
            }
        })
    }

    /// How long to wait for the next round: a tick, or less when a retry falls due sooner.
    async fn until_due(&self) -> Duration {
        match deliveries::next_due(&self.db).await {
            Ok(Some(due)) => (due - store::now()).to_std().unwrap_or_default().min(TICK),
            _ => TICK,
        }
    }

    /// One round: claims one subscription that is behind and due at a time (so that replicas
    /// share them) and serves it, until none is left.
    pub async fn round(&self) -> ApiResult<()> {
        let head = events::head(&self.db).await?;
        while let Some(hook) =
            deliveries::claim(&self.db, &self.replica, head, self.lease, CLAIM).await?
        {
            let id = hook.id;
            let served = self.serve(hook).await;
            deliveries::release(&self.db, id, &self.replica).await?;
            // A database error ends the round; the next tick tries again.
            served?;
        }
        Ok(())
    }

    /// Sends one subscription's events in order until it is caught up, fails, or is lost.
    async fn serve(&self, hook: webhook::Model) -> ApiResult<()> {
        let filter = FeedFilter {
            types: hook.types.0.clone(),
            concerns: hook.concerns,
            group_id: hook.group_id,
            public_only: !hook.include_non_public,
        };
        let mut cursor = hook.cursor;
        loop {
            let page = events::read(&self.db, cursor, &filter, PAGE).await?;
            for event in &page.events {
                let position = event.position.unwrap_or(event.seq);
                let cloud = events::cloud_event(SOURCE, event);
                let payload = serde_json::to_string(&cloud)
                    .map_err(|e| ApiError::Internal(e.to_string().into()))?;
                let delivery =
                    deliveries::for_event(&self.db, hook.id, position, &event.event_type, &payload)
                        .await?;
                if !self.attempt(&hook, &delivery).await? {
                    return Ok(());
                }
                if !deliveries::advance(&self.db, hook.id, &self.replica, position).await? {
                    return Ok(());
                }
                cursor = position;
                deliveries::renew(&self.db, hook.id, &self.replica, self.lease).await?;
            }
            if (page.events.len() as u64) < PAGE {
                if page.next > cursor {
                    deliveries::advance(&self.db, hook.id, &self.replica, page.next).await?;
                }
                return Ok(());
            }
            cursor = page.next;
        }
    }

    /// Posts a delivery's message, signed with the subscription's current secrets: read again
    /// for each message, so that one sent after a rotation (or a change of URL) carries the
    /// new secret even when the round began before it.
    async fn send(
        &self,
        hook: &webhook::Model,
        delivery: &webhook_delivery::Model,
    ) -> deliveries::Outcome {
        let current = <webhook::Entity as sea_orm::EntityTrait>::find_by_id(hook.id)
            .one(&self.db)
            .await;
        let hook = match &current {
            Ok(Some(current)) => current,
            _ => hook,
        };
        let secrets = hooks::signing_secrets(hook);
        let id = delivery.id.to_string();
        self.sender
            .send(&hook.url, &secrets, &id, &delivery.payload)
            .await
    }

    /// One attempt at a delivery in the subscription's order; true when it succeeded. A
    /// failure schedules the retry, or deactivates the subscription.
    async fn attempt(
        &self,
        hook: &webhook::Model,
        delivery: &webhook_delivery::Model,
    ) -> ApiResult<bool> {
        let outcome = self.send(hook, delivery).await;
        if outcome.succeeded() {
            deliveries::record_attempt(&self.db, delivery, &outcome, &self.replica, None).await?;
            return Ok(true);
        }
        let failures = current_failures(&self.db, hook.id).await? + 1;
        if outcome.gone() || failures >= MAX_FAILURES {
            deliveries::record_attempt(&self.db, delivery, &outcome, &self.replica, None).await?;
            let reason = if outcome.gone() {
                "the receiver answered 410 Gone".to_owned()
            } else {
                format!("{MAX_FAILURES} consecutive failed deliveries")
            };
            hooks::deactivate(&self.db, &system_actor(), hook.id, &reason).await?;
            return Ok(false);
        }
        let wait = backoff(self.retries, failures, jitter());
        let next = store::now()
            + chrono::Duration::from_std(wait)
                .map_err(|e| ApiError::Internal(e.to_string().into()))?;
        deliveries::record_attempt(&self.db, delivery, &outcome, &self.replica, Some(next)).await?;
        deliveries::back_off(&self.db, hook.id, &self.replica, failures, next).await?;
        Ok(false)
    }

    /// Sends delivery `delivery` again now, out of order (an operator's redelivery).
    pub async fn redeliver(
        &self,
        hook: &webhook::Model,
        delivery: &webhook_delivery::Model,
    ) -> ApiResult<deliveries::DeliveryRow> {
        let outcome = self.send(hook, delivery).await;
        deliveries::record_attempt(&self.db, delivery, &outcome, &self.replica, None).await?;
        deliveries::get(&self.db, hook.id, delivery.id).await
    }

    /// Sends a `webhook.ping` message now and keeps it as a delivery.
    pub async fn ping(&self, hook: &webhook::Model) -> ApiResult<deliveries::DeliveryRow> {
        let id = Uuid::now_v7();
        let payload = json!({
            "specversion": "1.0",
            "id": id.to_string(),
            "source": SOURCE,
            "type": "webhook.ping",
            "subject": format!("webhook/{}", hook.id),
            "time": store::now(),
            "datacontenttype": "application/json",
            "data": {"webhook_id": hook.id},
        })
        .to_string();
        let delivery =
            deliveries::new_delivery(&self.db, hook.id, None, "webhook.ping", &payload).await?;
        self.redeliver(hook, &delivery).await
    }

    /// Whether `url` may be subscribed (see [`Sender::check_url`]).
    pub async fn check_url(&self, url: &str) -> Result<(), String> {
        self.sender.check_url(url).await
    }
}

async fn current_failures(db: &DatabaseConnection, id: Uuid) -> ApiResult<i32> {
    Ok(deliveries::reload(db, id)
        .await?
        .map_or(0, |hook| hook.failures))
}

/// The writer of the deliverer's own audited changes.
fn system_actor() -> Actor {
    Actor::new("system:webhooks".into(), Vec::new())
}

/// A factor in 0.75–1.25, so that retries of many subscriptions spread out.
fn jitter() -> f64 {
    let mut bytes = [0u8; 4];
    if getrandom::fill(&mut bytes).is_err() {
        return 1.0;
    }
    0.75 + f64::from(u32::from_le_bytes(bytes)) / f64::from(u32::MAX) * 0.5
}
