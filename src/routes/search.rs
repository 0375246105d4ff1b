//! Full-text search in Swedish over agenda items, decisions and action plan revisions.

use actix_web::{HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use utoipa::{
    IntoParams, IntoResponses, ToSchema,
    openapi::{
        ContentBuilder, Ref, RefOr, Response, ResponseBuilder,
        schema::{ArrayBuilder, ObjectBuilder, Schema, SchemaType, Type},
    },
};
use uuid::Uuid;

use super::{AppState, responses::ListErrors};
use crate::{
    auth::Caller,
    domain::EntityType,
    error::{ApiError, ApiResult},
    extract::{Query, bad_parameter},
    pagination::Page,
    search::query_stems,
    store::search::{self as store, Hit},
};

/// Hits per response when `limit` is not given.
const DEFAULT_LIMIT: u64 = 20;
/// Largest accepted `limit`.
const MAX_LIMIT: u64 = 100;
/// Longest accepted query, in characters.
const MAX_QUERY: usize = 200;

/// What kind of record a hit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SearchType {
    /// An agenda item (title and minutes text); its parent is the meeting.
    AgendaItem,
    /// A decision; its parent is the meeting.
    Decision,
    /// A revision of an action plan.
    ActionPlanRevision,
}

impl SearchType {
    const ALL: [Self; 3] = [Self::AgendaItem, Self::Decision, Self::ActionPlanRevision];

    /// The records of this type in the index.
    pub fn entity_type(self) -> EntityType {
        match self {
            Self::AgendaItem => EntityType::AgendaItem,
            Self::Decision => EntityType::Decision,
            Self::ActionPlanRevision => EntityType::ActionPlanRevision,
        }
    }

    /// The name in `types` (the entity type's).
    pub fn as_str(self) -> &'static str {
        self.entity_type().as_str()
    }

    fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == name)
    }

    fn of(entity_type: EntityType) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|t| t.entity_type() == entity_type)
    }
}

/// One search hit.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchHit {
    /// What kind of record it is.
    #[serde(rename = "type")]
    pub kind: SearchType,
    /// The record's id.
    pub id: Uuid,
    /// The record it belongs to: the meeting of an agenda item or a decision.
    pub parent_id: Option<Uuid>,
    /// The record's title.
    #[schema(example = "Kontaktvägar mellan skola och socialtjänst")]
    pub title: String,
    /// About 160 characters of the text around the first match, HTML-escaped, with each
    /// matching word in `<mark>…</mark>` and "…" where the text was cut.
    #[schema(example = "…tvärgruppen kartlägger <mark>kontaktvägarna</mark> mellan skola och…")]
    pub snippet: String,
    /// Relevance: for each query word, 3 per occurrence in the title and 1 per occurrence in
    /// the text.
    pub score: u32,
}

impl SearchHit {
    fn from_hit(hit: Hit) -> Option<Self> {
        Some(Self {
            kind: SearchType::of(hit.entity_type)?,
            id: hit.entity_id,
            parent_id: hit.parent_id,
            title: hit.title,
            snippet: hit.snippet,
            score: hit.score,
        })
    }
}

/// The search request.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// The words to find, 1–200 characters with at least one letter or digit. Every word must
    /// occur, in any inflection ("kontaktväg" finds "kontaktvägarna"); case and å, ä, ö do not
    /// matter.
    #[param(
        min_length = 1,
        max_length = 200,
        pattern = r"[^\W_]",
        example = "kontaktvägar"
    )]
    pub q: String,
    /// Only these kinds of record, comma-separated: `agenda_item`, `decision`,
    /// `action_plan_revision` (default: all).
    #[param(
        pattern = r"^ *(agenda_item|decision|action_plan_revision) *(, *(agenda_item|decision|action_plan_revision) *)*$",
        example = "decision,agenda_item"
    )]
    pub types: Option<String>,
    /// Hits to return, 1–100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
}

impl SearchQuery {
    /// The query, the type names and the limit, checked (400 naming the parameter).
    fn check(self) -> ApiResult<(String, Vec<EntityType>, u64)> {
        let length = self.q.chars().count();
        if !(1..=MAX_QUERY).contains(&length) {
            return Err(bad_parameter("q", "must be 1–200 characters"));
        }
        if query_stems(&self.q).is_empty() {
            return Err(bad_parameter(
                "q",
                "must contain a word (letters or digits)",
            ));
        }
        let types = match self.types {
            None => Vec::new(),
            Some(list) => list
                .split(',')
                .map(|name| {
                    SearchType::parse(name.trim())
                        .map(SearchType::entity_type)
                        .ok_or_else(|| unknown_type(name))
                })
                .collect::<ApiResult<_>>()?,
        };
        let limit = match self.limit {
            None => DEFAULT_LIMIT,
            Some(n) if (1..=MAX_LIMIT as i64).contains(&n) => n as u64,
            Some(_) => return Err(bad_parameter("limit", "must be between 1 and 100")),
        };
        Ok((self.q, types, limit))
    }
}

fn unknown_type(name: &str) -> ApiError {
    bad_parameter(
        "types",
        &format!(
            "unknown type `{}`; use agenda_item, decision or action_plan_revision",
            name.trim()
        ),
    )
}

/// Search in Swedish.
///
/// Finds the records holding every word of `q` in any inflection (stemmed with the Snowball
/// Swedish stemmer, the same on every database), best first: for each word, 3 points per
/// occurrence in the title and 1 per occurrence in the text; ties by type, then id. Only what
/// the caller may read is found: admin, secretary and member find everything, everyone else
/// public records of public meetings. One page only (`next_cursor` is always null). When the
/// query's rarest word occurs in more than 500 records, hits are ranked among the first 500
/// records holding every word, in that word's score order (a one-word query is ranked exactly).
#[utoipa::path(
    tag = "search",
    operation_id = "search",
    params(SearchQuery),
    responses(SearchHits, ListErrors),
    security((), ("bearer" = []))
)]
#[get("/search")]
pub async fn search(
    caller: Caller,
    state: web::Data<AppState>,
    Query(query): Query<SearchQuery>,
) -> ApiResult<HttpResponse> {
    let (q, types, limit) = query.check()?;
    let hits = store::query(&state.db, &q, &types, caller.sees_unpublished(), limit).await?;
    let items = hits.into_iter().filter_map(SearchHit::from_hit).collect();
    Ok(HttpResponse::Ok().json(Page {
        items,
        next_cursor: None,
    }))
}

/// The 200 of a search: one page of [`SearchHit`]s (items reference the named schema).
pub struct SearchHits;

impl IntoResponses for SearchHits {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        let page = ObjectBuilder::new()
            .property(
                "items",
                ArrayBuilder::new().items(Ref::from_schema_name(SearchHit::name())),
            )
            .required("items")
            .property(
                "next_cursor",
                ObjectBuilder::new()
                    .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
                    .description(Some("Always null: a search answers one page")),
            )
            .required("next_cursor");
        let ok = ResponseBuilder::new()
            .description("The best hits, best first")
            .content(
                "application/json",
                ContentBuilder::new().schema(Some(page)).build(),
            )
            .build();
        BTreeMap::from([("200".to_owned(), ok.into())])
    }
}

/// The record schemas this resource's responses reference.
pub fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
    super::kit::doc::register::<SearchHit>(schemas);
}

/// Mounts this resource's routes (under the API scope).
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    cfg.service(search);
}
