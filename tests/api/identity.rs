//! Issue 12: identity providers as intranets run them: keys from a JWKS URL that rotate
//! without a restart, roles and organisation from configurable claims, verified tokens cached.

use std::{
    path::PathBuf,
    sync::{Arc, Mutex},
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use actix_web::{App, HttpResponse, HttpServer, web};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures")).join(name)
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn claims(extra: Value) -> Value {
    let mut claims = json!({"sub": "idp-user", "iss": ISSUER, "aud": AUDIENCE,
                            "iat": now(), "exp": now() + 600});
    for (key, value) in extra.as_object().unwrap() {
        claims[key] = value.clone();
    }
    claims
}

/// A token signed with a fixture key, naming it by `kid`.
fn signed_with(alg: Algorithm, kid: &str, pem: &str, claims: &Value) -> String {
    let pem = std::fs::read(fixture(pem)).unwrap();
    let key = match alg {
        Algorithm::RS256 => EncodingKey::from_rsa_pem(&pem),
        Algorithm::ES256 => EncodingKey::from_ec_pem(&pem),
        _ => EncodingKey::from_ed_pem(&pem),
    }
    .unwrap();
    let mut header = Header::new(alg);
    header.kid = Some(kid.to_owned());
    jsonwebtoken::encode(&header, claims, &key).unwrap()
}

/// The fixture's keys with these ids.
fn keys(kids: &[&str]) -> Value {
    let all: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("jwks.json")).unwrap()).unwrap();
    let keys: Vec<Value> = all["keys"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|key| kids.contains(&key["kid"].as_str().unwrap()))
        .cloned()
        .collect();
    json!({ "keys": keys })
}

/// A local identity provider publishing a JWKS that the test changes, counting fetches.
#[derive(Clone)]
struct Provider {
    jwks: Arc<Mutex<Value>>,
    fetches: Arc<Mutex<u32>>,
    port: u16,
}

impl Provider {
    async fn start(jwks: Value) -> Self {
        let jwks = Arc::new(Mutex::new(jwks));
        let fetches = Arc::new(Mutex::new(0));
        let state = (jwks.clone(), fetches.clone());
        let server = HttpServer::new(move || {
            let state = state.clone();
            App::new().route(
                "/jwks",
                web::get().to(move || {
                    let (jwks, fetches) = state.clone();
                    async move {
                        *fetches.lock().unwrap() += 1;
                        let body = jwks.lock().unwrap().clone();
                        HttpResponse::Ok()
                            .insert_header(("Cache-Control", "public, max-age=3600"))
                            .json(body)
                    }
                }),
            )
        })
        .workers(1)
        .bind("127.0.0.1:0")
        .unwrap();
        let port = server.addrs()[0].port();
        tokio::spawn(server.run());
        Self {
            jwks,
            fetches,
            port,
        }
    }

    fn url(&self) -> url::Url {
        format!("http://127.0.0.1:{}/jwks", self.port)
            .parse()
            .unwrap()
    }

    fn publish(&self, jwks: Value) {
        *self.jwks.lock().unwrap() = jwks;
    }

    fn fetches(&self) -> u32 {
        *self.fetches.lock().unwrap()
    }
}

async fn status(app: &TestApp, token: &str) -> StatusCode {
    app.get("/api/v1/audit", Some(token)).await.status()
}

async fn a_key_rotated_at_the_provider_is_picked_up_without_a_restart(backend: Backend) {
    let provider = Provider::start(keys(&["rsa-2026"])).await;
    let url = provider.url();
    let app = spawn_app_with(backend, |s| {
        s.jwks_url = Some(url);
        s.jwks_min_refresh = Duration::from_secs(2);
    })
    .await;
    assert_eq!(provider.fetches(), 1, "fetched once at start");
    let admin = claims(json!({"roles": ["admin"]}));
    let rsa = signed_with(Algorithm::RS256, "rsa-2026", "rsa-2026.pem", &admin);
    let ec = signed_with(Algorithm::ES256, "ec-2026", "ec-2026.pem", &admin);
    assert_eq!(status(&app, &rsa).await, StatusCode::OK);
    // Cached: the next requests cost no verification and no fetch.
    assert_eq!(status(&app, &rsa).await, StatusCode::OK);
    assert_eq!(provider.fetches(), 1);

    // An unknown key: one fetch, then none until the interval has passed.
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(status(&app, &ec).await, StatusCode::UNAUTHORIZED);
    assert_eq!(provider.fetches(), 2);
    assert_eq!(status(&app, &ec).await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        provider.fetches(),
        2,
        "a stream of unknown kids costs one fetch"
    );

    // The provider rotates in a new key: accepted once the interval has passed.
    provider.publish(keys(&["rsa-2026", "ec-2026"]));
    assert_eq!(status(&app, &ec).await, StatusCode::UNAUTHORIZED);
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(status(&app, &ec).await, StatusCode::OK);
    assert_eq!(provider.fetches(), 3);

    // The overlap: the JWKS holds both keys, and tokens minted now (never seen, so never
    // cached) with the old key and with the new one both pass, at no further fetch.
    let during = |n: u32| claims(json!({"roles": ["admin"], "jti": format!("overlap-{n}")}));
    let old_key_now = signed_with(Algorithm::RS256, "rsa-2026", "rsa-2026.pem", &during(1));
    let new_key_now = signed_with(Algorithm::ES256, "ec-2026", "ec-2026.pem", &during(2));
    assert_eq!(status(&app, &old_key_now).await, StatusCode::OK, "old kid");
    assert_eq!(status(&app, &new_key_now).await, StatusCode::OK, "new kid");
    assert_eq!(provider.fetches(), 3);

    // The old key is withdrawn: once the keys are fetched again, its tokens (cached ones
    // too) stop working.
    provider.publish(keys(&["ec-2026"]));
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let ed = signed_with(Algorithm::EdDSA, "ed-2026", "ed-2026.pem", &admin);
    assert_eq!(status(&app, &ed).await, StatusCode::UNAUTHORIZED);
    assert_eq!(provider.fetches(), 4);
    assert_eq!(status(&app, &rsa).await, StatusCode::UNAUTHORIZED);
    assert_eq!(status(&app, &old_key_now).await, StatusCode::UNAUTHORIZED);
    assert_eq!(status(&app, &ec).await, StatusCode::OK);
    // Fresh tokens after the retirement: the old kid is refused, the new one passes; the
    // retired kid (now an unknown one) costs no fetch within the cooldown, however often.
    let after = |n: u32| claims(json!({"roles": ["admin"], "jti": format!("retired-{n}")}));
    for n in 0..5 {
        let retired = signed_with(Algorithm::RS256, "rsa-2026", "rsa-2026.pem", &after(n));
        assert_eq!(
            status(&app, &retired).await,
            StatusCode::UNAUTHORIZED,
            "retired kid"
        );
    }
    let current = signed_with(Algorithm::ES256, "ec-2026", "ec-2026.pem", &after(9));
    assert_eq!(status(&app, &current).await, StatusCode::OK, "current kid");
    assert_eq!(provider.fetches(), 4, "at most one fetch per cooldown");
}

async fn roles_and_organisation_come_from_configured_claims(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.jwt_roles_claim = "realm_access.roles".into();
        s.jwt_org_claim = "tenant".into();
        s.jwt_role_map = vec!["samverkan-admins=admin".into(), "rapportor=reporter".into()];
    })
    .await;
    let hs256 = |claims: &Value| {
        jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            claims,
            &EncodingKey::from_secret(SECRET.as_bytes()),
        )
        .unwrap()
    };
    let admin = hs256(&claims(
        json!({"realm_access": {"roles": ["samverkan-admins", "offline_access"]}}),
    ));
    assert_eq!(status(&app, &admin).await, StatusCode::OK);
    // The `roles` claim is not read any more.
    let plain = hs256(&claims(json!({"roles": ["admin"]})));
    assert_eq!(status(&app, &plain).await, StatusCode::FORBIDDEN);
    // A role name itself works too, and a string of names.
    let named = hs256(&claims(
        json!({"realm_access": {"roles": "uma_authorization admin"}}),
    ));
    assert_eq!(status(&app, &named).await, StatusCode::OK);

    // The organisation from `tenant`: a reporter reports for it only.
    let indicator = app
        .post_json(
            "/api/v1/indicators",
            Some(&admin),
            &json!({"code": "BBG-T03", "name": "Sjukdomsfall på grund av våld",
                    "category": "health", "kind": "outcome", "unit": "rate_per_1000",
                    "better": "lower"}),
        )
        .await;
    assert_eq!(indicator.status(), StatusCode::CREATED);
    let indicator: Value = indicator.json().await.unwrap();
    let mut orgs = Vec::new();
    for (name, code) in [("Växjö kommun", "0780"), ("Ljungby kommun", "0781")] {
        let response = app
            .post_json(
                "/api/v1/organisations",
                Some(&admin),
                &json!({"name": name, "kind": "municipality", "municipality_code": code}),
            )
            .await;
        assert_eq!(response.status(), StatusCode::CREATED);
        orgs.push(response.json::<Value>().await.unwrap());
    }
    let (vaxjo, ljungby) = (&orgs[0], &orgs[1]);
    let reporter = hs256(&claims(json!({"realm_access": {"roles": ["rapportor"]},
                                        "tenant": vaxjo["id"]})));
    let values = app.url(&format!(
        "/api/v1/indicators/{}/values",
        indicator["id"].as_str().unwrap()
    ));
    for (org, expected) in [(vaxjo, StatusCode::OK), (ljungby, StatusCode::FORBIDDEN)] {
        let response = app
            .client
            .put(&values)
            .bearer_auth(&reporter)
            .json(
                &json!({"values": [{"organisation_id": org["id"], "period": "2021",
                                      "value": 4.2}]}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), expected, "{org}");
    }
}

async fn a_jwks_url_must_be_https_unless_loopback(backend: Backend) {
    let database = TestDatabase::create(backend).await;
    let mut settings = test_settings(&database.url);
    settings.jwks_url = Some("http://idp.example/jwks".parse().unwrap());
    let result = samverkan::startup::Application::build(settings).await;
    assert!(
        matches!(result, Err(samverkan::startup::StartupError::Config(_))),
        "an http:// JWKS URL off the machine must be refused"
    );
    let mut settings = test_settings(&database.url);
    settings.jwt_role_map = vec!["no-equals-sign".into()];
    let result = samverkan::startup::Application::build(settings).await;
    assert!(matches!(
        result,
        Err(samverkan::startup::StartupError::Config(_))
    ));
}

crate::on_both_backends!(
    a_key_rotated_at_the_provider_is_picked_up_without_a_restart,
    roles_and_organisation_come_from_configured_claims,
    a_jwks_url_must_be_https_unless_loopback,
);
