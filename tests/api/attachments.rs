//! Attachments (bilagor): upload streamed with its limits and checks, download with `ETag` and
//! ranges, visibility inherited from the record, the lock, deletion, erasure, idempotency; and
//! the same on S3-compatible storage when a test server is configured (moto in CI).

use reqwest::{Response, StatusCode, header};
use samverkan::auth::Role;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::{
    action_plans::{approval, approve, create_plan, first_content, new_revision},
    decisions::{Kronoberg, NOVEMBER, decide, get_json, id, kronoberg, meeting_url, secretary},
    helpers::{
        Backend, TestApp, admin, assert_problem, error_fields, spawn_app, spawn_app_with, token,
    },
    on_both_backends,
};

const ATTACHMENTS: &str = "/api/v1/attachments";

/// A PDF-looking file of `len` bytes (the signature is what the check reads).
fn pdf(len: usize) -> Vec<u8> {
    let mut bytes = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    bytes.extend((0..len.saturating_sub(bytes.len())).map(|i| (i % 251) as u8));
    bytes
}

fn hex(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

async fn upload(
    app: &TestApp,
    token: Option<&str>,
    owner: (&str, &str),
    filename: &str,
    content_type: &str,
    bytes: Vec<u8>,
) -> Response {
    let mut request = app
        .client
        .post(app.url(ATTACHMENTS))
        .query(&[
            ("owner_type", owner.0),
            ("owner_id", owner.1),
            ("filename", filename),
        ])
        .header(header::CONTENT_TYPE, content_type)
        .body(bytes);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap()
}

/// Uploads as a secretary; asserts 201.
async fn attach(app: &TestApp, owner: (&str, &str), filename: &str, bytes: Vec<u8>) -> Value {
    let response = upload(
        app,
        Some(&secretary()),
        owner,
        filename,
        "application/pdf",
        bytes,
    )
    .await;
    assert_eq!(
        response.status(),
        StatusCode::CREATED,
        "uploading {filename}"
    );
    response.json().await.unwrap()
}

async fn content(
    app: &TestApp,
    file: &Value,
    token: Option<&str>,
    headers: &[(&str, &str)],
) -> Response {
    let mut request = app
        .client
        .get(app.url(&format!("{ATTACHMENTS}/{}/content", id(file))));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap()
}

/// The number of files kept in the test's storage directory.
fn stored_files(app: &TestApp) -> usize {
    fn count(dir: &std::path::Path) -> usize {
        std::fs::read_dir(dir).map_or(0, |entries| {
            entries
                .flatten()
                .map(|e| {
                    let path = e.path();
                    if path.is_dir() { count(&path) } else { 1 }
                })
                .sum()
        })
    }
    app.files.as_deref().map_or(0, count)
}

fn november(k: &Kronoberg) -> (&'static str, &str) {
    ("meeting", id(k.meeting(NOVEMBER)))
}

/// A file goes up streamed and comes back whole, by range, and as 304; its record says what it
/// is.
async fn a_file_comes_back_whole_by_range_and_not_modified(backend: Backend) {
    let app = spawn_app(backend).await;
    let k = kronoberg(&app).await;
    let bytes = pdf(300_000);
    let file = attach(
        &app,
        november(&k),
        "Protokoll Socialnämnden 2021-10-20 – bilaga.pdf",
        bytes.clone(),
    )
    .await;
    assert_eq!(file["size"], 300_000);
    assert_eq!(file["sha256"], hex(&bytes));
    assert_eq!(file["content_type"], "application/pdf");
    assert_eq!(file["owner_type"], "meeting");

    let whole = content(&app, &file, None, &[]).await;
    assert_eq!(whole.status(), StatusCode::OK);
    let etag = format!("\"{}\"", hex(&bytes));
    assert_eq!(whole.headers()[header::ETAG], etag.as_str());
    assert_eq!(whole.headers()[header::ACCEPT_RANGES], "bytes");
    assert_eq!(whole.headers()[header::CONTENT_TYPE], "application/pdf");
    let disposition = whole.headers()[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(disposition.starts_with("attachment"), "{disposition}");
    assert!(
        disposition.contains("filename*=UTF-8''Protokoll%20Socialn%C3%A4mnden"),
        "{disposition}"
    );
    assert_eq!(whole.bytes().await.unwrap().as_ref(), bytes.as_slice());

    let unchanged = content(&app, &file, None, &[("If-None-Match", &etag)]).await;
    assert_eq!(unchanged.status(), StatusCode::NOT_MODIFIED);

    let part = content(&app, &file, None, &[("Range", "bytes=100-199")]).await;
    assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        part.headers()[header::CONTENT_RANGE],
        "bytes 100-199/300000"
    );
    assert_eq!(part.bytes().await.unwrap().as_ref(), &bytes[100..200]);
    let tail = content(&app, &file, None, &[("Range", "bytes=-10")]).await;
    assert_eq!(tail.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(tail.bytes().await.unwrap().as_ref(), &bytes[299_990..]);
    let outside = content(&app, &file, None, &[("Range", "bytes=300000-")]).await;
    assert_eq!(outside.headers()[header::CONTENT_RANGE], "bytes */300000");
    assert_problem(outside, StatusCode::RANGE_NOT_SATISFIABLE).await;
    // A range for another version of the file gives the whole file.
    let stale = content(
        &app,
        &file,
        None,
        &[("Range", "bytes=0-9"), ("If-Range", "\"abc\"")],
    )
    .await;
    assert_eq!(stale.status(), StatusCode::OK);
    assert_eq!(stale.bytes().await.unwrap().len(), 300_000);

    let record = app.get(&format!("{ATTACHMENTS}/{}", id(&file)), None).await;
    assert_eq!(record.status(), StatusCode::OK);
    assert_eq!(record.headers()[header::ETAG], "\"1\"");
    let listed = get_json(
        &app,
        &format!(
            "{ATTACHMENTS}?owner_type=meeting&owner_id={}",
            id(k.meeting(NOVEMBER))
        ),
        None,
    )
    .await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    assert_eq!(stored_files(&app), 1);
}

/// Who uploads, to what, the declared type, the bytes, and the expected refusal.
type Refusal<'a> = (
    Option<&'a str>,
    (&'a str, &'a str),
    &'a str,
    Vec<u8>,
    StatusCode,
);

/// Every refusal leaves no record and no file behind.
async fn refused_uploads_leave_nothing_behind(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.attachment_max_bytes = 50_000).await;
    let k = kronoberg(&app).await;
    let owner = november(&k);
    let sec = secretary();
    let other = ("meeting", "0190d6a4-0000-7000-8000-000000000000");
    let member = token(&[Role::Member]);
    let reporter = token(&[Role::Reporter]);
    let refusals: [Refusal<'_>; 7] = [
        (
            None,
            owner,
            "application/pdf",
            pdf(100),
            StatusCode::UNAUTHORIZED,
        ),
        (
            Some(&member),
            owner,
            "application/pdf",
            pdf(100),
            StatusCode::FORBIDDEN,
        ),
        (
            Some(&reporter),
            owner,
            "application/pdf",
            pdf(100),
            StatusCode::FORBIDDEN,
        ),
        (
            Some(&sec),
            owner,
            "text/html",
            b"<p>".to_vec(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            Some(&sec),
            owner,
            "application/x-msdownload",
            pdf(100),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            Some(&sec),
            owner,
            "application/pdf",
            pdf(50_001),
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
        (
            Some(&sec),
            other,
            "application/pdf",
            pdf(100),
            StatusCode::NOT_FOUND,
        ),
    ];
    for (bearer, owner, kind, bytes, status) in refusals {
        let response = upload(&app, bearer, owner, "Bilaga.pdf", kind, bytes).await;
        assert_problem(response, status).await;
    }
    for (name, kind, bytes, field) in [
        (
            "fake.pdf",
            "application/pdf",
            b"MZ\x90\x00 this is a program".to_vec(),
            "content_type",
        ),
        ("fake.png", "image/png", pdf(100), "content_type"),
        (
            "binary.txt",
            "text/plain",
            b"abc\0def".to_vec(),
            "content_type",
        ),
        ("empty.pdf", "application/pdf", Vec::new(), "body"),
        ("../../etc/passwd", "application/pdf", pdf(100), "filename"),
        (
            "Bilaga\u{202E}fdp.exe",
            "application/pdf",
            pdf(100),
            "filename",
        ),
    ] {
        let response = upload(&app, Some(&sec), owner, name, kind, bytes).await;
        let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(error_fields(&problem), [field], "{name}");
    }
    // Over the limit without a declared length: counted while it streams.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = (0..8).map(|_| Ok(pdf(10_000))).collect();
    let response = app
        .client
        .post(app.url(ATTACHMENTS))
        .query(&[
            ("owner_type", "meeting"),
            ("owner_id", owner.1),
            ("filename", "s.pdf"),
        ])
        .header(header::CONTENT_TYPE, "application/pdf")
        .bearer_auth(&sec)
        .body(reqwest::Body::wrap_stream(futures_util::stream::iter(
            chunks,
        )))
        .send()
        .await
        .unwrap();
    assert_problem(response, StatusCode::PAYLOAD_TOO_LARGE).await;
    let missing = app
        .client
        .post(app.url(&format!("{ATTACHMENTS}?owner_type=meeting&filename=a.pdf")))
        .header(header::CONTENT_TYPE, "application/pdf")
        .bearer_auth(&sec)
        .body(pdf(100))
        .send()
        .await
        .unwrap();
    assert_problem(missing, StatusCode::BAD_REQUEST).await;

    let listed = get_json(
        &app,
        &format!("{ATTACHMENTS}?include_archived=true"),
        Some(&admin()),
    )
    .await;
    assert_eq!(listed["items"], json!([]));
    assert_eq!(stored_files(&app), 0);
}

/// A file is never more visible than its record: hidden items and decisions hide their files
/// from every read path (by id, content, list, the feed); drafts of a plan too.
async fn files_are_as_visible_as_their_record(backend: Backend) {
    let app = spawn_app(backend).await;
    let k = kronoberg(&app).await;
    let item = &k.items[&(NOVEMBER, "9")];
    let hide = app
        .patch_json(
            &format!(
                "{}/agenda-items/{}",
                meeting_url(k.meeting(NOVEMBER)),
                id(item)
            ),
            Some(&admin()),
            None,
            &json!({"public": false}),
        )
        .await;
    assert_eq!(hide.status(), StatusCode::OK);
    let hidden = attach(
        &app,
        ("agenda_item", id(item)),
        "Personalärende.pdf",
        pdf(2_000),
    )
    .await;
    let shown = attach(&app, november(&k), "Dagordning.pdf", pdf(2_000)).await;
    let personnel = decide(
        &app,
        &k.body(
            NOVEMBER,
            "9",
            "decision",
            "Personalärende",
            "Beslut i ett personalärende.",
        ),
    )
    .await;
    let on_decision = attach(
        &app,
        ("decision", id(&personnel)),
        "Underlag.pdf",
        pdf(2_000),
    )
    .await;
    let (sg, plan) = create_plan(&app).await;
    let draft = new_revision(&app, &plan, &json!({"content": first_content()})).await;
    let on_draft = attach(
        &app,
        ("action_plan_revision", id(&draft)),
        "Utkast.pdf",
        pdf(2_000),
    )
    .await;

    for file in [&hidden, &on_decision, &on_draft] {
        for bearer in [
            None,
            Some(token(&[Role::Reporter])),
            Some(token(&[Role::Integration])),
        ] {
            let by_id = app
                .get(&format!("{ATTACHMENTS}/{}", id(file)), bearer.as_deref())
                .await;
            assert_problem(by_id, StatusCode::NOT_FOUND).await;
            let bytes = content(&app, file, bearer.as_deref(), &[]).await;
            assert_problem(bytes, StatusCode::NOT_FOUND).await;
        }
        let seen = content(&app, file, Some(&token(&[Role::Member])), &[]).await;
        assert_eq!(seen.status(), StatusCode::OK);
    }
    let listed = get_json(&app, ATTACHMENTS, None).await;
    let ids: Vec<&str> = listed["items"].as_array().unwrap().iter().map(id).collect();
    assert_eq!(ids, [id(&shown)]);
    let pulled = get_json(
        &app,
        &format!("{ATTACHMENTS}?updated_since=2000-01-01T00:00:00Z"),
        None,
    )
    .await;
    assert_eq!(pulled["items"].as_array().unwrap().len(), 1);
    let members = get_json(&app, ATTACHMENTS, Some(&token(&[Role::Member]))).await;
    assert_eq!(members["items"].as_array().unwrap().len(), 4);

    let feed = get_json(&app, "/api/v1/events?types=attachment&limit=200", None).await;
    let records: Vec<&str> = feed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["data"]["entity_id"].as_str().unwrap())
        .collect();
    assert_eq!(records, [id(&shown)], "{feed}");

    // Approved, the revision and its file are public, and its files are fixed.
    let decision = approval(&app, &sg, "2021-06-04").await;
    approve(&app, &plan, 1, &decision).await;
    assert_eq!(
        content(&app, &on_draft, None, &[]).await.status(),
        StatusCode::OK
    );
    let owner = ("action_plan_revision", id(&draft));
    let late = upload(
        &app,
        Some(&secretary()),
        owner,
        "Sen.pdf",
        "application/pdf",
        pdf(100),
    )
    .await;
    assert_problem(late, StatusCode::CONFLICT).await;
}

/// Deleting removes the bytes and keeps a tombstone (412 on a stale `If-Match`); approved
/// minutes fix the files of their meeting; an archived meeting keeps its files.
async fn deletion_the_lock_and_archived_records(backend: Backend) {
    let app = spawn_app(backend).await;
    let k = kronoberg(&app).await;
    let file = attach(&app, november(&k), "Fel fil.pdf", pdf(5_000)).await;
    let path = format!("{ATTACHMENTS}/{}", id(&file));
    for (bearer, status) in [
        (None, StatusCode::UNAUTHORIZED),
        (Some(token(&[Role::Member])), StatusCode::FORBIDDEN),
    ] {
        assert_problem(app.delete(&path, bearer.as_deref(), None).await, status).await;
    }
    let stale = app.delete(&path, Some(&secretary()), Some("\"7\"")).await;
    assert_problem(stale, StatusCode::PRECONDITION_FAILED).await;
    assert_eq!(
        content(&app, &file, None, &[]).await.status(),
        StatusCode::OK
    );
    let missing = app
        .delete(
            &format!("{ATTACHMENTS}/0190d6a4-0000-7000-8000-000000000000"),
            Some(&secretary()),
            None,
        )
        .await;
    assert_problem(missing, StatusCode::NOT_FOUND).await;

    let deleted = app.delete(&path, Some(&secretary()), Some("\"1\"")).await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert_problem(content(&app, &file, None, &[]).await, StatusCode::NOT_FOUND).await;
    let tombstone = get_json(&app, &path, None).await;
    assert_eq!(tombstone["archived"], true);
    assert_eq!(stored_files(&app), 0);
    let listed = get_json(&app, ATTACHMENTS, None).await;
    assert_eq!(listed["items"], json!([]));
    let pulled = get_json(
        &app,
        &format!("{ATTACHMENTS}?updated_since=2000-01-01T00:00:00Z"),
        None,
    )
    .await;
    assert_eq!(pulled["items"][0]["archived"], true);

    // Approved minutes fix the meeting's files.
    let kept = attach(&app, november(&k), "Protokoll.pdf", pdf(5_000)).await;
    let february = k.meeting(crate::decisions::FEBRUARY);
    let held = app
        .patch_json(
            &meeting_url(february),
            Some(&admin()),
            None,
            &json!({"status": "held"}),
        )
        .await;
    assert_eq!(held.status(), StatusCode::OK);
    let approve = json!({"status": "minutes_approved", "minutes_approved_on": "2022-02-04",
        "minutes_approved_in_meeting_id": id(february)});
    let approved = app
        .patch_json(
            &meeting_url(k.meeting(NOVEMBER)),
            Some(&admin()),
            None,
            &approve,
        )
        .await;
    assert_eq!(
        approved.status(),
        StatusCode::OK,
        "{}",
        approved.text().await.unwrap()
    );
    let late = upload(
        &app,
        Some(&secretary()),
        november(&k),
        "Sent.pdf",
        "application/pdf",
        pdf(100),
    )
    .await;
    let problem = assert_problem(late, StatusCode::CONFLICT).await;
    assert!(
        problem["type"].as_str().unwrap().ends_with("locked"),
        "{problem}"
    );
    let locked = app
        .delete(
            &format!("{ATTACHMENTS}/{}", id(&kept)),
            Some(&secretary()),
            None,
        )
        .await;
    assert_problem(locked, StatusCode::CONFLICT).await;
    assert_eq!(
        content(&app, &kept, None, &[]).await.status(),
        StatusCode::OK
    );

    // A planned meeting deleted (archived) keeps its files.
    let planned = attach(&app, ("meeting", id(february)), "Kallelse.pdf", pdf(1_000)).await;
    let _ = planned;
    let next = crate::decisions::create_meeting(
        &app,
        &k.sg,
        "2022-04-01T08:30:00+02:00",
        "2022-04-01T11:30:00+02:00",
        "planned",
    )
    .await;
    let notice = attach(
        &app,
        ("meeting", id(&next)),
        "Kallelse april.pdf",
        pdf(1_000),
    )
    .await;
    let archived = app.delete(&meeting_url(&next), Some(&admin()), None).await;
    assert_eq!(archived.status(), StatusCode::NO_CONTENT);
    let still = content(&app, &notice, Some(&secretary()), &[]).await;
    assert_eq!(still.status(), StatusCode::OK);
    assert_eq!(still.bytes().await.unwrap().len(), 1_000);
}

/// A retry with the same `Idempotency-Key` is answered from the first upload and keeps one file.
async fn a_retried_upload_keeps_one_file(backend: Backend) {
    let app = spawn_app(backend).await;
    let k = kronoberg(&app).await;
    let send = || {
        app.client
            .post(app.url(ATTACHMENTS))
            .query(&[
                ("owner_type", "meeting"),
                ("owner_id", id(k.meeting(NOVEMBER))),
                ("filename", "a.pdf"),
            ])
            .header(header::CONTENT_TYPE, "application/pdf")
            .header("Idempotency-Key", "upload-1")
            .bearer_auth(secretary())
            .body(pdf(4_000))
            .send()
    };
    let first = send().await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.unwrap();
    let again = send().await.unwrap();
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    let again: Value = again.json().await.unwrap();
    assert_eq!(id(&again), id(&first));
    assert_eq!(stored_files(&app), 1);
    assert_eq!(
        content(&app, &first, None, &[]).await.status(),
        StatusCode::OK
    );
}

/// Erasure reaches file names (and their copies in the audit log and the feed).
async fn erasure_scrubs_file_names(backend: Backend) {
    let app = spawn_app(backend).await;
    let k = kronoberg(&app).await;
    let person = k.person("Tove Lindmark");
    let file = attach(
        &app,
        november(&k),
        "Reservation Tove Lindmark.pdf",
        pdf(1_000),
    )
    .await;
    assert!(!app.rows_mentioning("tove lindmark").await.is_empty());
    let erased = app
        .post_json(
            &format!("/api/v1/members/{person}/erase"),
            Some(&admin()),
            &json!({}),
        )
        .await;
    assert_eq!(erased.status(), StatusCode::OK);
    let after = get_json(&app, &format!("{ATTACHMENTS}/{}", id(&file)), None).await;
    assert!(
        !after["filename"].as_str().unwrap().contains("Lindmark"),
        "{after}"
    );
    assert!(
        after["filename"]
            .as_str()
            .unwrap()
            .starts_with("Reservation ")
    );
    let hits = app.rows_mentioning("lindmark").await;
    assert!(hits.is_empty(), "{hits:?}");
    let download = content(&app, &file, None, &[]).await;
    assert_eq!(download.status(), StatusCode::OK);
    let disposition = download.headers()[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(!disposition.contains("Lindmark"), "{disposition}");
}

on_both_backends!(
    a_file_comes_back_whole_by_range_and_not_modified,
    refused_uploads_leave_nothing_behind,
    files_are_as_visible_as_their_record,
    deletion_the_lock_and_archived_records,
    a_retried_upload_keeps_one_file,
    erasure_scrubs_file_names,
);

/// The same upload, range download and deletion against S3-compatible storage. Runs when
/// `SAMVERKAN_TEST_S3_BUCKET` names a bucket on the server the `AWS_*` variables point at
/// (CI starts moto for it); `SAMVERKAN_TEST_REQUIRE_S3=1` makes a missing bucket a failure.
async fn files_on_s3_compatible_storage() {
    let Some(bucket) = std::env::var("SAMVERKAN_TEST_S3_BUCKET")
        .ok()
        .filter(|b| !b.is_empty())
    else {
        assert!(
            std::env::var("SAMVERKAN_TEST_REQUIRE_S3").as_deref() != Ok("1"),
            "SAMVERKAN_TEST_REQUIRE_S3=1 but SAMVERKAN_TEST_S3_BUCKET is not set"
        );
        return;
    };
    let prefix = uuid::Uuid::now_v7();
    let app = spawn_app_with(Backend::Sqlite, |s| {
        s.storage_url = Some(format!("s3://{bucket}/{prefix}"));
    })
    .await;
    let k = kronoberg(&app).await;
    // Larger than one multipart part (5 MiB): the upload goes up in parts.
    let bytes = pdf(6 * 1024 * 1024 + 123);
    let file = attach(&app, november(&k), "Stor bilaga.pdf", bytes.clone()).await;
    assert_eq!(file["sha256"], hex(&bytes));
    let whole = content(&app, &file, None, &[]).await;
    assert_eq!(whole.status(), StatusCode::OK);
    assert_eq!(hex(&whole.bytes().await.unwrap()), hex(&bytes));
    let part = content(&app, &file, None, &[("Range", "bytes=5242870-5242889")]).await;
    assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        part.bytes().await.unwrap().as_ref(),
        &bytes[5_242_870..5_242_890]
    );
    let small = attach(&app, november(&k), "Liten.pdf", pdf(800)).await;
    assert_eq!(
        content(&app, &small, None, &[])
            .await
            .bytes()
            .await
            .unwrap()
            .len(),
        800
    );
    let refused = upload(
        &app,
        Some(&secretary()),
        november(&k),
        "x.png",
        "image/png",
        pdf(100),
    )
    .await;
    assert_problem(refused, StatusCode::UNPROCESSABLE_ENTITY).await;
    let deleted = app
        .delete(
            &format!("{ATTACHMENTS}/{}", id(&small)),
            Some(&secretary()),
            None,
        )
        .await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert_problem(
        content(&app, &small, None, &[]).await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

crate::plain_tests!(async: files_on_s3_compatible_storage);
