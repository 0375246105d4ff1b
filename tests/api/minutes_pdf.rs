//! Issue 13: the minutes as PDF (PDF/A-2b, fonts embedded), read back with poppler's
//! `pdftotext` and compared with the Markdown, word for word.

use reqwest::{StatusCode, header};
use serde_json::json;

use crate::{decisions::*, helpers::*};

/// A text as a reader sees it, for comparing: no white space, markup, escapes, bullets or
/// hyphens (`pdftotext` joins a word broken after a hyphen, "hälso- och" read as "hälsooch").
fn normalized(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '•' | '*' | '#' | '\\'))
        .collect()
}

/// Every paragraph of the Markdown is in the extracted text, in order (page numbers removed).
pub(crate) fn in_order(markdown: &str, extracted: &str) -> Result<(), String> {
    let footer = regex::Regex::new(r"Sida \d+ av \d+").unwrap();
    let pdf = normalized(&footer.replace_all(extracted, ""));
    let mut at = 0;
    for paragraph in markdown.split("\n\n") {
        let wanted = normalized(paragraph);
        match pdf[at..].find(&wanted) {
            Some(found) => at += found + wanted.len(),
            None => return Err(format!("{paragraph:?}")),
        }
    }
    Ok(())
}

pub(crate) fn pdftotext() -> Option<std::path::PathBuf> {
    let found = std::process::Command::new("pdftotext")
        .arg("-v")
        .output()
        .is_ok();
    assert!(
        found || std::env::var("SAMVERKAN_TEST_REQUIRE_POSTGRES").as_deref() != Ok("1"),
        "pdftotext (poppler-utils) is required in CI"
    );
    found.then(|| "pdftotext".into())
}

async fn the_minutes_as_pdf_read_like_the_markdown(backend: Backend) {
    let Some(tool) = pdftotext() else {
        eprintln!("pdftotext is not installed: skipped");
        return;
    };
    let app = spawn_app(backend).await;
    let k = kronoberg(&app).await;
    let november = k.meeting(NOVEMBER).clone();
    let item = &k.items[&(NOVEMBER, "6")];
    let item_url = format!("{}/agenda-items/{}", meeting_url(&november), id(item));
    let text = "Göran redogör för läget. Förslaget är att ansluta till Cosmic Link, \
                en plattform för säker kommunikation mellan skola, socialtjänst och hälso- och \
                sjukvård. "
        .repeat(12);
    let response = app
        .patch_json(&item_url, Some(&admin()), None, &json!({"minutes": text}))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let mut body = k.body(
        NOVEMBER,
        "6",
        "position",
        "Cosmic Link",
        "Inriktningsbeslut tas.",
    );
    body["reservations"] =
        json!([{"member_id": k.person("Tove Lindmark"), "text": "Åtgärden är förhastad."}]);
    decide(&app, &body).await;
    let url = app.url(&format!("{}/minutes", meeting_url(&november)));

    let markdown = app
        .get(&format!("{}/minutes", meeting_url(&november)), None)
        .await;
    let markdown = markdown.text().await.unwrap();
    let response = app
        .client
        .get(&url)
        .header(header::ACCEPT, "application/pdf")
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "application/pdf");
    let bytes = response.bytes().await.unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    assert!(
        String::from_utf8_lossy(&bytes).contains("<pdfaid:part>2</pdfaid:part>"),
        "PDF/A-2"
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("minutes.pdf");
    std::fs::write(&file, &bytes).unwrap();
    if let Ok(keep) = std::env::var("SAMVERKAN_KEEP_PDF") {
        std::fs::write(keep, &bytes).unwrap();
    }
    let out = std::process::Command::new(tool)
        .args(["-enc", "UTF-8"])
        .arg(&file)
        .arg("-")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let extracted = String::from_utf8(out.stdout).unwrap();
    if let Err(missing) = in_order(&markdown, &extracted) {
        panic!("the PDF lacks {missing}\n--- markdown\n{markdown}\n--- pdf\n{extracted}");
    }
    assert!(extracted.contains("Sida 1 av"), "page numbers");
    assert!(extracted.contains("Reservation: Tove Lindmark: Åtgärden är förhastad."));

    // The same record gives the same bytes, and the verify endpoint knows the file.
    let again = app
        .client
        .get(&url)
        .header(header::ACCEPT, "application/pdf")
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(again, bytes);
    let verify = app
        .client
        .post(app.url(&format!("{}/minutes/verify", meeting_url(&november))))
        .body(bytes.to_vec())
        .send()
        .await
        .unwrap();
    let verify: serde_json::Value = verify.json().await.unwrap();
    assert_eq!(verify["current"], true, "{verify}");
}

crate::on_both_backends!(the_minutes_as_pdf_read_like_the_markdown);
