//! Wakes the readers that wait for new change events (long-polls, event streams, the webhook
//! deliverer) when a write in this process has committed. Writes of other processes are found
//! by the readers' own polling; this only makes the common case immediate.

use std::time::Duration;

use tokio::sync::Notify;

/// The "a write committed" signal, one per process.
#[derive(Debug, Default)]
pub struct FeedSignal {
    notify: Notify,
}

impl FeedSignal {
    /// Wakes every waiter.
    pub fn wake(&self) {
        self.notify.notify_waiters();
    }

    /// A waiter registered now: it is woken by any [`wake`](Self::wake) from this moment on,
    /// even before it is awaited. Await it with [`until`].
    pub fn waiter(&self) -> tokio::sync::futures::Notified<'_> {
        self.notify.notified()
    }
}

/// Waits for `waiter` or at most `timeout`, whichever comes first.
pub async fn until(waiter: tokio::sync::futures::Notified<'_>, timeout: Duration) {
    let _ = tokio::time::timeout(timeout, waiter).await;
}
