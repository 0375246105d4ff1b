//! `samverkan seed --demo` and `serve --demo`: the collaboration of *Barnens bästa gäller! i
//! Kronoberg* from 2020 to 2022, modelled on the steering group's own minutes, with invented
//! people. Everything is written through the HTTP API of a server started for the purpose on a
//! loopback port, so the demo passes every check, audit row, change event and search index
//! entry an integrator's write would.

mod api;
mod indicators;
mod meetings;
mod people;
mod plan;
mod story;

use std::net::SocketAddr;

use serde_json::Value;

use crate::{
    config::Settings,
    db::DbConfig,
    startup::{Application, StartupError, jwt_secret},
};
use api::Api;

/// The identifier that marks the demo's steering group, so that a second run finds it.
const MARK_SCHEME: &str = "samverkan-demo";
const MARK_VALUE: &str = "kronoberg";

/// What `seed` found or did.
#[derive(Debug, Clone)]
pub struct Demo {
    /// `true` when this run wrote the demo, `false` when the database already held it.
    pub fresh: bool,
    /// The id of the meeting of 2021-11-05, whose minutes the tour starts with.
    pub minutes_meeting_id: String,
}

/// Seeds the demo into the database of `settings`. A database that already holds the demo is
/// left as it is; one that holds anything else is refused unless `force`.
pub async fn seed(settings: &Settings, force: bool) -> Result<Demo, StartupError> {
    let mut inner = settings.clone();
    inner.bind = SocketAddr::from(([127, 0, 0, 1], 0));
    inner.webhooks = false;
    // The demo's subscription points at a local receiver (and is inactive).
    inner.webhook_allow_private = true;
    inner.rate_limit = 0;
    inner.rate_limit_anonymous = 0;
    inner.require_if_match = false;
    inner.require_idempotency_key = false;
    inner.workers = Some(1);
    let app = Application::build(inner).await?;
    let handle = app.handle();
    let port = app.port();
    let server = tokio::spawn(app.run_until_stopped());
    let db = DbConfig::new(&settings.database_url, 1, settings.db_acquire_timeout)?;
    let secret = jwt_secret(settings, &db)?;
    let api = Api::new(port, secret, &settings.jwt_issuer, &settings.jwt_audience)?;
    let outcome = run(&api, force).await;
    handle.stop(true).await;
    let _ = server.await;
    outcome
}

async fn run(api: &Api, force: bool) -> Result<Demo, StartupError> {
    if let Some(sg) = marked_group(api).await? {
        return Ok(Demo {
            fresh: false,
            minutes_meeting_id: november_meeting(api, &sg).await?,
        });
    }
    if !force && holds_data(api).await? {
        return Err(StartupError::Seed(
            "the database already holds data; seed the demo into an empty database, or pass \
             --force to add it beside what is there"
                .into(),
        ));
    }
    let sg = story::tell(api).await?;
    api.patch(
        &format!("/api/v1/organisations/{sg}"),
        &serde_json::json!({"identifiers": [{"scheme": MARK_SCHEME, "value": MARK_VALUE}]}),
    )
    .await?;
    Ok(Demo {
        fresh: true,
        minutes_meeting_id: november_meeting(api, &sg).await?,
    })
}

/// The steering group a completed demo seed marked, if any.
async fn marked_group(api: &Api) -> Result<Option<String>, StartupError> {
    let groups = api
        .get("/api/v1/organisations?kind=group&limit=200&include_archived=true")
        .await?;
    let marked = items(&groups).iter().find(|g| {
        g["identifiers"].as_array().is_some_and(|ids| {
            ids.iter()
                .any(|i| i["scheme"] == MARK_SCHEME && i["value"] == MARK_VALUE)
        })
    });
    marked.map(api::id).transpose()
}

/// Whether any of the records a demo would mix with exists.
async fn holds_data(api: &Api) -> Result<bool, StartupError> {
    for list in [
        "/api/v1/organisations?limit=1&include_archived=true",
        "/api/v1/members?limit=1&include_archived=true",
        "/api/v1/meetings?limit=1&include_archived=true",
        "/api/v1/indicators?limit=1",
        "/api/v1/action-plans?limit=1",
        "/api/v1/webhooks?limit=1",
    ] {
        if !items(&api.get(list).await?).is_empty() {
            return Ok(true);
        }
    }
    Ok(false)
}

async fn november_meeting(api: &Api, sg: &str) -> Result<String, StartupError> {
    let meetings = api
        .get(&format!(
            "/api/v1/meetings?group_id={sg}&from=2021-11-05&to=2021-11-05"
        ))
        .await?;
    items(&meetings)
        .first()
        .map(api::id)
        .transpose()?
        .ok_or_else(|| StartupError::Seed("the demo has no meeting on 2021-11-05".into()))
}

fn items(list: &Value) -> &[Value] {
    list["items"].as_array().map(Vec::as_slice).unwrap_or(&[])
}
