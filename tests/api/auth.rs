//! Authentication: every way a token can be missing, malformed, forged or out of date is a 401
//! with a `Bearer` challenge; valid tokens from the shared secret and from the JWKS pass; roles
//! decide 403; and the service refuses to start with unsafe key material.

use std::{
    io::Write,
    net::SocketAddr,
    path::PathBuf,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::{Response, StatusCode, header};
use samverkan::{
    auth::{KeyError, LEEWAY_SECONDS, Role},
    startup::{Application, StartupError},
};
use secrecy::SecretString;
use serde_json::{Value, json};

use crate::helpers::*;

/// The endpoint the tests knock on: admin only.
const AUDIT: &str = "/api/v1/audit";

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures")).join(name)
}

fn fixture_bytes(name: &str) -> Vec<u8> {
    std::fs::read(fixture(name)).expect("read fixture")
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs() as i64
}

fn leeway() -> i64 {
    LEEWAY_SECONDS as i64
}

// The clock skew tolerated on `exp` and `nbf` is set explicitly (jsonwebtoken's default is
// 60 s) and stays at most a minute: a larger one does not compile. The test
// `a_token_61_seconds_out_of_date_is_refused_whatever_the_leeway` holds the same line at run time.
const _: () = assert!(
    LEEWAY_SECONDS <= 60,
    "the token leeway must stay at most 60 s"
);

/// The claims of a valid admin token for the test server.
fn admin_claims() -> Value {
    json!({
        "sub": "test-admin",
        "roles": ["admin"],
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now(),
        "nbf": now(),
        "exp": now() + 600,
    })
}

/// `admin_claims` with `changes` applied: `null` removes a claim, anything else sets it.
fn claims_with(changes: Value) -> Value {
    let mut claims = admin_claims();
    let object = claims.as_object_mut().expect("claims object");
    for (name, value) in changes.as_object().expect("changes object") {
        if value.is_null() {
            object.remove(name);
        } else {
            object.insert(name.clone(), value.clone());
        }
    }
    claims
}

/// An HS256 token over `claims`, signed with `secret`.
fn hs256(claims: &Value, secret: &[u8]) -> String {
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret),
    )
    .expect("sign HS256")
}

/// An HS256 token over `claims`, signed with the test server's secret.
fn signed(claims: &Value) -> String {
    hs256(claims, SECRET.as_bytes())
}

/// A token signed with a JWKS fixture key.
fn jwks_token(alg: Algorithm, kid: &str, pem_file: &str, claims: &Value) -> String {
    let pem = fixture_bytes(pem_file);
    let key = match alg {
        Algorithm::RS256 => EncodingKey::from_rsa_pem(&pem),
        Algorithm::ES256 => EncodingKey::from_ec_pem(&pem),
        Algorithm::EdDSA => EncodingKey::from_ed_pem(&pem),
        other => panic!("no fixture key for {other:?}"),
    }
    .expect("fixture private key");
    let mut header = Header::new(alg);
    header.kid = Some(kid.to_owned());
    jsonwebtoken::encode(&header, claims, &key).expect("sign with a fixture key")
}

/// A token assembled by hand from a header and claims, with `signature` as given.
fn hand_made(header: &Value, claims: &Value, signature: &[u8]) -> String {
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string()),
        URL_SAFE_NO_PAD.encode(signature)
    )
}

/// A loopback listener that counts the connections made to it: where the key URLs of forged
/// token headers point, to show that the service never follows them.
struct KeyUrlTrap {
    address: SocketAddr,
    connections: Arc<AtomicUsize>,
}

impl KeyUrlTrap {
    async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the trap");
        let address = listener.local_addr().expect("the trap's address");
        let connections = Arc::new(AtomicUsize::new(0));
        let counter = connections.clone();
        tokio::spawn(async move {
            while let Ok((_socket, _)) = listener.accept().await {
                counter.fetch_add(1, Ordering::SeqCst);
            }
        });
        Self {
            address,
            connections,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// Asserts that no connection reached the trap after a wait long enough for a fetch in
    /// flight to arrive; then connects to it once to show that it does count.
    async fn assert_untouched(&self) {
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(
            self.connections.load(Ordering::SeqCst),
            0,
            "the service connected to a URL named in a token header"
        );
        let probe = tokio::net::TcpStream::connect(self.address)
            .await
            .expect("connect to the trap");
        for _ in 0..50 {
            if self.connections.load(Ordering::SeqCst) == 1 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        drop(probe);
        assert_eq!(
            self.connections.load(Ordering::SeqCst),
            1,
            "the trap counts"
        );
    }
}

/// A test server that also trusts the JWKS fixture.
async fn spawn_app_with_jwks(backend: Backend) -> TestApp {
    spawn_app_with(backend, |s| s.jwks_file = Some(fixture("jwks.json"))).await
}

async fn get_with_authorization(app: &TestApp, path: &str, authorization: &str) -> Response {
    app.client
        .get(app.url(path))
        .header(header::AUTHORIZATION, authorization)
        .send()
        .await
        .expect("GET")
}

/// Asserts a 401 problem with a `Bearer` challenge.
async fn assert_unauthenticated(response: Response, case: &str) {
    assert_eq!(
        response.status(),
        StatusCode::UNAUTHORIZED,
        "{case}: status"
    );
    let challenge = response
        .headers()
        .get(header::WWW_AUTHENTICATE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        challenge.starts_with("Bearer"),
        "{case}: WWW-Authenticate is {challenge:?}"
    );
    let problem = assert_problem(response, StatusCode::UNAUTHORIZED).await;
    assert!(problem["detail"].is_string(), "{case}: {problem}");
}

async fn assert_status(response: Response, expected: StatusCode, case: &str) {
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    assert_eq!(status, expected, "{case}: body {body}");
}

async fn a_request_without_authorization_is_challenged(backend: Backend) {
    let app = spawn_app(backend).await;

    let response = app.get(AUDIT, None).await;

    assert_unauthenticated(response, "no Authorization header").await;
}

async fn malformed_authorization_headers_are_challenged(backend: Backend) {
    let app = spawn_app(backend).await;
    let huge = format!("Bearer {}", "a".repeat(16 * 1024));
    let cases = [
        ("Bearer ", "bearer scheme with no token"),
        ("Bearer    ", "bearer scheme with only spaces"),
        ("Basic abc", "a non-bearer scheme"),
        ("Bearer", "the scheme alone"),
        ("Bearer !!!not*a*token###", "a token that is not base64"),
        ("Bearer a.b.c", "three parts that are not JSON"),
        (huge.as_str(), "a 16 KB token"),
    ];

    for (authorization, case) in cases {
        let response = get_with_authorization(&app, AUDIT, authorization).await;

        assert_unauthenticated(response, case).await;
    }
}

async fn a_token_with_alg_none_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let cases = [
        (json!({"alg": "none", "typ": "JWT"}), "alg none"),
        (json!({"alg": "None", "typ": "JWT"}), "alg None"),
        (json!({"alg": "NONE"}), "alg NONE"),
    ];

    for (jose, case) in cases {
        let token = hand_made(&jose, &admin_claims(), b"");
        let response = app.get(AUDIT, Some(&token)).await;

        assert_unauthenticated(response, case).await;
    }
}

async fn a_tampered_token_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let member = signed(&claims_with(json!({"roles": ["member"]})));
    let parts: Vec<&str> = member.split('.').collect();
    let mut payload = URL_SAFE_NO_PAD.decode(parts[1]).expect("payload base64");
    let text = String::from_utf8(payload.clone()).expect("payload text");
    let at = text.find("member").expect("role in the payload");
    // One byte: "member" becomes "Member"; the payload stays valid JSON, so only the signature
    // can tell (the untouched token is a 403, the tampered one must be a 401).
    payload[at] = b'M';
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(&payload),
        parts[2]
    );
    assert_ne!(tampered, member, "the payload changed");
    let untouched = app.get(AUDIT, Some(&member)).await;
    assert_status(untouched, StatusCode::FORBIDDEN, "the untouched token").await;

    let response = app.get(AUDIT, Some(&tampered)).await;

    assert_unauthenticated(response, "one payload byte changed").await;
}

async fn tokens_signed_with_the_wrong_key_or_algorithm_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let claims = admin_claims();
    let hs384 = jsonwebtoken::encode(
        &Header::new(Algorithm::HS384),
        &claims,
        &EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .expect("sign HS384");
    let hs512 = jsonwebtoken::encode(
        &Header::new(Algorithm::HS512),
        &claims,
        &EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .expect("sign HS512");
    let cases = [
        (
            hs256(&claims, b"another-secret-of-more-than-thirty-two-bytes!!"),
            "HS256 with a different secret",
        ),
        (hs384, "HS384 with the right secret (algorithm not pinned)"),
        (hs512, "HS512 with the right secret (algorithm not pinned)"),
    ];

    for (token, case) in cases {
        let response = app.get(AUDIT, Some(&token)).await;

        assert_unauthenticated(response, case).await;
    }
}

async fn an_hs256_token_signed_with_the_rsa_public_key_is_refused(backend: Backend) {
    let app = spawn_app_with_jwks(backend).await;
    let public_pem = fixture_bytes("rsa-2026.pub.pem");
    let mut jose = Header::new(Algorithm::HS256);
    jose.kid = Some("rsa-2026".into());
    let forged = jsonwebtoken::encode(
        &jose,
        &admin_claims(),
        &EncodingKey::from_secret(&public_pem),
    )
    .expect("sign the forgery");

    let response = app.get(AUDIT, Some(&forged)).await;

    assert_unauthenticated(
        response,
        "algorithm confusion: HS256 keyed with the RSA public key",
    )
    .await;
}

async fn an_expired_token_is_refused_beyond_the_leeway_only(backend: Backend) {
    let app = spawn_app(backend).await;
    let long_expired = signed(&claims_with(json!({
        "iat": now() - 3600,
        "nbf": now() - 3600,
        "exp": now() - (leeway() + 5),
    })));
    let just_expired = signed(&claims_with(json!({
        "iat": now() - 3600,
        "nbf": now() - 3600,
        "exp": now() - 5,
    })));

    let refused = app.get(AUDIT, Some(&long_expired)).await;
    let accepted = app.get(AUDIT, Some(&just_expired)).await;

    assert_unauthenticated(refused, "expired beyond the leeway").await;
    assert_status(accepted, StatusCode::OK, "expired within the leeway").await;
}

async fn a_token_61_seconds_out_of_date_is_refused_whatever_the_leeway(backend: Backend) {
    let app = spawn_app_with_jwks(backend).await;
    // Literal times, not the constant: these fail if the leeway grows past 60 s.
    let expired = json!({"iat": now() - 3600, "nbf": now() - 3600, "exp": now() - 61});
    let not_yet = json!({"iat": now(), "nbf": now() + 61, "exp": now() + 600});
    let cases = [
        (
            signed(&claims_with(expired.clone())),
            "HS256, expired 61 s ago",
        ),
        (
            signed(&claims_with(not_yet.clone())),
            "HS256, valid in 61 s",
        ),
        (
            jwks_token(
                Algorithm::ES256,
                "ec-2026",
                "ec-2026.pem",
                &claims_with(expired),
            ),
            "ES256, expired 61 s ago",
        ),
        (
            jwks_token(
                Algorithm::ES256,
                "ec-2026",
                "ec-2026.pem",
                &claims_with(not_yet),
            ),
            "ES256, valid in 61 s",
        ),
    ];

    for (token, case) in cases {
        let response = app.get(AUDIT, Some(&token)).await;

        assert_unauthenticated(response, case).await;
    }
    let fresh = signed(&admin_claims());
    assert_status(
        app.get(AUDIT, Some(&fresh)).await,
        StatusCode::OK,
        "a current token",
    )
    .await;
}

async fn tokens_with_missing_or_malformed_claims_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let cases = [
        (json!({"exp": null}), "missing exp"),
        (json!({"exp": "99999999999"}), "exp as a string"),
        (json!({"exp": 1.5e20}), "exp out of range"),
        (json!({"nbf": now() + 300}), "nbf in the future"),
        (json!({"nbf": "0"}), "nbf as a string"),
        (json!({"iss": "someone-else"}), "wrong iss"),
        (json!({"iss": null}), "missing iss"),
        (json!({"aud": "another-api"}), "wrong aud"),
        (json!({"aud": ["another-api"]}), "wrong aud in a list"),
        (json!({"aud": null}), "missing aud"),
        (json!({"sub": null}), "missing sub"),
    ];

    for (changes, case) in cases {
        let token = signed(&claims_with(changes));
        let response = app.get(AUDIT, Some(&token)).await;

        assert_unauthenticated(response, case).await;
    }
}

/// Row 6: only access tokens are accepted. An OpenID Connect ID token (it carries `nonce`,
/// `at_hash` or `c_hash`) and a `typ` other than `JWT` or `at+jwt` are refused.
async fn id_tokens_and_other_token_kinds_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    for (claim, value) in [
        ("nonce", json!("n-0S6_WzA2Mj")),
        ("at_hash", json!("77QmUPtjPfzWtF2AnpK9RQ")),
        ("c_hash", json!("LDktKdoQak3Pk0cnXxCltA")),
    ] {
        let token = signed(&claims_with(json!({ claim: value })));
        let response = app.get(AUDIT, Some(&token)).await;
        let case = format!("an ID token with {claim}");
        assert_unauthenticated(response, &case).await;
    }
    let typed = |typ: &str| {
        let mut jose = Header::new(Algorithm::HS256);
        jose.typ = Some(typ.to_owned());
        jsonwebtoken::encode(
            &jose,
            &admin_claims(),
            &EncodingKey::from_secret(SECRET.as_bytes()),
        )
        .expect("sign")
    };
    for typ in ["JWT", "at+jwt", "application/at+JWT"] {
        let response = app.get(AUDIT, Some(&typed(typ))).await;
        assert_status(response, StatusCode::OK, &format!("typ {typ}")).await;
    }
    for typ in [
        "id_token+jwt",
        "logout+jwt",
        "secevent+jwt",
        "dpop+jwt",
        "JWS",
    ] {
        let response = app.get(AUDIT, Some(&typed(typ))).await;
        let problem = assert_problem(response, StatusCode::UNAUTHORIZED).await;
        assert_eq!(
            problem["detail"], "the token is not an access token",
            "typ {typ}"
        );
    }
}

/// A token signed with another key (say a second key file made by `samverkan token` against
/// another database) is told so, not "invalid or expired".
async fn a_signature_mismatch_says_so(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = hs256(&admin_claims(), b"another-secret-of-at-least-32-bytes!!");

    let response = app.get(AUDIT, Some(&token)).await;

    let problem = assert_problem(response, StatusCode::UNAUTHORIZED).await;
    assert_eq!(
        problem["detail"],
        "the token's signature does not match this service's signing key"
    );
}

async fn an_audience_list_naming_this_api_is_accepted(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = signed(&claims_with(json!({"aud": ["another-api", AUDIENCE]})));

    let response = app.get(AUDIT, Some(&token)).await;

    assert_status(response, StatusCode::OK, "aud list including ours").await;
}

async fn a_token_naming_an_unknown_key_is_refused(backend: Backend) {
    let app = spawn_app_with_jwks(backend).await;
    let mut jose = Header::new(Algorithm::HS256);
    jose.kid = Some("no-such-key".into());
    let unknown_hs = jsonwebtoken::encode(
        &jose,
        &admin_claims(),
        &EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .expect("sign");
    let unknown_rs = jwks_token(
        Algorithm::RS256,
        "rsa-2025",
        "rsa-2026.pem",
        &admin_claims(),
    );
    let cases = [
        (unknown_hs, "HS256 with an unknown kid"),
        (unknown_rs, "RS256 with an unknown kid"),
    ];

    for (token, case) in cases {
        let response = app.get(AUDIT, Some(&token)).await;

        assert_unauthenticated(response, case).await;
    }
}

async fn key_urls_and_embedded_keys_in_the_token_header_are_refused(backend: Backend) {
    let app = spawn_app_with_jwks(backend).await;
    let valid = jwks_token(
        Algorithm::RS256,
        "rsa-2026",
        "rsa-2026.pem",
        &admin_claims(),
    );
    let parts: Vec<&str> = valid.split('.').collect();
    let jose = |extra: Value| {
        let mut header = json!({"alg": "RS256", "typ": "JWT", "kid": "rsa-2026"});
        for (k, v) in extra.as_object().expect("object") {
            header[k] = v.clone();
        }
        header
    };
    let jwks: Value = serde_json::from_slice(&fixture_bytes("jwks.json")).expect("jwks");
    let trap = KeyUrlTrap::start().await;
    let mut embedded = jwks["keys"][0].clone();
    embedded["x5u"] = json!(trap.url("/embedded-cert.pem"));
    let cases = [
        (json!({"jku": trap.url("/jwks.json")}), "jku"),
        (json!({"x5u": trap.url("/cert.pem")}), "x5u"),
        (json!({"jwk": jwks["keys"][0].clone()}), "an embedded jwk"),
        (json!({"jwk": embedded}), "an embedded jwk with an x5u"),
        (
            json!({"jku": trap.url("/jwks.json"), "x5u": trap.url("/cert.pem")}),
            "jku and x5u",
        ),
    ];
    let no_extras = app.get(AUDIT, Some(&valid)).await;
    assert_status(no_extras, StatusCode::OK, "the token without extras").await;

    for (extra, case) in cases {
        // The original signature covers the original header, so the forged header's token
        // can only pass if the server fetched or trusted the key it names.
        let token = format!(
            "{}.{}.{}",
            URL_SAFE_NO_PAD.encode(jose(extra).to_string()),
            parts[1],
            parts[2]
        );
        let response = app.get(AUDIT, Some(&token)).await;

        assert_unauthenticated(response, case).await;
    }
    trap.assert_untouched().await;
}

async fn a_jku_header_is_refused_even_when_correctly_signed(backend: Backend) {
    let app = spawn_app_with_jwks(backend).await;
    let trap = KeyUrlTrap::start().await;
    let pem = fixture_bytes("rsa-2026.pem");
    let key = EncodingKey::from_rsa_pem(&pem).expect("RSA key");
    let sign = |jku: Option<String>, x5u: Option<String>| {
        let mut jose = Header::new(Algorithm::RS256);
        jose.kid = Some("rsa-2026".into());
        jose.jku = jku;
        jose.x5u = x5u;
        jsonwebtoken::encode(&jose, &admin_claims(), &key).expect("sign")
    };
    let cases = [
        (sign(Some(trap.url("/jwks.json")), None), "a jku"),
        (sign(None, Some(trap.url("/cert.pem"))), "an x5u"),
    ];

    for (token, case) in cases {
        let response = app.get(AUDIT, Some(&token)).await;

        assert_unauthenticated(response, &format!("a signed token whose header has {case}")).await;
    }
    trap.assert_untouched().await;
    let plain = sign(None, None);
    assert_status(
        app.get(AUDIT, Some(&plain)).await,
        StatusCode::OK,
        "the same token without a key URL",
    )
    .await;
}

async fn tokens_signed_with_the_jwks_keys_are_accepted(backend: Backend) {
    let app = spawn_app_with_jwks(backend).await;
    let cases = [
        (Algorithm::RS256, "rsa-2026", "rsa-2026.pem"),
        (Algorithm::ES256, "ec-2026", "ec-2026.pem"),
        (Algorithm::EdDSA, "ed-2026", "ed-2026.pem"),
    ];

    for (alg, kid, pem) in cases {
        let token = jwks_token(alg, kid, pem, &admin_claims());
        let response = app.get(AUDIT, Some(&token)).await;

        assert_status(response, StatusCode::OK, &format!("{alg:?} with kid {kid}")).await;
    }
}

async fn the_shared_secret_still_works_when_a_jwks_is_configured(backend: Backend) {
    let app = spawn_app_with_jwks(backend).await;

    let response = app.get(AUDIT, Some(&admin())).await;

    assert_status(response, StatusCode::OK, "HS256 without kid").await;
}

async fn a_token_whose_algorithm_does_not_fit_its_key_is_refused(backend: Backend) {
    let app = spawn_app_with_jwks(backend).await;
    let cases = [
        (
            jwks_token(Algorithm::RS256, "ec-2026", "rsa-2026.pem", &admin_claims()),
            "RS256 naming the EC key",
        ),
        (
            jwks_token(Algorithm::ES256, "rsa-2026", "ec-2026.pem", &admin_claims()),
            "ES256 naming the RSA key",
        ),
        (
            jwks_token(Algorithm::EdDSA, "ec-2026", "ed-2026.pem", &admin_claims()),
            "EdDSA naming the EC key",
        ),
    ];

    for (token, case) in cases {
        let response = app.get(AUDIT, Some(&token)).await;

        assert_unauthenticated(response, case).await;
    }
}

async fn a_jwks_token_must_pass_the_same_claim_checks(backend: Backend) {
    let app = spawn_app_with_jwks(backend).await;
    let cases = [
        (
            json!({"exp": now() - (leeway() + 5), "nbf": now() - 3600}),
            "expired",
        ),
        (json!({"iss": "someone-else"}), "wrong iss"),
        (json!({"aud": "another-api"}), "wrong aud"),
        (json!({"sub": null}), "missing sub"),
    ];

    for (changes, case) in cases {
        let token = jwks_token(
            Algorithm::ES256,
            "ec-2026",
            "ec-2026.pem",
            &claims_with(changes),
        );
        let response = app.get(AUDIT, Some(&token)).await;

        assert_unauthenticated(response, &format!("ES256 token: {case}")).await;
    }
}

async fn a_valid_token_without_a_fitting_role_is_forbidden(backend: Backend) {
    let app = spawn_app(backend).await;
    let cases = [
        (json!({"roles": ["superuser"]}), "only unknown role names"),
        (json!({"roles": ["Admin"]}), "a role name in the wrong case"),
        (json!({"roles": []}), "no roles"),
        (json!({"roles": null}), "no roles claim"),
        (json!({"roles": ["member"]}), "member"),
    ];

    for (changes, case) in cases {
        let token = signed(&claims_with(changes));
        let response = app.get(AUDIT, Some(&token)).await;

        let problem = assert_problem(response, StatusCode::FORBIDDEN).await;
        assert!(problem["detail"].is_string(), "{case}: {problem}");
    }
}

async fn every_role_but_admin_is_forbidden_the_audit_log(backend: Backend) {
    let app = spawn_app(backend).await;

    for (role, token) in non_admins() {
        let response = app.get(AUDIT, Some(&token)).await;

        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{role:?}");
        assert_problem(response, StatusCode::FORBIDDEN).await;
    }
    let response = app.get(AUDIT, Some(&admin())).await;
    assert_status(response, StatusCode::OK, "admin").await;
}

async fn unknown_roles_beside_a_known_one_are_ignored(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = signed(&claims_with(json!({"roles": ["superuser", "admin"]})));

    let response = app.get(AUDIT, Some(&token)).await;

    assert_status(response, StatusCode::OK, "admin among unknown roles").await;
}

async fn without_public_read_listing_organisations_needs_a_token(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.public_read = false).await;
    let mut tokens = non_admins();
    tokens.push((Role::Admin, admin()));

    let anonymous = app.get("/api/v1/organisations", None).await;
    let bad = app
        .get(
            "/api/v1/organisations",
            Some(&hs256(
                &admin_claims(),
                b"another-secret-of-more-than-32-bytes!!",
            )),
        )
        .await;

    assert_unauthenticated(anonymous, "no token, public_read off").await;
    assert_unauthenticated(bad, "bad token, public_read off").await;
    for (role, token) in tokens {
        let response = app.get("/api/v1/organisations", Some(&token)).await;
        assert_status(response, StatusCode::OK, &format!("{role:?}")).await;
    }
}

async fn with_public_read_a_bad_token_is_still_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let bad = hs256(&admin_claims(), b"another-secret-of-more-than-32-bytes!!");

    let anonymous = app.get("/api/v1/organisations", None).await;
    let refused = app.get("/api/v1/organisations", Some(&bad)).await;

    assert_status(anonymous, StatusCode::OK, "anonymous public read").await;
    assert_unauthenticated(refused, "a bad token is not treated as anonymous").await;
}

crate::on_both_backends!(
    id_tokens_and_other_token_kinds_are_refused,
    a_signature_mismatch_says_so,
    a_request_without_authorization_is_challenged,
    malformed_authorization_headers_are_challenged,
    a_token_with_alg_none_is_refused,
    a_tampered_token_is_refused,
    tokens_signed_with_the_wrong_key_or_algorithm_are_refused,
    an_hs256_token_signed_with_the_rsa_public_key_is_refused,
    an_expired_token_is_refused_beyond_the_leeway_only,
    a_token_61_seconds_out_of_date_is_refused_whatever_the_leeway,
    tokens_with_missing_or_malformed_claims_are_refused,
    an_audience_list_naming_this_api_is_accepted,
    a_token_naming_an_unknown_key_is_refused,
    key_urls_and_embedded_keys_in_the_token_header_are_refused,
    a_jku_header_is_refused_even_when_correctly_signed,
    tokens_signed_with_the_jwks_keys_are_accepted,
    the_shared_secret_still_works_when_a_jwks_is_configured,
    a_token_whose_algorithm_does_not_fit_its_key_is_refused,
    a_jwks_token_must_pass_the_same_claim_checks,
    a_valid_token_without_a_fitting_role_is_forbidden,
    every_role_but_admin_is_forbidden_the_audit_log,
    unknown_roles_beside_a_known_one_are_ignored,
    without_public_read_listing_organisations_needs_a_token,
    with_public_read_a_bad_token_is_still_refused,
);

// Startup guards: no server is needed, only a database to migrate.

fn startup_settings(dir: &tempfile::TempDir) -> samverkan::config::Settings {
    let url = format!("sqlite://{}", dir.path().join("samverkan.db").display());
    test_settings(&url)
}

async fn the_service_refuses_to_start_with_a_short_jwt_secret() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut settings = startup_settings(&dir);
    settings.jwt_secret = Some(SecretString::from("x".repeat(31)));

    let result = Application::build(settings).await;

    match result {
        Err(StartupError::Keys(KeyError::SecretTooShort(31))) => {}
        Err(other) => panic!("expected SecretTooShort(31), got {other}"),
        Ok(_) => panic!("a 31-byte secret was accepted"),
    }
}

async fn the_service_starts_with_a_32_byte_jwt_secret() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut settings = startup_settings(&dir);
    settings.jwt_secret = Some(SecretString::from("x".repeat(32)));

    let result = Application::build(settings).await;

    if let Err(error) = result {
        panic!("a 32-byte secret was refused: {error}");
    }
}

async fn the_service_refuses_to_start_with_unusable_jwks_files() {
    let cases = [
        (
            json!({"keys": [{"kty": "oct", "kid": "shared", "k": URL_SAFE_NO_PAD.encode(SECRET)}]}),
            "a symmetric (oct) key",
        ),
        (
            json!({"keys": [{"kty": "oct", "kid": "shared", "alg": "HS256",
                             "k": URL_SAFE_NO_PAD.encode(SECRET)}]}),
            "a symmetric (oct) key with alg HS256",
        ),
        (
            json!({"keys": [{"kty": "OKP", "crv": "Ed25519",
                             "x": "y-GYmsm5rahBwa0VyMdM2HVrGBeVJ5Eow--6iJu7uPo"}]}),
            "a key without kid",
        ),
    ];

    for (jwks, case) in cases {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut file = tempfile::NamedTempFile::new().expect("temp file");
        file.write_all(jwks.to_string().as_bytes())
            .expect("write JWKS");
        let mut settings = startup_settings(&dir);
        settings.jwks_file = Some(file.path().to_path_buf());

        let result = Application::build(settings).await;

        match result {
            Err(StartupError::Keys(KeyError::Jwks { .. })) => {}
            Err(other) => panic!("{case}: expected a JWKS error, got {other}"),
            Ok(_) => panic!("{case}: the JWKS was accepted"),
        }
    }
}

async fn the_service_refuses_to_start_with_a_missing_jwks_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut settings = startup_settings(&dir);
    settings.jwks_file = Some(dir.path().join("no-such-jwks.json"));

    let result = Application::build(settings).await;

    assert!(
        matches!(result, Err(StartupError::Keys(KeyError::Jwks { .. }))),
        "a missing JWKS file must stop the start"
    );
}

crate::plain_tests!(
    async:
    the_service_refuses_to_start_with_a_short_jwt_secret,
    the_service_starts_with_a_32_byte_jwt_secret,
    the_service_refuses_to_start_with_unusable_jwks_files,
    the_service_refuses_to_start_with_a_missing_jwks_file,
);
