//! Organisations: their kinds, official codes, identifiers and the rules between them.

use sea_orm::{DeriveActiveEnum, EnumIter};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::text::{FieldErrors, Name, one_line};

/// What an organisation is. Groups (styrgrupp, arbetsutskott, tvärgrupp) are organisations of
/// their own kind, as in the Popolo and OParl models.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    ToSchema,
)]
#[sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum OrganisationKind {
    /// A region (county council), e.g. Region Kronoberg.
    Region,
    /// A municipality, e.g. Växjö kommun.
    Municipality,
    /// A government agency, e.g. Polismyndigheten.
    Agency,
    /// A university, e.g. Linnéuniversitetet.
    University,
    /// A non-governmental organisation.
    Ngo,
    /// One of the collaboration's own groups.
    Group,
}

/// An official Swedish municipality code: four digits, e.g. `0780` (Växjö).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MunicipalityCode(String);

impl MunicipalityCode {
    /// Checks a municipality code.
    pub fn parse(value: &str) -> Result<Self, String> {
        if value.len() == 4 && value.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(value.to_owned()))
        } else {
            Err("must be four digits, e.g. 0780".into())
        }
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An official Swedish county code: two digits, e.g. `07` (Kronoberg).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountyCode(String);

impl CountyCode {
    /// Checks a county code.
    pub fn parse(value: &str) -> Result<Self, String> {
        if value.len() == 2 && value.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(value.to_owned()))
        } else {
            Err("must be two digits, e.g. 07".into())
        }
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An absolute http(s) URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebUrl(String);

impl WebUrl {
    /// Checks a web address.
    pub fn parse(value: &str) -> Result<Self, String> {
        let text = one_line(value, 1, 2000)?;
        match url::Url::parse(&text) {
            Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => {
                Ok(Self(url.to_string()))
            }
            _ => Err("must be an absolute http or https URL".into()),
        }
    }

    /// The URL.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An identifier in an external register, e.g. `{"scheme": "se-orgnr", "value": "232100-0065"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Identifier {
    /// The register, e.g. `se-orgnr` (organisationsnummer) or `kolada`.
    #[schema(example = "se-orgnr")]
    pub scheme: String,
    /// The identifier in that register.
    #[schema(example = "232100-0065")]
    pub value: String,
}

/// Most identifiers an organisation may carry.
pub const MAX_IDENTIFIERS: usize = 20;

/// The fields of an organisation as a client sends them, before any check.
#[derive(Debug, Clone, Default)]
pub struct UncheckedOrganisation {
    /// Name.
    pub name: String,
    /// Short name.
    pub short_name: Option<String>,
    /// Kind.
    pub kind: Option<OrganisationKind>,
    /// Municipality code.
    pub municipality_code: Option<String>,
    /// County code.
    pub county_code: Option<String>,
    /// Parent organisation.
    pub parent_id: Option<Uuid>,
    /// Website.
    pub website: Option<String>,
    /// Subtitle (groups: what the collaboration is for).
    pub subtitle: Option<String>,
    /// External identifiers.
    pub identifiers: Vec<Identifier>,
    /// Archived.
    pub archived: bool,
}

/// An organisation whose fields have been checked; only [`Organisation::parse`] builds one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organisation {
    /// Name, 1–200 characters.
    pub name: Name,
    /// Short name, e.g. "SG" for the steering group.
    pub short_name: Option<String>,
    /// Kind.
    pub kind: OrganisationKind,
    /// Only for municipalities.
    pub municipality_code: Option<MunicipalityCode>,
    /// County code.
    pub county_code: Option<CountyCode>,
    /// Parent organisation (checked against the database by the store).
    pub parent_id: Option<Uuid>,
    /// Website.
    pub website: Option<WebUrl>,
    /// Subtitle.
    pub subtitle: Option<String>,
    /// External identifiers.
    pub identifiers: Vec<Identifier>,
    /// Archived.
    pub archived: bool,
}

impl Organisation {
    /// Checks every field and the rules between them; all errors are reported at once.
    pub fn parse(input: UncheckedOrganisation) -> Result<Self, crate::error::ApiError> {
        let mut errors = FieldErrors::default();
        let name = errors.check("name", Name::parse(&input.name));
        let short_name = input
            .short_name
            .as_deref()
            .and_then(|s| errors.check("short_name", one_line(s, 1, 50)));
        let kind = errors.check("kind", input.kind.ok_or_else(|| "is required".to_owned()));
        let municipality_code = input
            .municipality_code
            .as_deref()
            .and_then(|c| errors.check("municipality_code", MunicipalityCode::parse(c)));
        if input.municipality_code.is_some()
            && kind.is_some_and(|k| k != OrganisationKind::Municipality)
        {
            errors.add(
                "municipality_code",
                "is only for organisations of kind municipality",
            );
        }
        let county_code = input
            .county_code
            .as_deref()
            .and_then(|c| errors.check("county_code", CountyCode::parse(c)));
        let website = input
            .website
            .as_deref()
            .and_then(|w| errors.check("website", WebUrl::parse(w)));
        let subtitle = input
            .subtitle
            .as_deref()
            .and_then(|s| errors.check("subtitle", one_line(s, 1, 500)));
        if input.identifiers.len() > MAX_IDENTIFIERS {
            errors.add(
                "identifiers",
                format!("at most {MAX_IDENTIFIERS} identifiers"),
            );
        }
        let mut identifiers = Vec::with_capacity(input.identifiers.len());
        for (i, identifier) in input.identifiers.iter().enumerate() {
            let scheme = errors.check(
                &format!("identifiers[{i}].scheme"),
                one_line(&identifier.scheme, 1, 50),
            );
            let value = errors.check(
                &format!("identifiers[{i}].value"),
                one_line(&identifier.value, 1, 200),
            );
            if let (Some(scheme), Some(value)) = (scheme, value) {
                identifiers.push(Identifier { scheme, value });
            }
        }
        errors.finish()?;
        match (name, kind) {
            (Some(name), Some(kind)) => Ok(Self {
                name,
                short_name,
                kind,
                municipality_code,
                county_code,
                parent_id: input.parent_id,
                website,
                subtitle,
                identifiers,
                archived: input.archived,
            }),
            _ => Err(crate::error::ApiError::Internal(
                "checked fields missing".into(),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn municipality(code: &str) -> UncheckedOrganisation {
        UncheckedOrganisation {
            name: "Växjö kommun".into(),
            kind: Some(OrganisationKind::Municipality),
            municipality_code: Some(code.into()),
            ..Default::default()
        }
    }

    #[test]
    fn municipality_codes_are_four_digits() {
        assert!(Organisation::parse(municipality("0780")).is_ok());
        for bad in ["780", "07800", "07a0", "٠٧٨٠"] {
            assert!(
                Organisation::parse(municipality(bad)).is_err(),
                "accepted {bad:?}"
            );
        }
    }

    #[test]
    fn only_municipalities_carry_a_municipality_code() {
        let mut region = municipality("0780");
        region.kind = Some(OrganisationKind::Region);
        assert!(Organisation::parse(region).is_err());
    }

    #[test]
    fn websites_must_be_http_urls() {
        for (url, ok) in [
            ("https://www.vaxjo.se", true),
            ("ftp://x.se", false),
            ("vaxjo.se", false),
        ] {
            let mut org = municipality("0780");
            org.website = Some(url.into());
            assert_eq!(Organisation::parse(org).is_ok(), ok, "{url}");
        }
    }
}
