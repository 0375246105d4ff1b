//! The outcome indicators as item 7 of 2021-11-05 leaves them, with values for 2018-2022 that
//! are generated (plausible, never real) and say so in `note` and `source`.

use serde_json::{Value, json};

use super::{api::Api, meetings::Refs, people::MUNICIPALITIES};
use crate::startup::StartupError;

const SYNTHETIC: &str = "Syntetiskt demovärde, inte en verklig mätning";
const YEARS: std::ops::RangeInclusive<i32> = 2018..=2022;

fn source() -> Value {
    json!({"name": "Syntetiska demodata (samverkan --demo)"})
}

/// A number in [0, 1) that depends only on `seed` (SplitMix64), so every demo is the same.
fn noise(seed: u64) -> f64 {
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

/// `base` for the first year, drifting by `trend` a year, with noise of `spread` per
/// municipality and year; rounded to one decimal.
fn value(code: u64, municipality: usize, year: i32, base: f64, trend: f64, spread: f64) -> f64 {
    let seed = code * 1_000_000 + municipality as u64 * 10_000 + year as u64;
    let local = (noise(seed * 7) - 0.5) * 2.0 * spread;
    let yearly = (noise(seed) - 0.5) * spread;
    let v = base + local + trend * f64::from(year - YEARS.start()) + yearly;
    (v * 10.0).round() / 10.0
}

/// One indicator's values for every municipality, year and breakdown.
fn rows(
    refs: &Refs,
    code: u64,
    shape: Shape,
    breakdowns: &[(&str, &str, f64)],
) -> Result<Vec<Value>, StartupError> {
    let mut rows = Vec::new();
    for (m, key) in MUNICIPALITIES.iter().enumerate() {
        let org = refs.get(&format!("org:{key}"))?;
        for year in YEARS {
            for (i, (gender, age, offset)) in breakdowns.iter().enumerate() {
                let v = value(
                    code + i as u64,
                    m,
                    year,
                    shape.base + offset,
                    shape.trend,
                    shape.spread,
                );
                rows.push(json!({
                    "organisation_id": org, "period": year.to_string(), "gender": gender,
                    "age_group": age, "value": v.clamp(0.0, 100.0),
                    "status": if year == *YEARS.end() { "preliminary" } else { "final" },
                    "note": SYNTHETIC, "source_ref": "demo",
                }));
            }
        }
    }
    Ok(rows)
}

#[derive(Clone, Copy)]
struct Shape {
    base: f64,
    trend: f64,
    spread: f64,
}

/// The indicators followed before 2021-11-05 (`indicator:violence`, `indicator:suicide`,
/// `indicator:safe`).
pub(super) async fn before_november(api: &Api, refs: &mut Refs) -> Result<(), StartupError> {
    for (key, body) in [
        (
            "violence",
            json!({"code": "BBG-S01", "name": "Antal sjukdomsfall på grund av våld",
            "category": "safety", "kind": "outcome", "unit": "rate_per_1000", "better": "lower",
            "decimals": 1, "source": source(),
            "description": "Barn 0–17 år som sökt vård för skador orsakade av våld, per 1 000 barn."}),
        ),
        (
            "suicide",
            json!({"code": "BBG-H09", "name": "Suicid bland unga",
            "category": "health", "kind": "outcome", "unit": "count", "better": "lower",
            "decimals": 0, "source": source(),
            "description": "Följs inte längre av styrgruppen (beslut 2021-11-05); inga värden i demon."}),
        ),
        (
            "safe",
            json!({"code": "BBG-S02", "name": "Elever i åk 9 som känner sig trygga i skolan",
            "category": "safety", "kind": "outcome", "unit": "percent", "better": "higher",
            "decimals": 1, "breakdowns": {"gender": true}, "source": source()}),
        ),
    ] {
        let id = api.create("/api/v1/indicators", &body).await?;
        refs.insert(format!("indicator:{key}"), id);
    }
    Ok(())
}

/// What item 7 of 2021-11-05 decided: dental health at 3, 6 and 12 years and a heading for
/// development and care added, the violence indicator renamed, suicide retired.
pub(super) async fn november_changes(api: &Api, refs: &mut Refs) -> Result<(), StartupError> {
    let decision = refs.get("decision:indicators")?.to_owned();
    for (key, body) in [
        (
            "dental",
            json!({"code": "BBG-H01", "name": "Kariesfria barn",
            "category": "health", "kind": "outcome", "unit": "percent", "better": "higher",
            "decimals": 1, "breakdowns": {"age_groups": ["3", "6", "12"]}, "source": source(),
            "adopted_by_decision_id": decision,
            "description": "Andel barn utan karies vid 3, 6 och 12 års ålder."}),
        ),
        (
            "preschool",
            json!({"code": "BBG-U01", "name": "Barn 1–5 år inskrivna i förskola",
            "category": "development_and_care", "kind": "outcome", "unit": "percent",
            "better": "higher", "decimals": 1, "source": source(),
            "adopted_by_decision_id": decision}),
        ),
    ] {
        let id = api.create("/api/v1/indicators", &body).await?;
        refs.insert(format!("indicator:{key}"), id);
    }
    let change = |fields: Value| -> Value {
        let mut body = fields;
        body["decision_id"] = json!(decision);
        body["effective_on"] = json!("2021-11-05");
        body
    };
    let violence = refs.get("indicator:violence")?;
    api.patch(
        &format!("/api/v1/indicators/{violence}"),
        &change(json!({"name": "Våldsutsatthet"})),
    )
    .await?;
    let suicide = refs.get("indicator:suicide")?;
    api.patch(
        &format!("/api/v1/indicators/{suicide}"),
        &change(json!({"status": "retired"})),
    )
    .await?;
    Ok(())
}

/// Values for 2018-2022, baselines and targets; the 2021 dental values are first reported
/// preliminary and then revised, so that their history (and `as_of`) has something to show.
pub(super) async fn values(api: &Api, refs: &Refs) -> Result<(), StartupError> {
    let put = |key: &str, rows: Vec<Value>| {
        let path = refs
            .get(&format!("indicator:{key}"))
            .map(|id| format!("/api/v1/indicators/{id}/values"));
        async move { api.put(&path?, &json!({"values": rows})).await }
    };
    let dental = [
        ("total", "", -7.0),
        ("total", "3", 0.0),
        ("total", "6", -8.0),
        ("total", "12", -14.0),
    ];
    let shape = |base, trend, spread| Shape {
        base,
        trend,
        spread,
    };
    let dental_shape = shape(88.0, 0.4, 2.5);
    let mut first = rows(refs, 101, dental_shape, &dental)?;
    // The first report of 2021 was preliminary and a little lower.
    for row in &mut first {
        if row["period"] == "2021" {
            row["status"] = json!("preliminary");
            let value = row["value"].as_f64().unwrap_or_default() - 0.6;
            row["value"] = json!((value * 10.0).round() / 10.0);
        }
    }
    put("dental", first).await?;
    let total: &[(&str, &str, f64)] = &[("total", "", 0.0)];
    let by_gender: &[(&str, &str, f64)] =
        &[("total", "", 0.0), ("female", "", -2.0), ("male", "", 2.0)];
    for (key, code, shape, breakdowns) in [
        ("dental", 101, dental_shape, &dental[..]),
        ("violence", 201, shape(3.1, -0.1, 0.6), total),
        ("safe", 301, shape(81.0, 0.5, 3.0), by_gender),
        ("preschool", 401, shape(84.0, 0.6, 2.0), total),
    ] {
        put(key, rows(refs, code, shape, breakdowns)?).await?;
    }
    let dental = refs.get("indicator:dental")?;
    api.put(
        &format!("/api/v1/indicators/{dental}/targets"),
        &json!({"targets": [{"baseline_period": "2019", "target_period": "2025", "target_value": 92.0}]}),
    )
    .await?;
    Ok(())
}
